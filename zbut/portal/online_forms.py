"""The filters of Data Base ONLINE, validated: bad input becomes a form error, never a 500."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zbut.bases.outcomes import Outcome
from zbut.portal.online import FilterChoices, OnlineFilters

SEARCH_MAX_LENGTH = 100
MAX_BIGINT = 2**63 - 1  # a larger cursor would overflow PostgreSQL's bigint: a 500
DATE_RANGE_ERROR = _("Дата «з» пізніша за дату «по».")


class OnlineFilterForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Реакція"), required=False)
    category = forms.ChoiceField(label=_("Категорія"), required=False)
    region = forms.ChoiceField(label=_("Регіон"), required=False)
    phase = forms.TypedChoiceField(label=_("Фаза"), required=False, coerce=int, empty_value=None)
    manager = forms.TypedChoiceField(
        label=_("Менеджер"), required=False, coerce=int, empty_value=None
    )
    date_from = forms.DateField(
        label=_("З"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("По"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(label=_("Пошук"), required=False, max_length=SEARCH_MAX_LENGTH)
    before = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_BIGINT, widget=forms.HiddenInput
    )

    def __init__(self, data: Any, *, choices: FilterChoices) -> None:
        super().__init__(data)
        everything = ("", _("Усі"))
        self.fields["outcome"].choices = [everything, *Outcome.choices]
        self.fields["category"].choices = [everything, *((c, c) for c in choices.categories)]
        self.fields["region"].choices = [everything, *((r, r) for r in choices.regions)]
        self.fields["phase"].choices = [everything, *((n, str(n)) for n in choices.phases)]
        self.fields["manager"].choices = [everything, *choices.managers]
        self.fields["q"].widget.attrs["placeholder"] = _("Компанія або примітка")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and first > last:
            raise forms.ValidationError(DATE_RANGE_ERROR, code="date_range")
        return data

    def filters(self) -> OnlineFilters:
        """The validated filters; call after ``is_valid()`` returned True."""
        data = self.cleaned_data
        return OnlineFilters(
            outcome=data.get("outcome") or "",
            category=data.get("category") or "",
            region=data.get("region") or "",
            phase=data.get("phase"),
            manager_id=data.get("manager"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            q=data.get("q") or "",
        )

    def query_without_cursor(self) -> str:
        """The filters as a query string, for the stream's URL and the pager's links."""
        query = self.data.copy()
        query.pop("before", None)
        query.pop("last_event_id", None)
        return query.urlencode()

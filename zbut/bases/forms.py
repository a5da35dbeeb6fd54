"""Forms of the base screens: the column mapping and the agreement steps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zbut.bases.columns import Field

KEEP_AS_EXTRA = ("", _("— залишити як додатковий атрибут —"))


class MappingForm(forms.Form):
    """One select per column of the file, pre-filled with the guess."""

    def __init__(
        self, *args: Any, headers: list[str], mapping: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.headers = headers
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header or _("Колонка %(number)s") % {"number": index + 1},
                choices=[KEEP_AS_EXTRA, *Field.choices],
                required=False,
                initial=mapping.get(str(index), ""),
            )

    def choices(self) -> dict[int, str]:
        return {i: self.cleaned_data.get(f"col_{i}", "") for i in range(len(self.headers))}

    def columns(self) -> list[tuple[str, forms.BoundField]]:
        return [(header, self[f"col_{i}"]) for i, header in enumerate(self.headers)]


class SendForm(forms.Form):
    category = forms.CharField(label=_("Категорія"), required=False, max_length=200)
    region = forms.CharField(label=_("Регіон"), required=False, max_length=100)
    phase = forms.IntegerField(label=_("Фаза"), required=False, min_value=1, max_value=1000)


class ExcludeForm(forms.Form):
    company = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    reason = forms.CharField(label=_("Причина"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any ids are accepted here: the service only touches the agreement's own companies.
        self.fields["company"].valid_value = lambda value: str(value).isdigit()  # type: ignore[attr-defined]


# Lengths of reasons and comments are the services' to judge, so their messages are shown.


class ExcludeCategoryForm(forms.Form):
    category = forms.CharField(label=_("Категорія"), max_length=200)
    reason = forms.CharField(label=_("Причина"), required=False)


class CommentForm(forms.Form):
    # The length is the service's to judge, so its message is the one people see.
    text = forms.CharField(label=_("Коментар"), required=False)

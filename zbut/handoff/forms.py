"""Forms of the hand-off screens: the Bitrix24 connection, a webhook, a lead recipient."""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zbut.core.errors import ZbutError
from zbut.handoff.services import check_extra_fields

# https://<portal>/rest/<user id>/<token>/ — the form of a Bitrix24 inbound webhook.
_WEBHOOK_URL = re.compile(r"^https?://[^/\s]+/rest/\d+/[^/\s]+/?$")
MSG_WEBHOOK_FORM = _("Очікується адреса вигляду https://<портал>/rest/<ID>/<ключ>/")
MSG_BAD_JSON = _("Це не JSON: %(error)s")


class Bitrix24Form(forms.Form):
    """The webhook URL is write-only: the field is always rendered empty (the stored URL holds
    the token, a password), and left empty it keeps the stored one."""

    webhook_url = forms.CharField(
        label=_("Адреса вхідного вебхука"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Порожнє поле залишає збережену адресу."),
    )
    assigned_by_id = forms.IntegerField(
        label=_("Відповідальний у Bitrix24 (ID користувача)"), required=False, min_value=1
    )
    extra_fields = forms.CharField(
        label=_("Додаткові поля ліда (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_('Напр. {"UF_CRM_AGENCY": "Zbut", "SOURCE_ID": "PARTNER"}'),
    )

    def clean_webhook_url(self) -> str:
        url = self.cleaned_data["webhook_url"].strip()
        if url and not _WEBHOOK_URL.match(url):
            raise forms.ValidationError(MSG_WEBHOOK_FORM)
        return url

    def clean_extra_fields(self) -> dict[str, Any]:
        text = self.cleaned_data["extra_fields"].strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except ValueError as error:
            raise forms.ValidationError(str(MSG_BAD_JSON) % {"error": error}) from None
        try:
            return check_extra_fields(value)
        except ZbutError as error:
            raise forms.ValidationError(error.message) from None


class WebhookForm(forms.Form):
    url = forms.URLField(label=_("Адреса HTTPS"), max_length=500, assume_scheme="https")


class RecipientForm(forms.Form):
    name = forms.CharField(label=_("Ім'я"), required=False, max_length=200)
    email = forms.EmailField(label=_("E-mail"))

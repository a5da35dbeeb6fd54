"""Ukrainian registry codes, validated by their check digits (python-stdnum)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.ua import edrpou

INVALID_EDRPOU = _("Невірний код ЄДРПОУ: потрібно 8 цифр із правильною контрольною цифрою.")


def normalise_edrpou(value: str) -> str:
    """The 8-digit ЄДРПОУ of ``value``; raises ValidationError when the check digit is wrong."""
    try:
        return edrpou.validate(value.strip())
    except StdnumValidationError:
        raise ValidationError(INVALID_EDRPOU, code="invalid_edrpou") from None


def validate_edrpou(value: str) -> None:
    normalise_edrpou(value)

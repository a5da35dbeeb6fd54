"""Call attempts that reached no decision: history, not an outcome (PRODUCT.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AttemptResult(models.TextChoices):
    NO_ANSWER = "no_answer", _("Не відповідає")
    BUSY = "busy", _("Зайнято")
    WRONG_NUMBER = "wrong_number", _("Помилковий номер")
    SECRETARY = "secretary", _("Секретар / не з'єднали")
    CALL_BACK_AT = "call_back_at", _("Просили передзвонити")
    NOT_IN_SERVICE = "not_in_service", _("Номер не обслуговується")
    SWITCHED_OFF = "switched_off", _("Абонент поза зоною")
    VOICEMAIL = "voicemail", _("Автовідповідач")

"""Error codes and messages of the desk; tests assert on the constants."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zbut.core.errors import ZbutError, ZbutPermissionDenied


class DeskErrorCode:
    NOT_ASSIGNED = "not_assigned"
    NO_ACTIVE_PHASE = "no_active_phase"
    POSITIVE_CAP_REACHED = "positive_cap_reached"
    PRICE_CAP_REACHED = "price_cap_reached"
    CLAIM_LOST = "claim_lost"
    NOT_IN_QUEUE = "not_in_queue"
    NOTE_TOO_LONG = "note_too_long"
    UNKNOWN_RESULT = "unknown_result"
    UNKNOWN_OUTCOME = "unknown_outcome"
    CALLBACK_DATE_NEEDED = "callback_date_needed"
    CALLBACK_IN_THE_PAST = "callback_in_the_past"
    LEAD_CONTACT_NEEDED = "lead_contact_needed"
    PHONE_NEEDED = "phone_needed"
    INVALID_PHONE = "invalid_phone"
    INVALID_EMAIL = "invalid_email"


MAX_NOTE_LENGTH = 5000

MSG_NOT_ASSIGNED = _("Вас не призначено на цей проєкт.")
MSG_NO_ACTIVE_PHASE = _("У проєкті немає активної фази: координатор має відкрити фазу.")
MSG_POSITIVE_CAP_REACHED = _(
    "Досягнуто ліміту позитивних компаній пілоту (%(cap)s): черга зупинена, зверніться до "
    "координатора."
)
MSG_PRICE_CAP_REACHED = _(
    "Досягнуто ліміту вартості пілоту (%(cap)s грн): черга зупинена, зверніться до координатора."
)
MSG_CLAIM_LOST = _(
    "Цю компанію вже опрацьовує інший менеджер або дію вже збережено: візьміть наступну."
)
MSG_NOT_IN_QUEUE = _("Компанії немає в черзі проєкту.")
MSG_NOTE_TOO_LONG = _("Нотатка задовга: щонайбільше %(limit)s символів.")
MSG_UNKNOWN_RESULT = _("Невідомий результат спроби.")
MSG_UNKNOWN_OUTCOME = _("Невідомий тип клієнта.")
MSG_CALLBACK_DATE_NEEDED = _("Для передзвону вкажіть дату.")
MSG_CALLBACK_IN_THE_PAST = _("Дата передзвону вже минула: оберіть майбутню.")
MSG_LEAD_CONTACT_NEEDED = _(
    "Для зацікавленого клієнта потрібні контактна особа і телефон або e-mail."
)
MSG_PHONE_NEEDED = _("Позначте, який номер недійсний.")
MSG_INVALID_PHONE = _("Невірний номер телефону: %(value)s")
MSG_INVALID_EMAIL = _("Невірна адреса e-mail: %(value)s")


class DeskError(ZbutError):
    """Bad input or a state that forbids the action; nothing was recorded."""


class QueueStopped(DeskError):
    """The queue gives out no company: no phase, or a pilot's cap is reached."""


class NotAssigned(ZbutPermissionDenied):
    """The manager is not assigned to the project."""


def desk_error(code: str, message: object, **params: object) -> DeskError:
    return DeskError(code, str(message) % params if params else str(message))

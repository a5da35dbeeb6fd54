"""What the client does in its portal: comment on a company."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from zbut.accounts.models import Membership, Role, User
from zbut.bases.models import Company
from zbut.core.errors import ZbutError, ZbutPermissionDenied
from zbut.history.models import EventKind
from zbut.history.services import record_event
from zbut.projects.selectors import current_phase

COMMENT_MAX_CHARS = 2000
MSG_EMPTY_COMMENT = _("Коментар порожній.")
MSG_COMMENT_TOO_LONG = _("Коментар задовгий: не більше %(limit)s символів.")
MSG_COMMENT_SAVED = _("Коментар додано до історії компанії.")
MSG_CANNOT_COMMENT = _("Коментувати компанії може лише клієнт (власник або глядач).")


class PortalErrorCode:
    EMPTY_COMMENT = "empty_comment"
    COMMENT_TOO_LONG = "comment_too_long"
    CANNOT_COMMENT = "cannot_comment"


class CommentError(ZbutError):
    """A comment that cannot be recorded; nothing was changed."""


class CommentPermissionDenied(ZbutPermissionDenied):
    """Only the company's client comments through the portal."""


def check_may_comment(*, company: Company, actor: User) -> None:
    """Owner and viewer of the company's client may comment.

    A comment changes nothing but the history (unlike excluding or approving a base, which is
    the owner's), so a viewer, often the client's sales head, may speak too. The agency writes
    notes at the desk instead.
    """
    allowed = Membership.objects.filter(
        user=actor, client_id=company.client_id, role__in=[Role.OWNER, Role.VIEWER]
    )
    if not allowed.exists():
        raise CommentPermissionDenied(PortalErrorCode.CANNOT_COMMENT, str(MSG_CANNOT_COMMENT))


def check_comment(text: str) -> str:
    text = text.strip()
    if not text:
        raise CommentError(PortalErrorCode.EMPTY_COMMENT, str(MSG_EMPTY_COMMENT))
    if len(text) > COMMENT_MAX_CHARS:
        message = MSG_COMMENT_TOO_LONG % {"limit": COMMENT_MAX_CHARS}
        raise CommentError(PortalErrorCode.COMMENT_TOO_LONG, message)
    return text


@transaction.atomic(durable=True)
def comment_on_company(*, company: Company, text: str, actor: User) -> Company:
    """The client's comment: a CLIENT_COMMENT event in the company's history.

    The managers read it in the history on their desk and in Data Base ONLINE.
    """
    check_may_comment(company=company, actor=actor)
    text = check_comment(text)
    phase = current_phase(project=company.project)
    record_event(
        kind=EventKind.CLIENT_COMMENT,
        payload={"note": text, "phase": phase.number if phase else None},
        actor=actor,
        project=company.project,
        company=company,
    )
    return company

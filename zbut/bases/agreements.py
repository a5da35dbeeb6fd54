"""The base agreement (узгодження бази): the client agrees the base before a single call.

The coordinator sends the project's new companies (or a slice: a category, a region) to the
client, optionally as the base of one phase: those companies then wait for that phase before
the desk offers them; the client's owner excludes companies or whole categories with a
reason, comments, and approves. Only APPROVED companies enter the managers' queue (see
``BaseState``). Every step is an event in the history, written in the same transaction as the
change; e-mails are outbox rows of that transaction, sent by a worker after the commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import uuid4

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from zbut.accounts.models import Membership, Role, User
from zbut.bases.models import AgreementState, BaseAgreement, BaseState, Company
from zbut.core.errors import ZbutError, ZbutPermissionDenied
from zbut.core.mail import enqueue_email
from zbut.history.models import EventKind
from zbut.history.services import NewEvent, record_event, record_events
from zbut.projects.models import Phase, PhaseState, Project

COMMENT_MAX_CHARS = 2000
REASON_MAX_CHARS = 200


class AgreementErrorCode:
    NOTHING_TO_SEND = "nothing_to_send"
    NOT_OPEN = "agreement_not_open"
    NO_REASON = "no_reason"
    REASON_TOO_LONG = "reason_too_long"
    NO_COMPANIES = "no_companies"
    EMPTY_COMMENT = "empty_comment"
    COMMENT_TOO_LONG = "comment_too_long"
    CANNOT_SEND = "cannot_send"
    CANNOT_DECIDE = "cannot_decide"
    BAD_PHASE = "bad_phase"


MSG_NOTHING_TO_SEND = _("Немає нових компаній для узгодження в цьому зрізі бази.")
MSG_NOT_OPEN = _("Цю базу вже узгоджено: змінити її не можна.")
MSG_NO_REASON = _("Вкажіть причину виключення.")
MSG_REASON_TOO_LONG = _("Причина задовга: не більше %(limit)s символів.")
MSG_NO_COMPANIES = _("Не вибрано жодної компанії на узгодженні.")
MSG_EMPTY_COMMENT = _("Коментар порожній.")
MSG_COMMENT_TOO_LONG = _("Коментар задовгий: не більше %(limit)s символів.")
MSG_CANNOT_SEND = _("Надіслати базу на узгодження може лише координатор або адміністратор.")
MSG_BAD_PHASE = _("Базу можна планувати лише на заплановану чи активну фазу цього проєкту.")
MSG_CANNOT_DECIDE = _("Виключати компанії, коментувати й погоджувати базу може лише власник.")


class AgreementError(ZbutError):
    """Bad input to an agreement step; nothing was changed."""


class AgreementPermissionDenied(ZbutPermissionDenied):
    """The actor's role does not allow this agreement step."""


# --- checks ------------------------------------------------------------------------------------


def check_can_send(*, actor: User) -> None:
    """The agency's coordinator or admin sends bases; nobody else."""
    allowed = Membership.objects.filter(
        user=actor, client__isnull=True, role__in=[Role.ADMIN, Role.COORDINATOR]
    ).exists()
    if not allowed:
        raise AgreementPermissionDenied(AgreementErrorCode.CANNOT_SEND, str(MSG_CANNOT_SEND))


def check_is_owner(*, client_id: int, actor: User) -> None:
    """Only the client's owner speaks for the client (a viewer only reads)."""
    is_owner = Membership.objects.filter(user=actor, client_id=client_id, role=Role.OWNER)
    if not is_owner.exists():
        raise AgreementPermissionDenied(AgreementErrorCode.CANNOT_DECIDE, str(MSG_CANNOT_DECIDE))


def check_can_decide(*, agreement: BaseAgreement, actor: User) -> BaseAgreement:
    """The client's owner decides on an open agreement; the agreement row is locked."""
    check_is_owner(client_id=agreement.client_id, actor=actor)
    locked = (
        BaseAgreement.objects.select_for_update().select_related("project").get(pk=agreement.pk)
    )
    if not locked.is_open:
        raise AgreementError(AgreementErrorCode.NOT_OPEN, str(MSG_NOT_OPEN))
    return locked


def check_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise AgreementError(AgreementErrorCode.NO_REASON, str(MSG_NO_REASON))
    if len(reason) > REASON_MAX_CHARS:
        message = MSG_REASON_TOO_LONG % {"limit": REASON_MAX_CHARS}
        raise AgreementError(AgreementErrorCode.REASON_TOO_LONG, message)
    return reason


# --- the steps ---------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def send_for_agreement(
    *,
    project: Project,
    actor: User,
    category: str = "",
    region: str = "",
    phase: Phase | None = None,
    site_url: str = "",
) -> BaseAgreement:
    """Move the slice's NEW companies to PROPOSED under a new agreement and tell the owners.

    With a ``phase`` the slice is that phase's base: the desk does not offer its companies
    before the phase is active.
    """
    check_can_send(actor=actor)
    if phase is not None:  # read again: the caller's copy may predate the phase's closing
        phase = Phase.objects.filter(pk=phase.pk, project=project).first()
        if phase is None or phase.state == PhaseState.CLOSED:
            raise AgreementError(AgreementErrorCode.BAD_PHASE, str(MSG_BAD_PHASE))
    companies = Company.objects.select_for_update().filter(
        project=project, base_state=BaseState.NEW
    )
    if category:
        companies = companies.filter(category=category)
    if region:
        companies = companies.filter(region=region)
    ids = list(companies.values_list("id", flat=True))
    if not ids:
        raise AgreementError(AgreementErrorCode.NOTHING_TO_SEND, str(MSG_NOTHING_TO_SEND))
    agreement = BaseAgreement.objects.create(
        client_id=project.client_id,
        project=project,
        category=category,
        region=region,
        phase=phase,
        proposed=len(ids),
        sent_by=actor,
    )
    Company.objects.filter(id__in=ids).update(
        base_state=BaseState.PROPOSED, agreement=agreement, planned_phase=phase
    )
    payload: dict[str, object] = {"agreement": agreement.pk, "category": category, "region": region}
    if phase is not None:
        payload["phase"] = phase.number
    record_events(
        project=project,
        drafts=[
            NewEvent(
                kind=EventKind.BASE_SENT_FOR_AGREEMENT,
                company_id=company_id,
                actor_id=actor.pk,
                payload=payload,
            )
            for company_id in ids
        ],
    )
    owners = list(
        User.objects.filter(
            memberships__client_id=project.client_id,
            memberships__role=Role.OWNER,
            is_active=True,
        ).values_list("email", flat=True)
    )
    _mail_on_commit(
        recipients=owners,
        template="bases/mail/agreement_sent",
        context={"agreement": agreement, "project": project, "link": _link(project, site_url)},
    )
    return agreement


@transaction.atomic(durable=True)
def exclude_companies(
    *, agreement: BaseAgreement, company_ids: Iterable[int], reason: str, actor: User
) -> int:
    """Strike out the chosen companies still awaiting agreement; how many were excluded."""
    agreement = check_can_decide(agreement=agreement, actor=actor)
    reason = check_reason(reason)
    companies = Company.objects.filter(
        agreement=agreement, base_state=BaseState.PROPOSED, id__in=list(company_ids)
    )
    return _exclude(agreement=agreement, companies=companies, reason=reason, actor=actor)


@transaction.atomic(durable=True)
def exclude_category(*, agreement: BaseAgreement, category: str, reason: str, actor: User) -> int:
    """Strike out every company of one category still awaiting agreement."""
    agreement = check_can_decide(agreement=agreement, actor=actor)
    reason = check_reason(reason)
    companies = Company.objects.filter(
        agreement=agreement, base_state=BaseState.PROPOSED, category=category
    )
    return _exclude(
        agreement=agreement, companies=companies, reason=reason, actor=actor, category=category
    )


def _exclude(
    *,
    agreement: BaseAgreement,
    companies: QuerySet[Company],
    reason: str,
    actor: User,
    category: str | None = None,
) -> int:
    ids = list(companies.select_for_update().values_list("id", flat=True))
    if not ids:
        raise AgreementError(AgreementErrorCode.NO_COMPANIES, str(MSG_NO_COMPANIES))
    Company.objects.filter(id__in=ids).update(base_state=BaseState.EXCLUDED, excluded_reason=reason)
    payload: dict[str, object] = {"agreement": agreement.pk, "reason": reason}
    if category is not None:
        payload["category"] = category
    record_events(
        project=agreement.project,
        drafts=[
            NewEvent(
                kind=EventKind.COMPANY_EXCLUDED,
                company_id=company_id,
                actor_id=actor.pk,
                payload=payload,
            )
            for company_id in ids
        ],
    )
    BaseAgreement.objects.filter(pk=agreement.pk).update(excluded=agreement.excluded + len(ids))
    return len(ids)


@transaction.atomic(durable=True)
def comment_on_company(*, company: Company, text: str, actor: User) -> Company:
    """The owner's comment on one of the client's companies: a CLIENT_COMMENT event."""
    check_is_owner(client_id=company.client_id, actor=actor)
    text = text.strip()
    if not text:
        raise AgreementError(AgreementErrorCode.EMPTY_COMMENT, str(MSG_EMPTY_COMMENT))
    if len(text) > COMMENT_MAX_CHARS:
        message = MSG_COMMENT_TOO_LONG % {"limit": COMMENT_MAX_CHARS}
        raise AgreementError(AgreementErrorCode.COMMENT_TOO_LONG, message)
    record_event(
        kind=EventKind.CLIENT_COMMENT,
        payload={"text": text, "agreement": company.agreement_id},
        actor=actor,
        project=company.project,
        company=company,
    )
    return company


@transaction.atomic(durable=True)
def approve(*, agreement: BaseAgreement, actor: User, site_url: str = "") -> BaseAgreement:
    """Every company still awaiting agreement becomes APPROVED; the coordinators are told."""
    agreement = check_can_decide(agreement=agreement, actor=actor)
    approved = Company.objects.filter(agreement=agreement, base_state=BaseState.PROPOSED).update(
        base_state=BaseState.APPROVED
    )
    excluded = Company.objects.filter(agreement=agreement, base_state=BaseState.EXCLUDED).count()
    agreement.state = AgreementState.APPROVED
    agreement.approved = approved
    agreement.excluded = excluded
    agreement.approved_by = actor
    agreement.approved_at = timezone.now()
    agreement.save(update_fields=["state", "approved", "excluded", "approved_by", "approved_at"])
    record_event(
        kind=EventKind.BASE_APPROVED,
        payload={"agreement": agreement.pk, "approved": approved, "excluded": excluded},
        actor=actor,
        project=agreement.project,
    )
    coordinators = User.objects.filter(
        Q(memberships__client__isnull=True, memberships__role=Role.COORDINATOR)
        | Q(pk=agreement.sent_by_id),
        is_active=True,
    ).distinct()
    _mail_on_commit(
        recipients=list(coordinators.values_list("email", flat=True)),
        template="bases/mail/agreement_approved",
        context={
            "agreement": agreement,
            "project": agreement.project,
            "approver": actor,
            "link": _link(agreement.project, site_url),
        },
    )
    return agreement


# --- notifications -----------------------------------------------------------------------------


def _link(project: Project, site_url: str) -> str:
    return site_url.rstrip("/") + reverse("bases:agreement", args=[project.slug])


def _mail_on_commit(*, recipients: list[str], template: str, context: dict[str, object]) -> None:
    """Render now (in Ukrainian, the product's language); the outbox sends it after commit."""
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)
    enqueue_email(to=recipients, subject=subject, body=body, idempotency_key=f"mail-{uuid4()}")

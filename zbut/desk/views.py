"""The manager's call desk: one page that always shows the next company, and its actions.

Every action is a POST that records once and redirects back to the desk (POST-redirect-GET;
htmx's boost swaps the page without a full reload), where the next company is claimed at
once. Errors of the desk's services become a message on the page, never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zbut.accounts.models import Membership, Role
from zbut.bases.models import Company
from zbut.bases.outcomes import Outcome
from zbut.desk import selectors
from zbut.desk.attempts import AttemptResult
from zbut.desk.errors import DeskError, NotAssigned, QueueStopped
from zbut.desk.inputs import parse_call_back_at, parse_callback_on, parse_phone_id
from zbut.desk.keys import (
    CALL_BACK_AT_PICKS,
    CALLBACK_PICKS,
    PANEL_CALL_BACK_AT,
    PANEL_CALLBACK,
    PANEL_INTERESTED,
    PANEL_PHONE,
    attempt_actions,
    outcome_actions,
)
from zbut.desk.queue import claim_next
from zbut.desk.rules import BAD_NUMBER_RESULTS, kyiv_day
from zbut.desk.services import add_note, record_attempt, record_outcome
from zbut.projects.models import Project
from zbut.projects.selectors import project_for

logger = logging.getLogger(__name__)

DESK_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.MANAGER})
# Lazy: a module-level text is translated when shown, in the language of that request.
MSG_NOTHING_ELSE_DUE = gettext_lazy(
    "Інших компаній до дзвінка зараз немає: пропущена знову перед вами."
)


def desk_project(request: HttpRequest, slug: str, *, roles: frozenset[str] = DESK_ROLES) -> Project:
    """The project of a desk screen, or a 404: clients, other roles and unassigned managers
    never learn that the project exists (``projects_for`` keeps managers to their projects)."""
    membership: Membership | None = request.membership  # type: ignore[attr-defined]
    if membership is None or not membership.is_agency or membership.role not in roles:
        raise Http404
    try:
        return project_for(membership=membership, slug=slug)
    except Project.DoesNotExist:
        raise Http404 from None


@login_required
def desk_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The company held by the manager, or the next one claimed at once."""
    project = desk_project(request, slug)
    manager = request.user
    try:
        item = selectors.held_item(project=project, manager=manager) or claim_next(
            project=project, manager=manager
        )
    except QueueStopped as error:
        return _stopped(request, project, error.message)
    except NotAssigned as error:
        return _stopped(request, project, error.message, status=403)
    phases = selectors.phase_info(project=project)
    context: dict[str, object] = {
        "project": project,
        "phase": phases.current,
        "day": selectors.desk_day(project=project, manager=manager),
        "outcomes": outcome_actions(),
    }
    if item is None:
        context["due"] = selectors.next_due(project=project)
        return render(request, "desk/desk.html", context)
    card = selectors.call_card(item=item)
    context["draft"] = _take_draft(request, item.company_id)
    picks = selectors.callback_picks(project=project, info=phases)
    context.update(
        card=card,
        attempts=attempt_actions(good_phone_ids=[phone.pk for phone in card.good_phones]),
        callback_picks=[
            (key, value, label, picks.get(value))
            for key, value, label in CALLBACK_PICKS
            if value in picks
        ],
        call_back_at_picks=CALL_BACK_AT_PICKS,
        bad_number_results=[AttemptResult(result) for result in sorted(BAD_NUMBER_RESULTS)],
        panel_callback=PANEL_CALLBACK,
        panel_interested=PANEL_INTERESTED,
        panel_call_back_at=PANEL_CALL_BACK_AT,
        panel_phone=PANEL_PHONE,
        tomorrow=kyiv_day(timezone.now()) + timedelta(days=1),
    )
    return render(request, "desk/desk.html", context)


DRAFT_FIELDS = ("note", "contact_person", "lead_phone", "lead_email")
DRAFT_KEY = "desk_draft"


def _keep_draft(request: HttpRequest, company_id: int) -> None:
    """What the manager typed survives a refused action: the desk shows it again."""
    # Bounded: the session is no place for a pasted novel (the service refuses it anyway).
    draft = {field: request.POST.get(field, "")[:10_000] for field in DRAFT_FIELDS}
    if any(draft.values()):
        request.session[DRAFT_KEY] = {"company": company_id, **draft}


def _take_draft(request: HttpRequest, company_id: int) -> dict[str, str]:
    """The kept draft for this company, once; a draft of another company is dropped."""
    draft = request.session.pop(DRAFT_KEY, None) or {}
    return draft if draft.get("company") == company_id else {}


def _stopped(
    request: HttpRequest, project: Project, message: str, status: int = 200
) -> HttpResponse:
    context = {"project": project, "message": message}
    return render(request, "desk/stopped.html", context, status=status)


def _act(
    request: HttpRequest, slug: str, company_id: int, action: Callable[[Project], str]
) -> HttpResponse:
    """Run one desk action; its confirmation or its error goes to the page, then back.

    A company that is not in the project's base is a 404, like a project one may not see.
    """
    project = desk_project(request, slug)
    if not Company.objects.filter(project=project, pk=company_id).exists():
        raise Http404
    try:
        confirmation = action(project)
    except (DeskError, NotAssigned) as error:
        logger.info("desk_action_refused code=%s project=%s", error.code, project.pk)
        messages.error(request, error.message)
        _keep_draft(request, company_id)
    else:
        messages.success(request, confirmation)
    return redirect("desk:desk", slug=project.slug)


@require_POST
@login_required
def outcome(request: HttpRequest, slug: str, company_id: int, code: str) -> HttpResponse:
    """Keys 1–7: the company's outcome, with the note and what the outcome asks for."""

    def act(project: Project) -> str:
        data = request.POST
        callback_on = None
        if code == Outcome.CALLBACK:
            picks = selectors.callback_picks(project=project)
            callback_on = parse_callback_on(data, picks=picks)
        company = record_outcome(
            project=project,
            company_id=company_id,
            manager=request.user,
            outcome=code,
            note=data.get("note", ""),
            callback_on=callback_on,
            contact_person=data.get("contact_person", "") if code == Outcome.INTERESTED else "",
            lead_phone=data.get("lead_phone", "") if code == Outcome.INTERESTED else "",
            lead_email=data.get("lead_email", "") if code == Outcome.INTERESTED else "",
        )
        return _("Збережено: «%(outcome)s» — %(company)s.") % {
            "outcome": Outcome(code).label,
            "company": company,
        }

    return _act(request, slug, company_id, act)


@require_POST
@login_required
def attempt(request: HttpRequest, slug: str, company_id: int, code: str) -> HttpResponse:
    """Keys Q–I: a call that reached no decision; the retry is scheduled by the service."""

    def act(project: Project) -> str:
        data = request.POST
        item = record_attempt(
            project=project,
            company_id=company_id,
            manager=request.user,
            result=code,
            note=data.get("note", ""),
            phone_id=parse_phone_id(data) if code in BAD_NUMBER_RESULTS else None,
            call_back_at=parse_call_back_at(data, now=timezone.now())
            if code == AttemptResult.CALL_BACK_AT
            else None,
        )
        return _("Спробу записано: «%(result)s» — %(company)s.") % {
            "result": AttemptResult(code).label,
            "company": item.company,
        }

    return _act(request, slug, company_id, act)


@require_POST
@login_required
def note(request: HttpRequest, slug: str, company_id: int) -> HttpResponse:
    """Ctrl+Enter in the note: a line of the client history; the company stays on screen."""

    def act(project: Project) -> str:
        try:
            company = add_note(
                project=project,
                company_id=company_id,
                manager=request.user,
                text=request.POST.get("note", ""),
            )
        except Company.DoesNotExist:
            raise Http404 from None
        return _("Нотатку збережено — %(company)s.") % {"company": company}

    return _act(request, slug, company_id, act)


@require_POST
@login_required
def skip(request: HttpRequest, slug: str) -> HttpResponse:
    """S: pass over the held company (it goes back to the others) and take the next one."""
    project = desk_project(request, slug)
    try:
        following = claim_next(project=project, manager=request.user)
    except QueueStopped as error:
        return _stopped(request, project, error.message)
    except NotAssigned as error:
        return _stopped(request, project, error.message, status=403)
    if following is None:  # the desk takes the skipped company again, if it is still due
        messages.info(request, MSG_NOTHING_ELSE_DUE)
    else:
        messages.info(request, _("Компанію пропущено: вона повернулася в чергу."))
    return redirect("desk:desk", slug=project.slug)

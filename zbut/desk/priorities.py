"""The coordinator's priorities: a weight per category and/or region, heavier called first.

Setting a weight re-weighs the waiting queue at once, so the next claim already follows it.
No history event is written: the event log is the client history of companies and projects'
milestones, and a priority changes neither; a structured log line records who changed what.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from zbut.accounts.models import User
from zbut.desk.errors import DeskError
from zbut.desk.models import Priority, QueueItem, QueueState
from zbut.desk.queue import _priority_weights, _weight
from zbut.projects.models import Project

logger = logging.getLogger(__name__)

MIN_WEIGHT, MAX_WEIGHT = -100, 100


class PriorityErrorCode:
    SCOPE_NEEDED = "priority_scope_needed"
    WEIGHT_OUT_OF_RANGE = "priority_weight_out_of_range"


MSG_SCOPE_NEEDED = _("Вкажіть категорію, регіон або обидва.")
MSG_WEIGHT_OUT_OF_RANGE = _("Вага має бути цілим числом від %(low)s до %(high)s.")


def weight_error() -> str:
    return str(MSG_WEIGHT_OUT_OF_RANGE) % {"low": MIN_WEIGHT, "high": MAX_WEIGHT}


@transaction.atomic(durable=True)
def set_priority(
    *, project: Project, category: str, region: str, weight: int, actor: User
) -> Priority | None:
    """Save the weight of a category/region (0 removes the rule) and re-weigh the waiting
    queue items it touches; returns the rule, or None when it was removed."""
    category, region = " ".join(category.split()), " ".join(region.split())
    if not category and not region:
        raise DeskError(PriorityErrorCode.SCOPE_NEEDED, str(MSG_SCOPE_NEEDED))
    if not MIN_WEIGHT <= weight <= MAX_WEIGHT:
        raise DeskError(PriorityErrorCode.WEIGHT_OUT_OF_RANGE, weight_error())
    rule: Priority | None = None
    if weight:
        rule, _created = Priority.objects.update_or_create(
            project=project,
            category=category,
            region=region,
            defaults={"weight": weight, "client_id": project.client_id},
        )
    else:
        Priority.objects.filter(project=project, category=category, region=region).delete()
    changed = reweigh_queue(project=project, category=category, region=region)
    logger.info(
        "desk_priority_set project=%s actor=%s weight=%s items=%s",
        project.pk,
        actor.pk,
        weight,
        changed,
    )
    return rule


def reweigh_queue(*, project: Project, category: str, region: str) -> int:
    """Give the waiting items of a category/region the weight the most specific rule says:
    one UPDATE per distinct (category, region) pair, never one per company."""
    weights = _priority_weights(project)
    waiting = QueueItem.objects.filter(project=project, state=QueueState.QUEUED)
    if category:
        waiting = waiting.filter(company__category=category)
    if region:
        waiting = waiting.filter(company__region=region)
    pairs = waiting.values_list("company__category", "company__region").distinct().order_by()
    changed = 0
    for pair_category, pair_region in list(pairs):
        changed += waiting.filter(
            company__category=pair_category, company__region=pair_region
        ).update(priority=_weight(weights, pair_category, pair_region))
    return changed

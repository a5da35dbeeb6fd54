"""What reaches companies by machine, and the do-not-contact list every channel obeys."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zbut.accounts.models import Client
from zbut.bases.models import Company


class BlockKind(models.TextChoices):
    COMPANY = "company", _("Компанія")
    PHONE = "phone", _("Телефон")
    EMAIL = "email", _("E-mail")


class DoNotContact(models.Model):
    """A company, phone or e-mail that no channel of the client's projects may contact again.

    Kept per client, not per project: a company that refused rudely in one project of the
    client is not called by the client's next project either (ARCHITECTURE.md invariant 4).
    """

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="do_not_contact", db_index=False
    )
    kind = models.CharField(max_length=10, choices=BlockKind.choices)
    value = models.CharField(max_length=254)  # company id, E.164 number or lower-case e-mail
    company = models.ForeignKey(
        Company, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("причина"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("не контактувати")
        verbose_name_plural = _("не контактувати")
        constraints = [
            models.UniqueConstraint(fields=["client", "kind", "value"], name="dnc_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"

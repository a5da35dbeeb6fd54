"""Where a client's hot leads go: its Bitrix24, its webhooks, its people; and each transfer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zbut.accounts.models import Client
from zbut.bases.models import Company
from zbut.core.crypto import decrypt, encrypt
from zbut.projects.models import Project


class Bitrix24Connection(models.Model):
    """The client's Bitrix24 inbound webhook (encrypted at rest) and how leads are filled in."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="bitrix24")
    webhook_url_encrypted = models.TextField()
    portal = models.CharField(_("портал"), max_length=255)  # the URL with its token masked
    assigned_by_id = models.PositiveIntegerField(_("відповідальний у Bitrix24 (ID)"), null=True,
                                                 blank=True)  # fmt: skip
    # Extra crm.lead.add fields the client wants on every lead, e.g. {"UF_CRM_AGENCY": "Zbut"}.
    extra_fields = models.JSONField(_("додаткові поля"), default=dict, blank=True)
    enabled = models.BooleanField(_("увімкнено"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("підключення Bitrix24")
        verbose_name_plural = _("підключення Bitrix24")

    def __str__(self) -> str:
        return self.portal

    @property
    def webhook_url(self) -> str:
        return decrypt(self.webhook_url_encrypted)


class WebhookEndpoint(models.Model):
    """A client's HTTPS endpoint that receives each transfer as signed JSON."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("адреса"), max_length=500)
    secret_encrypted = models.TextField()
    previous_secret_encrypted = models.TextField(blank=True)  # still signed with after rotation
    rotated_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(_("активний"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("вебхук")
        verbose_name_plural = _("вебхуки")

    def __str__(self) -> str:
        return self.url

    @property
    def secrets(self) -> list[str]:
        """The current secret first, then the previous one during a rotation."""
        found = [decrypt(self.secret_encrypted)]
        if self.previous_secret_encrypted:
            found.append(decrypt(self.previous_secret_encrypted))
        return found

    def set_secret(self, secret: str) -> None:
        self.secret_encrypted = encrypt(secret)


class LeadRecipient(models.Model):
    """A person of the client who gets every hot lead by e-mail."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="lead_recipients", db_index=False
    )
    name = models.CharField(_("ім'я"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"))

    class Meta:
        verbose_name = _("отримувач лідів")
        verbose_name_plural = _("отримувачі лідів")
        constraints = [
            models.UniqueConstraint(fields=["client", "email"], name="lead_recipient_unique")
        ]

    def __str__(self) -> str:
        return self.email


class Transfer(models.Model):
    """Transfer (передача в режимі реального часу): one hot lead handed to its client."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="transfers")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="transfers")
    company = models.OneToOneField(Company, on_delete=models.PROTECT, related_name="transfer")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    lead = models.JSONField(default=dict)  # contact person, phone, e-mail as the manager took them
    bitrix24_lead_id = models.PositiveBigIntegerField(null=True, blank=True)
    bitrix24_duplicate = models.BooleanField(default=False)  # added to the client's existing lead

    class Meta:
        verbose_name = _("передача ліда")
        verbose_name_plural = _("передачі лідів")

    def __str__(self) -> str:
        return f"{self.company} → {self.client}"

"""API tokens: one per client user and purpose; only a SHA-256 hash of the key is stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A key a client's user gives to a script; it acts as its membership, read-only.

    The raw key is shown once when made. We keep its SHA-256 (a key has 256 random bits, so a
    plain hash is enough: nothing to brute-force) and a short prefix the owner recognises.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("назва"), max_length=100)
    prefix = models.CharField(_("початок ключа"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(_("останнє використання"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("відкликано"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-токен")
        verbose_name_plural = _("API-токени")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

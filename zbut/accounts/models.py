"""Agency, clients (the tenants), users and their memberships with roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zbut.accounts.identifiers import validate_edrpou


class Agency(models.Model):
    """The one agency this installation serves."""

    name = models.CharField(_("назва"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("агенція")
        verbose_name_plural = _("агенції")

    def __str__(self) -> str:
        return self.name


class Client(models.Model):
    """A company renting the sales department: the tenant every client row belongs to."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="clients")
    name = models.CharField(_("назва"), max_length=200)
    slug = models.SlugField(_("коротке ім'я"), max_length=60, unique=True)
    edrpou = models.CharField(_("ЄДРПОУ"), max_length=8, blank=True, validators=[validate_edrpou])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("клієнт")
        verbose_name_plural = _("клієнти")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in, identified by e-mail."""

    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("ім'я"), max_length=200, blank=True)
    is_active = models.BooleanField(_("активний"), default=True)
    is_staff = models.BooleanField(_("доступ до адмінки"), default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("користувач")
        verbose_name_plural = _("користувачі")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name or self.email).split(" ")[0]


class Role(models.TextChoices):
    ADMIN = "admin", _("Адміністратор агенції")
    COORDINATOR = "coordinator", _("Координатор продаж")
    MANAGER = "manager", _("Менеджер з продажу")
    OWNER = "owner", _("Власник (клієнт)")
    VIEWER = "viewer", _("Глядач (клієнт)")


AGENCY_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.MANAGER})
CLIENT_ROLES = frozenset({Role.OWNER, Role.VIEWER})


class Membership(models.Model):
    """Binds a user to the agency (client empty) or to one client, with a role."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", db_index=False
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    role = models.CharField(_("роль"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("членство")
        verbose_name_plural = _("членства")
        constraints = [
            models.CheckConstraint(
                name="membership_role_matches_scope",
                condition=(
                    Q(client__isnull=True, role__in=["admin", "coordinator", "manager"])
                    | Q(client__isnull=False, role__in=["owner", "viewer"])
                ),
            ),
            models.UniqueConstraint(fields=["user", "client"], name="membership_one_per_client"),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(client__isnull=True),
                name="membership_one_agency_role",
            ),
        ]

    def __str__(self) -> str:
        scope = self.client.name if self.client_id else _("агенція")
        return f"{self.user} · {self.get_role_display()} · {scope}"

    @property
    def is_agency(self) -> bool:
        return self.client_id is None

    @property
    def is_client(self) -> bool:
        return self.client_id is not None

    @property
    def can_manage_agency(self) -> bool:
        return self.role in {Role.ADMIN, Role.COORDINATOR}

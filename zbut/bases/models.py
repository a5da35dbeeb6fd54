"""Companies in a project's base, with their phones and e-mails.

The current outcome, contact count, last contact and next callback are derived from the
company's events and kept here for speed; only services that also record the event change them.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zbut.accounts.models import Client
from zbut.bases.outcomes import Outcome
from zbut.projects.models import Phase, Project


class BaseState(models.TextChoices):
    """Where a company stands in the base agreement (узгодження бази).

    NEW after import; PROPOSED once the coordinator sends it to the client; APPROVED when the
    client's owner approves the base; EXCLUDED when the owner strikes it out with a reason.
    Only APPROVED companies enter the managers' queue (issue 5): the desk must filter on it.
    """

    NEW = "new", _("Нова")
    PROPOSED = "proposed", _("На узгодженні")
    APPROVED = "approved", _("Узгоджена")
    EXCLUDED = "excluded", _("Виключена клієнтом")


# IMPORT_WRITTEN: the references an import writes for each of its rows (a company's project;
# a phone's, an e-mail's and an import issue's company; an issue's import) are not checked by
# the database, as an event's are not (zbut.history.models). Each check is a lookup and a row
# lock: 300 000 of them for an import of 100 000 rows, 1.7 s of PostgreSQL's one backend that
# the import waits for. What they would catch cannot happen: these rows are written only by
# this app's services, with the ids of rows of the same transaction; a company or a project
# with events cannot be deleted (PROTECT), no code deletes an import, and the ORM cascades
# the rest.


class Company(models.Model):
    # The project's client, copied for tenancy checks. The database checks the project, not
    # this copy, and nothing looks companies up by client: neither a foreign-key constraint
    # nor an index, which every imported company would pay for (84 000 checks per import).
    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        related_name="companies",
        db_index=False,
        db_constraint=False,
    )
    # No index of its own: every index of Meta.indexes starts with the project. (An index is
    # paid for by every insert: an import writes 100 000 companies.) Not checked by the
    # database either, nor are the references to a company below (``IMPORT_WRITTEN``).
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        related_name="companies",
        db_index=False,
        db_constraint=False,
    )
    name = models.CharField(_("назва"), max_length=300)
    legal_form = models.CharField(_("організаційно-правова форма"), max_length=20, blank=True)
    edrpou = models.CharField(_("ЄДРПОУ"), max_length=10, blank=True)
    address = models.CharField(_("адреса"), max_length=500, blank=True)
    region = models.CharField(_("регіон"), max_length=100, blank=True)
    category = models.CharField(_("категорія"), max_length=200, blank=True)
    source = models.CharField(_("джерело"), max_length=100, blank=True)
    contact_person = models.CharField(_("контактна особа"), max_length=200, blank=True)
    extra = models.JSONField(_("інші атрибути"), default=dict, blank=True)
    base_state = models.CharField(
        _("стан у базі"), max_length=10, choices=BaseState.choices, default=BaseState.NEW
    )
    # Set when a company is sent for agreement or planned for a phase, never by an import: their
    # indexes are partial (Meta), so the companies an import writes are not in them.
    agreement = models.ForeignKey(
        "BaseAgreement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="companies",
        db_index=False,
    )
    excluded_reason = models.CharField(_("причина виключення"), max_length=200, blank=True)
    # The phase whose base the company was agreed for: it is not called before that phase.
    planned_phase = models.ForeignKey(
        Phase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="planned_companies",
        verbose_name=_("фаза"),
        db_index=False,
    )
    # Derived from the events, kept beside them for speed.
    outcome = models.CharField(_("тип клієнта"), max_length=20, choices=Outcome.choices, blank=True)
    contact_count = models.PositiveIntegerField(_("кількість контактувань"), default=0)
    last_contact_at = models.DateTimeField(_("останній контакт"), null=True, blank=True)
    next_callback_on = models.DateField(_("наступний передзвін"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("компанія")
        verbose_name_plural = _("компанії")
        indexes = [
            models.Index(fields=["project", "outcome"], name="company_project_outcome"),
            # Partial, as the agreement's and the phase's below: a company not yet contacted,
            # as every imported one, is in neither index, and every query of them asks for a
            # range of dates, which a NULL is never in.
            models.Index(
                fields=["project", "last_contact_at"],
                name="company_project_contact",
                condition=Q(last_contact_at__isnull=False),
            ),
            models.Index(
                fields=["project", "next_callback_on"],
                name="company_project_callback",
                condition=Q(next_callback_on__isnull=False),
            ),
            models.Index(fields=["project", "edrpou"], name="company_project_edrpou"),
            models.Index(fields=["project", "base_state"], name="company_project_base_state"),
            models.Index(
                fields=["agreement"],
                name="company_agreement",
                condition=Q(agreement__isnull=False),
            ),
            models.Index(
                fields=["planned_phase"],
                name="company_planned_phase",
                condition=Q(planned_phase__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.legal_form} {self.name}".strip()


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", _("Мобільний")
    LANDLINE = "landline", _("Стаціонарний")
    OTHER = "other", _("Інший")


class CompanyPhone(models.Model):
    # Neither foreign key has an index of its own: the unique constraint starts with the
    # company and the number index with the client. The client is the company's, copied here
    # so that a client's numbers are found without a join; the database checks the company
    # (a foreign key), not the copy: one check fewer for each of an import's 150 000 phones.
    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        related_name="company_phones",
        db_index=False,
        db_constraint=False,
    )
    company = models.ForeignKey(  # not checked by the database: IMPORT_WRITTEN
        Company,
        on_delete=models.CASCADE,
        related_name="phones",
        db_index=False,
        db_constraint=False,
    )
    e164 = models.CharField(_("номер (E.164)"), max_length=16)
    extension = models.CharField(_("додатковий"), max_length=10, blank=True)
    kind = models.CharField(_("вид"), max_length=10, choices=PhoneKind.choices)
    operator = models.CharField(_("оператор"), max_length=40, blank=True)
    is_bad = models.BooleanField(_("недійсний"), default=False)

    class Meta:
        verbose_name = _("телефон")
        verbose_name_plural = _("телефони")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "e164", "extension"], name="company_phone_unique"
            ),
            models.CheckConstraint(name="phone_is_e164", condition=Q(e164__startswith="+")),
        ]
        indexes = [models.Index(fields=["client", "e164"], name="phone_client_number")]

    def __str__(self) -> str:
        return f"{self.e164} доб. {self.extension}" if self.extension else self.e164


class CompanyEmail(models.Model):
    # Indexed and checked as the phones are: the client is a copy of the company's.
    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        related_name="company_emails",
        db_index=False,
        db_constraint=False,
    )
    company = models.ForeignKey(  # not checked by the database: IMPORT_WRITTEN
        Company,
        on_delete=models.CASCADE,
        related_name="emails",
        db_index=False,
        db_constraint=False,
    )
    address = models.EmailField(_("e-mail"))

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mail")
        constraints = [
            models.UniqueConstraint(fields=["company", "address"], name="company_email_unique"),
        ]
        indexes = [models.Index(fields=["client", "address"], name="email_client_address")]

    def __str__(self) -> str:
        return self.address


class ImportState(models.TextChoices):
    MAPPING = "mapping", _("Зіставлення колонок")
    QUEUED = "queued", _("У черзі")
    RUNNING = "running", _("Виконується")
    DONE = "done", _("Завершено")
    FAILED = "failed", _("Помилка")


class BaseImport(models.Model):
    """One upload of a base file into a project, from mapping to its report."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="base_imports")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="base_imports")
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, related_name="base_imports"
    )
    file_name = models.CharField(_("файл"), max_length=255)
    stored_path = models.CharField(max_length=500)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)  # column index (as text) → Field value
    state = models.CharField(
        max_length=10, choices=ImportState.choices, default=ImportState.MAPPING
    )
    rows = models.PositiveIntegerField(default=0)
    rows_read = models.PositiveIntegerField(default=0)  # progress while running
    imported = models.PositiveIntegerField(default=0)
    merged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    possible_duplicates = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("імпорт бази")
        verbose_name_plural = _("імпорти баз")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} → {self.project}"


class IssueKind(models.TextChoices):
    REJECTED = "rejected", _("Відхилено")
    MERGED = "merged", _("Об'єднано")
    POSSIBLE_DUPLICATE = "possible_duplicate", _("Можливий дублікат")


class ImportIssue(models.Model):
    """A row of an import that was not simply imported: rejected, merged or flagged."""

    # A copy of the import's client (which the database checks), as on the phones.
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="import_issues", db_constraint=False
    )
    # Indexed by import_issue_kind, which starts with it; neither reference is checked by the
    # database (IMPORT_WRITTEN).
    base_import = models.ForeignKey(
        BaseImport,
        on_delete=models.CASCADE,
        related_name="issues",
        db_index=False,
        db_constraint=False,
    )
    row_number = models.PositiveIntegerField()  # 1 is the header: data starts at 2, as in Excel
    kind = models.CharField(max_length=20, choices=IssueKind.choices)
    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="import_issues",
        db_constraint=False,
    )
    reason_code = models.CharField(max_length=40, blank=True)
    reason_uk = models.CharField(max_length=300, blank=True)
    reason_en = models.CharField(max_length=300, blank=True)
    cells = models.JSONField(default=list)  # the source row as read, for the rejected-rows CSV

    class Meta:
        ordering = ["row_number", "id"]
        indexes = [models.Index(fields=["base_import", "kind"], name="import_issue_kind")]

    def __str__(self) -> str:
        return f"#{self.row_number} {self.kind}"


class AgreementState(models.TextChoices):
    SENT = "sent", _("На узгодженні")
    APPROVED = "approved", _("Узгоджено")


class BaseAgreement(models.Model):
    """A base (or a slice of it) sent to the client to agree: узгодження бази."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="base_agreements")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="base_agreements")
    category = models.CharField(_("категорія"), max_length=200, blank=True)
    region = models.CharField(_("регіон"), max_length=100, blank=True)
    phase = models.ForeignKey(
        Phase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="base_agreements",
        verbose_name=_("фаза"),
    )
    state = models.CharField(
        max_length=10, choices=AgreementState.choices, default=AgreementState.SENT
    )
    proposed = models.PositiveIntegerField(_("надіслано компаній"), default=0)
    approved = models.PositiveIntegerField(_("узгоджено компаній"), default=0)
    excluded = models.PositiveIntegerField(_("виключено компаній"), default=0)
    sent_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="sent_agreements"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_agreements",
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("узгодження бази")
        verbose_name_plural = _("узгодження бази")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project} · {self.sent_at:%d.%m.%Y}"

    @property
    def is_open(self) -> bool:
        return self.state == AgreementState.SENT

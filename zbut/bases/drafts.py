"""Companies as they enter a base, already normalised: what the import and the demo build."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from zbut.bases.models import PhoneKind


@dataclass(frozen=True, slots=True)
class PhoneDraft:
    e164: str
    kind: PhoneKind = PhoneKind.OTHER
    operator: str = ""
    extension: str = ""


@dataclass(frozen=True, slots=True)  # slots: an import holds 100 000 of them
class CompanyDraft:
    """A company as it enters the base, already normalised."""

    name: str
    legal_form: str = ""
    edrpou: str = ""
    address: str = ""
    region: str = ""
    category: str = ""
    source: str = ""
    contact_person: str = ""
    phones: Sequence[PhoneDraft] = ()
    emails: Sequence[str] = ()
    extra: dict[str, Any] = field(default_factory=dict)

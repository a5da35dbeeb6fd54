"""Pure generators of realistic Ukrainian companies for the demo base (no database).

Everything is drawn from one seeded ``random.Random`` and one seeded Faker, company after
company, so the first N companies of a larger base are the same N companies: topping a base
up later adds new ones and never changes the old.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from typing import TypeVar

from faker import Faker
from stdnum.ua import edrpou

from zbut.bases.models import PhoneKind
from zbut.bases.services import CompanyDraft, PhoneDraft
from zbut.demo.catalogue import (
    EMAIL_LOCAL_PARTS,
    EMAIL_ZONES,
    LATIN_NAMES,
    LEGAL_ENTITY_FORMS,
    LEGAL_FORMS,
    MOBILE_OPERATORS,
    NAME_ROOTS,
    NAME_SUFFIXES,
    OBLASTS,
    PLACE_WORDS,
    POSITIONS,
    STREETS,
    VILLAGES,
    Category,
    City,
    Oblast,
)

T = TypeVar("T")

SOURCE = "youcontrol"
EDRPOU_SHARE = 0.92  # the rest of the legal entities came without a code, as real bases do

# The national transliteration (Cabinet of Ministers resolution No. 55, 2010), lower case.
_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia", "'": "", "ʼ": "", "’": "",
}  # fmt: skip
# At the start of a word these letters are written differently.
_TRANSLIT_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}


def transliterate(text: str) -> str:
    """Ukrainian text in Latin letters, lower case (Latin letters pass through)."""
    out = []
    previous_is_letter = False
    for char in text.lower():
        if not previous_is_letter and char in _TRANSLIT_INITIAL:
            out.append(_TRANSLIT_INITIAL[char])
        else:
            out.append(_TRANSLIT.get(char, char))
        previous_is_letter = char.isalpha()
    return "".join(out)


def domain_label(name: str) -> str:
    """A domain name label from a company name: «Агро-Світло Україна» → agro-svitlo-ukraina."""
    label = re.sub(r"[^a-z0-9]+", "-", transliterate(name)).strip("-")
    return label[:40].rstrip("-") or "company"


def valid_edrpou(rng: random.Random) -> str:
    """An 8-digit ЄДРПОУ whose check digit is right (stdnum.ua.edrpou accepts it)."""
    first_seven = f"{rng.choice('0123444')}{rng.randrange(10**6):06d}"
    return first_seven + edrpou.calc_check_digit(first_seven)


def mobile_phone(rng: random.Random) -> PhoneDraft:
    operator, codes = _weighted(rng, [((o, c), w) for o, c, w in MOBILE_OPERATORS])
    number = f"+380{rng.choice(codes)}{rng.randrange(10**7):07d}"
    return PhoneDraft(e164=number, kind=PhoneKind.MOBILE, operator=operator)


def landline_phone(rng: random.Random, city: City) -> PhoneDraft:
    digits = 9 - len(city.area_code)
    first = rng.randrange(2, 8)  # subscriber numbers start with 2–7
    number = f"+380{city.area_code}{first}{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"
    return PhoneDraft(e164=number, kind=PhoneKind.LANDLINE)


class CompanyGenerator:
    """Draws one company after another; names stay unique within one generator."""

    def __init__(self, *, seed: int, categories: Sequence[Category]) -> None:
        self.rng = random.Random(seed)
        self.faker = Faker("uk_UA")
        self.faker.seed_instance(seed)
        self.categories = tuple(categories)
        self._names: set[str] = set()

    def companies(self, count: int) -> list[CompanyDraft]:
        return [self.company() for _ in range(count)]

    def company(self) -> CompanyDraft:
        rng = self.rng
        category = _weighted(rng, [(c, c.weight) for c in self.categories])
        family = category.family if category.family in LEGAL_FORMS else "default"
        legal_form = _weighted(rng, list(LEGAL_FORMS[family]))
        oblast = _weighted(rng, [(o, o.weight) for o in OBLASTS])
        city = rng.choice(oblast.cities)
        person = self.person_name()
        # A ФОП is a person: the register names it by the person's full name, without quotes.
        name = person if legal_form == "ФОП" else f"«{self._unique(self.brand(category))}»"
        has_code = legal_form in LEGAL_ENTITY_FORMS and rng.random() < EDRPOU_SHARE
        extra = {"position": _weighted(rng, list(POSITIONS))}
        zone = rng.choice(EMAIL_ZONES)
        emails = self.emails(name, zone)
        if rng.random() < 0.6:
            extra["website"] = f"https://{domain_label(name)}{zone}"
        return CompanyDraft(
            name=name,
            legal_form=legal_form,
            edrpou=valid_edrpou(rng) if has_code else "",
            address=self.address(oblast, city, rural=category.family in {"farm", "agro"}),
            region=oblast.region,
            category=category.label,
            source=SOURCE,
            contact_person=person,
            phones=self.phones(city),
            emails=emails,
            extra=extra,
        )

    def person_name(self) -> str:
        """Прізвище Ім'я По батькові, as Ukrainian registers write a person."""
        f = self.faker
        if self.rng.random() < 0.68:
            return f"{f.last_name_male()} {f.first_name_male()} {f.middle_name_male()}"
        return f"{f.last_name_female()} {f.first_name_female()} {f.middle_name_female()}"

    def brand(self, category: Category) -> str:
        rng = self.rng
        roots = NAME_ROOTS.get(category.family, NAME_ROOTS["trade"])
        pattern = rng.random()
        if category.family == "farm":
            if pattern < 0.45:
                return rng.choice(roots)
            if pattern < 0.75:
                return f"{rng.choice(roots)}-{rng.choice(PLACE_WORDS)}"
            return self.faker.last_name_male()
        if pattern < 0.42:
            return f"{rng.choice(roots)}{rng.choice(NAME_SUFFIXES)}"
        if pattern < 0.66:
            return f"{rng.choice(roots)}-{rng.choice(PLACE_WORDS)}"
        if pattern < 0.84:
            return f"{rng.choice(roots)}{rng.choice(NAME_SUFFIXES)}-{rng.choice(PLACE_WORDS)}"
        if pattern < 0.91:
            return f"{self.faker.last_name_male()} і партнери"
        return rng.choice(LATIN_NAMES)

    def address(self, oblast: Oblast, city: City, *, rural: bool) -> str:
        rng = self.rng
        street_kind, street = rng.choice(STREETS)
        building = str(rng.randrange(1, 180))
        if rng.random() < 0.12:
            building += rng.choice("абв")
        if rural and rng.random() < 0.6:
            postcode = oblast.villages_postcode + rng.randrange(90)
            place = f"с. {rng.choice(VILLAGES)}"
        else:
            postcode = city.postcode + rng.randrange(city.postcode_span + 1)
            place = f"м. {city.name}"
        office = f", оф. {rng.randrange(1, 420)}" if not rural and rng.random() < 0.3 else ""
        return (
            f"{postcode:05d}, Україна, {oblast.address_part}{place}, "
            f"{street_kind} {street}, {building}{office}"
        )

    def phones(self, city: City) -> list[PhoneDraft]:
        rng = self.rng
        count = _weighted(rng, [(1, 50), (2, 35), (3, 15)])
        phones: dict[str, PhoneDraft] = {}
        while len(phones) < count:
            if city.area_code and rng.random() < (0.55 if not phones else 0.2):
                phone = landline_phone(rng, city)
            else:
                phone = mobile_phone(rng)
            phones[phone.e164] = phone
        return list(phones.values())

    def emails(self, name: str, zone: str) -> list[str]:
        rng = self.rng
        count = _weighted(rng, [(0, 12), (1, 68), (2, 20)])
        label = domain_label(name)
        if rng.random() < 0.2:
            domain = rng.choice(("ukr.net", "i.ua", "gmail.com"))
            locals_ = [label.replace("-", "_")[:30], f"{label[:24]}.office"]
        else:
            domain = f"{label}{zone}"
            locals_ = rng.sample(EMAIL_LOCAL_PARTS, 2)
        return [f"{local}@{domain}" for local in locals_[:count]]

    def _unique(self, brand: str) -> str:
        candidate, n = brand, 1
        while candidate in self._names:
            n += 1
            candidate = f"{brand} {n}" if n > 2 else f"{brand} Плюс"
        self._names.add(candidate)
        return candidate


def _weighted(rng: random.Random, options: Sequence[tuple[T, float]]) -> T:
    values = [value for value, _ in options]
    weights = [weight for _, weight in options]
    return rng.choices(values, weights=weights)[0]

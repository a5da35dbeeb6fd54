"""A realistic messy base file for the import benchmark: cp1251, `;`, Ukrainian headers.

`python -m bench.basegen OUT.csv [--rows N] [--seed S]` (needs Django settings: the demo
generators are used for the companies). Deterministic by seed: the same rows, byte for byte.

Of the rows, about 85 % are companies seen for the first time, 10 % are earlier companies
written again under another spelling (the same ЄДРПОУ, or the same name spelled otherwise
sharing a phone or an e-mail), and 5 % are bad (no name, no contact, phones a spreadsheet
turned into `3.80673E+11`, garbage). Names carry their legal form written every way (ТОВ,
ТзОВ, in full, in Russian, after the name), every kind of quote, ALL CAPS and Latin look-alike
letters; phones are written every way a Ukrainian office writes them, several to a cell.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Iterator
from pathlib import Path

HEADER = (
    "Назва",
    "Адреса",
    "Телефони",
    "Контактна особа",
    "Email",
    "Джерело",
    "Категорія",
    "ЄДРПОУ",
    "Сайт",
    "Примітка",
)
SEED = 4_10
DUPLICATE_SHARE = 0.10
BAD_SHARE = 0.05

# How bases spell each form the demo draws (a spelling, its weight).
FORM_SPELLINGS: dict[str, tuple[tuple[str, float], ...]] = {
    "ТОВ": (
        ("ТОВ", 50), ("ТзОВ", 10), ("Товариство з обмеженою відповідальністю", 12),
        ("ООО", 12), ("Т.О.В.", 3), ("TOB", 3), ("товариство з обмеженою відповідальністю", 3),
        ("Общество с ограниченной ответственностью", 4), ("LLC", 3),
    ),
    "ПП": (("ПП", 60), ("Приватне підприємство", 20), ("ЧП", 15), ("П.П.", 5)),
    "ПрАТ": (("ПрАТ", 50), ("ЗАТ", 15), ("ЧАО", 10), ("Приватне акціонерне товариство", 25)),
    "АТ": (("АТ", 60), ("АО", 20), ("Акціонерне товариство", 20)),
    "ДП": (("ДП", 60), ("Державне підприємство", 25), ("Дочірнє підприємство", 15)),
    "ФГ": (("ФГ", 55), ("СФГ", 15), ("Фермерське господарство", 25), ("ФХ", 5)),
    "ФОП": (("ФОП", 60), ("ФО-П", 15), ("СПД", 10), ("Фізична особа-підприємець", 15)),
}  # fmt: skip
FORM_SPELLINGS["ТзОВ"] = FORM_SPELLINGS["ТОВ"]
QUOTES = (("«", "»", 50), ('"', '"', 25), ("“", "”", 8), ("'", "'", 5), ("", "", 12))
LOOKALIKES = str.maketrans({"а": "a", "о": "o", "с": "c", "і": "i", "е": "e", "р": "p"})
SOURCES = (("youcontrol", 40), ("opendatabot", 20), ("", 25), ("виставка АгроЕкспо", 15))
NOTES = ("", "", "", "", "", "передзвонити", "клієнт конкурента", "тендер у березні", "-")
GARBAGE = ("#N/A", "???", "-----", "NULL", "0", "test", "=СУММ(A1:A3)", "…")
BAD_CODES = ("#N/A", "???", "-", "0", "3.28556E+7", "1234567", "н/д")  # <= 10 characters
SEPARATORS = ((", ", 40), ("; ", 30), (" / ", 15), ("\n", 15))


def generate(path: Path, *, rows: int, seed: int = SEED) -> dict[str, int]:
    """Write the file; returns how many rows of each kind it holds."""
    counts = {"rows": 0, "new": 0, "duplicates": 0, "bad": 0}
    with path.open("w", encoding="cp1251", errors="replace", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        for kind, cells in _rows(rows, seed):
            writer.writerow(cells)
            counts["rows"] += 1
            counts[kind] += 1
    return counts


def _rows(total: int, seed: int) -> Iterator[tuple[str, list[str]]]:
    from zbut.demo.catalogue import LIGHTING_CATEGORIES, LOGISTICS_CATEGORIES
    from zbut.demo.generators import CompanyGenerator

    rng = random.Random(seed)
    companies = CompanyGenerator(seed=seed, categories=LIGHTING_CATEGORIES + LOGISTICS_CATEGORIES)
    seen: list = []
    for _ in range(total):
        roll = rng.random()
        if roll < BAD_SHARE:
            yield "bad", _bad_row(rng, companies.company())
        elif roll < BAD_SHARE + DUPLICATE_SHARE and seen:
            yield "duplicates", _duplicate_row(rng, rng.choice(seen))
        else:
            draft = companies.company()
            seen.append(draft)
            yield "new", _row(rng, draft)


def _row(rng: random.Random, draft, *, phones=None, emails=None, edrpou=None) -> list[str]:
    phones = draft.phones if phones is None else phones
    emails = draft.emails if emails is None else emails
    website = draft.extra.get("website", "")
    return [
        _name(rng, draft.legal_form, draft.name),
        draft.address if rng.random() < 0.8 else _short_address(draft.address),
        _join(rng, [_phone(rng, p.e164, p.kind) for p in phones]),
        draft.contact_person if rng.random() < 0.7 else "",
        _join_emails(rng, emails),
        _weighted(rng, SOURCES),
        draft.category,
        _edrpou(rng, draft.edrpou if edrpou is None else edrpou),
        website.removeprefix("https://") if rng.random() < 0.5 else website,
        rng.choice(NOTES),
    ]


def _duplicate_row(rng: random.Random, draft) -> list[str]:
    """An earlier company again: by its ЄДРПОУ, or by its name sharing a phone or an e-mail."""
    if draft.edrpou and rng.random() < 0.5:
        return _row(rng, draft, phones=draft.phones[:1], emails=())
    if draft.emails and (not draft.phones or rng.random() < 0.3):
        return _row(rng, draft, phones=(), emails=[draft.emails[0].upper()], edrpou="")
    phones = list(draft.phones[:1])
    if rng.random() < 0.4:
        from zbut.demo.generators import mobile_phone

        phones.append(mobile_phone(rng))  # a new number: the merge adds it to the company
    return _row(rng, draft, phones=phones, emails=draft.emails[1:], edrpou="")


def _bad_row(rng: random.Random, draft) -> list[str]:
    row = _row(rng, draft)
    trouble = rng.random()
    if trouble < 0.3:
        row[0] = ""  # no name
    elif trouble < 0.6:
        row[2], row[4] = "", rng.choice(("", "не вказано", "немає"))  # no contact
    elif trouble < 0.8:
        digits = draft.phones[0].e164[1:]
        row[2] = f"{digits[0]}.{digits[1:6]}E+{len(digits) - 1}"  # the spreadsheet's float
        row[4] = ""
    else:
        row[2], row[4] = rng.choice(GARBAGE), rng.choice(GARBAGE)
        row[7] = rng.choice(BAD_CODES)
    return row


def _name(rng: random.Random, legal_form: str, name: str) -> str:
    opening, closing, _weight = rng.choices(QUOTES, weights=[q[2] for q in QUOTES])[0]
    bare = name.strip("«»")
    if legal_form == "ФОП":
        opening = closing = ""
    if rng.random() < 0.04:
        bare = bare.translate(LOOKALIKES)  # typed on a mixed keyboard
    spellings = FORM_SPELLINGS.get(legal_form)
    form = _weighted(rng, spellings) if spellings else legal_form
    if rng.random() < 0.12:
        text = f"{opening}{bare}{closing}, {form}"
    else:
        text = f"{form} {opening}{bare}{closing}"
    return text.upper() if rng.random() < 0.15 else text


def _phone(rng: random.Random, e164: str, kind: str) -> str:
    nsn = e164[4:]
    code, rest = nsn[:2], nsn[2:]
    groups = f"{rest[:3]}-{rest[3:5]}-{rest[5:]}"
    style = rng.randrange(12)
    text = (
        f"+38 (0{code}) {groups}",
        f"0{code} {rest[:3]} {rest[3:5]} {rest[5:]}",
        f"8 (0{code}) {groups}",
        f"380{nsn}",
        nsn,
        f"+380{nsn}",
        f"(0{code}){rest}",
        f"0{nsn}",
        f"+38 0{code} {rest[:3]} {rest[3:5]} {rest[5:]}",
        f"8-0{code}-{groups}",
        f"тел. 0{code}-{groups}",
        f"+38(0{code}){rest[:3]}-{rest[3:]}",
    )[style]
    if kind == "landline" and rng.random() < 0.15:
        text += f" {rng.choice(('доб.', 'вн.', 'доб'))} {rng.randrange(1, 400)}"
    return text


def _join(rng: random.Random, parts: list[str]) -> str:
    return _weighted(rng, SEPARATORS).join(parts)


def _join_emails(rng: random.Random, emails) -> str:
    text = rng.choice(("; ", ", ", " ")).join(emails)
    return text.upper() if rng.random() < 0.08 else text


def _edrpou(rng: random.Random, code: str) -> str:
    if not code:
        return ""
    roll = rng.random()
    if roll < 0.05:
        return code.lstrip("0") or code  # a numeric column dropped the leading zeros
    if roll < 0.07:
        return code[:-1] + str((int(code[-1]) + 1) % 10)  # a typo: the check digit fails
    return code


def _short_address(address: str) -> str:
    parts = [p for p in address.split(", ") if p.startswith(("м. ", "с. "))]
    return parts[0] if parts else address


def _weighted(rng: random.Random, options):
    return rng.choices([o[0] for o in options], weights=[o[1] for o in options])[0]


def main(argv: list[str] | None = None) -> None:
    import os

    parser = argparse.ArgumentParser(prog="python -m bench.basegen")
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zbut.settings")
    import django

    django.setup()
    print(generate(args.out, rows=args.rows, seed=args.seed))


if __name__ == "__main__":
    main()

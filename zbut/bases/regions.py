"""The region (область, or a city with special status) of a company, from its address.

Clients order bases by region and the desk reports by region, but bases rarely have a region
column: they have an address, written in Ukrainian or Russian, sometimes with a postal code.
The postal code decides when there is one; otherwise oblast names and the big cities do.
"""

from __future__ import annotations

import re
from functools import lru_cache

KYIV_CITY = "м. Київ"
SEVASTOPOL_CITY = "м. Севастополь"
CRIMEA = "АР Крим"

# The first two digits of a Ukrainian postal code name the region (Укрпошта's indexation rules;
# table as in https://en.wikipedia.org/wiki/Postal_codes_in_Ukraine, checked against the
# postindex.in.ua rules). 50 is Kryvyi Rih, inside Дніпропетровська's 49–53.
_POSTAL_RANGES: tuple[tuple[int, int, str], ...] = (
    (1, 6, KYIV_CITY),
    (7, 9, "Київська"),
    (10, 13, "Житомирська"),
    (14, 17, "Чернігівська"),
    (18, 20, "Черкаська"),
    (21, 24, "Вінницька"),
    (25, 28, "Кіровоградська"),
    (29, 32, "Хмельницька"),
    (33, 35, "Рівненська"),
    (36, 39, "Полтавська"),
    (40, 42, "Сумська"),
    (43, 45, "Волинська"),
    (46, 48, "Тернопільська"),
    (49, 53, "Дніпропетровська"),
    (54, 57, "Миколаївська"),
    (58, 60, "Чернівецька"),
    (61, 64, "Харківська"),
    (65, 68, "Одеська"),
    (69, 72, "Запорізька"),
    (73, 75, "Херсонська"),
    (76, 78, "Івано-Франківська"),
    (79, 82, "Львівська"),
    (83, 87, "Донецька"),
    (88, 90, "Закарпатська"),
    (91, 94, "Луганська"),
    (95, 98, CRIMEA),
    (99, 99, SEVASTOPOL_CITY),
)
REGION_BY_POSTAL_PREFIX: dict[str, str] = {
    f"{prefix:02d}": region
    for low, high, region in _POSTAL_RANGES
    for prefix in range(low, high + 1)
}

# Oblast adjective stems, Ukrainian and Russian, each read only before "обл" so that
# "вул. Київська" is not Київська область.
_OBLAST_STEMS: dict[str, str] = {
    "київськ|киевск": "Київська",
    "житомирськ|житомирск": "Житомирська",
    "чернігівськ|черниговск": "Чернігівська",
    "черкаськ|черкасск": "Черкаська",
    "вінницьк|винницк": "Вінницька",
    "кіровоградськ|кировоградск": "Кіровоградська",
    "хмельницьк|хмельницк": "Хмельницька",
    "рівненськ|ровенск|ровненск": "Рівненська",
    "полтавськ|полтавск": "Полтавська",
    "сумськ|сумск": "Сумська",
    "волинськ|волынск": "Волинська",
    "тернопільськ|тернопольск": "Тернопільська",
    "дніпропетровськ|днепропетровск|дніпровськ": "Дніпропетровська",
    "миколаївськ|николаевск": "Миколаївська",
    "чернівецьк|черновицк": "Чернівецька",
    "харківськ|харьковск": "Харківська",
    "одеськ|одесск": "Одеська",
    "запорізьк|запорожск": "Запорізька",
    "херсонськ|херсонск": "Херсонська",
    "івано-франківськ|ивано-франковск": "Івано-Франківська",
    "львівськ|львовск": "Львівська",
    "донецьк|донецк": "Донецька",
    "закарпатськ|закарпатск": "Закарпатська",
    "луганськ|луганск": "Луганська",
}
_OBLAST = re.compile(
    r"(?<!\w)(?:"
    + "|".join(f"(?P<o{i}>{stems})" for i, stems in enumerate(_OBLAST_STEMS))
    + r")\w*\s+обл",
    re.IGNORECASE,
)
_OBLAST_REGIONS = list(_OBLAST_STEMS.values())

# Cities whose name alone tells the region, Ukrainian and Russian, with the common case forms
# ("у Києві", "г. Киева"). The oblast centres and the largest other cities.
_CITIES: dict[str, str] = {
    r"ки[їє]в[аіу]?|киев[ау]?|kyiv|kiev": KYIV_CITY,
    r"севастопол[ьяю]": SEVASTOPOL_CITY,
    r"сімферопол[ьяі]|симферопол[ьяе]|керч|ялт[аіие]": CRIMEA,
    r"дніпр[оау]|дніпропетровськ|днепр|днепропетровск|кам[ʼ'’]?янськ[еий]|кривий ріг|кривой рог|"
    r"нікопол[ья]|никопол[ья]|павлоград": "Дніпропетровська",
    r"харк[іо]в|харьков": "Харківська",
    r"одес[аиі]|одесс[аыеу]": "Одеська",
    r"льв[іо]в|львов": "Львівська",
    r"запоріжж[яі]|запорожь[еяю]": "Запорізька",
    r"вінниц[яі]|винниц[аые]": "Вінницька",
    r"житомир": "Житомирська",
    r"чернігів|чернигов": "Чернігівська",
    r"черкас[иах]|черкасс[ыа]": "Черкаська",
    r"кропивницьк\w*|кировоград": "Кіровоградська",
    r"хмельницьк\w*|хмельницк\w*": "Хмельницька",
    r"рівне|ровно": "Рівненська",
    r"полтав[аіи]": "Полтавська",
    r"сум[иах]|сумы": "Сумська",
    r"луцьк|луцк": "Волинська",
    r"тернопіл[ья]|тернопол[ья]": "Тернопільська",
    r"миколаїв|николаев": "Миколаївська",
    r"чернівц[іях]|черновц[ыа]": "Чернівецька",
    r"херсон": "Херсонська",
    r"івано-франківськ|ивано-франковск": "Івано-Франківська",
    r"ужгород": "Закарпатська",
    r"маріупол[ья]|мариупол[ья]|краматорськ|краматорск|донецьк|донецк": "Донецька",
    r"луганськ|луганск|сєвєродонецьк|северодонецк": "Луганська",
    r"біла церква|белая церковь|бровари|бровары|бориспіл[ья]|борисполь|ірпін[ья]|ирпень|"
    r"буча": "Київська",
    r"кременчук|кременчуг": "Полтавська",
}
_CITY = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(f"(?P<c{i}>{names})" for i, names in enumerate(_CITIES))
    + r")(?![\w-])",
    re.IGNORECASE,
)
_CITY_REGIONS = list(_CITIES.values())
_POSTAL_CODE = re.compile(r"(?<!\d)\d{5}(?!\d)")
# The usual address, "61147, Україна, Харківська обл., …": the postal code it opens with is
# the first that _POSTAL_CODE finds, so when no postal_code is given, its region is the answer.
_LEADING_POSTAL_CODE = re.compile(r"[0-9]{5}(?!\d)")


def region_of(*, postal_code: str | None = None, address: str = "") -> str | None:
    """The region of an address: from the postal code, else from the oblast, else the city.

    ``None`` when nothing in the address names a region: we do not guess a region for a
    village the address does not place.
    """
    if not postal_code and (leading := _LEADING_POSTAL_CODE.match(address)):
        region = REGION_BY_POSTAL_PREFIX.get(leading[0][:2])
        if region:
            return region
    return _region_of_any(postal_code, address)


def _region_of_any(postal_code: str | None, address: str) -> str | None:
    """The general path of ``region_of``: every postal code, then the words."""
    for candidate in (postal_code, *_POSTAL_CODE.findall(address)):
        region = _region_of_postal_code(candidate)
        if region:
            return region
    return _region_of_words(address)


# Addresses without a postal code repeat ("м. Київ", "м. Харків"), and the two searches
# below are the slow part of a region: the cache keeps the answer for the recent ones.
@lru_cache(maxsize=4096)
def _region_of_words(address: str) -> str | None:
    found = _OBLAST.search(address)
    if found:
        return _OBLAST_REGIONS[found.lastindex - 1]
    found = _CITY.search(address)
    if found:
        return _CITY_REGIONS[found.lastindex - 1]
    return None


def _region_of_postal_code(code: str | None) -> str | None:
    if not code:
        return None
    code = code.strip()
    if len(code) != 5 or not code.isdigit():
        return None
    return REGION_BY_POSTAL_PREFIX.get(code[:2])

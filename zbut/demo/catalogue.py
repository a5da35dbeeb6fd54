"""Reference data the demo companies are drawn from: places, phone codes, legal forms, names.

Postal codes and telephone area codes are the real ones of each city (Укрпошта's ranges,
the national numbering plan), so an address and its landline agree with each other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    name: str
    postcode: int  # the city's first postal code
    postcode_span: int  # how many codes after it the city's post offices use
    area_code: str  # the landline code after +380; "" where the demo gives mobiles only


@dataclass(frozen=True)
class Oblast:
    region: str  # as Company.region holds it
    weight: float  # share of the demo companies, relative
    cities: tuple[City, ...]
    villages_postcode: int  # postal codes of the oblast's villages start here

    @property
    def address_part(self) -> str:
        """The oblast in an address line; Kyiv is a city of its own status."""
        return "" if self.region == "м. Київ" else f"{self.region}, "


def _oblast(region: str, weight: float, villages: int, *cities: City) -> Oblast:
    return Oblast(region=region, weight=weight, cities=cities, villages_postcode=villages)


# Weighted to where Ukrainian business registers: Kyiv, Dnipro, Kharkiv, Odesa, Lviv.
OBLASTS: tuple[Oblast, ...] = (
    _oblast("м. Київ", 22, 1001, City("Київ", 1001, 3200, "44")),
    _oblast(
        "Київська обл.",
        5,
        7300,
        City("Бориспіль", 8300, 5, "4595"),
        City("Бровари", 7400, 5, "4594"),
        City("Біла Церква", 9100, 20, "4563"),
        City("Ірпінь", 8200, 5, "4597"),
    ),
    _oblast(
        "Дніпропетровська обл.",
        10,
        52000,
        City("Дніпро", 49000, 130, "56"),
        City("Кривий Ріг", 50000, 90, "564"),
        City("Кам'янське", 51900, 30, "569"),
        City("Павлоград", 51400, 5, "5632"),
    ),
    _oblast(
        "Харківська обл.",
        8,
        62400,
        City("Харків", 61000, 180, "57"),
        City("Лозова", 64600, 5, "5745"),
    ),
    _oblast(
        "Одеська обл.",
        8,
        67500,
        City("Одеса", 65000, 120, "48"),
        City("Ізмаїл", 68600, 10, "4841"),
        City("Чорноморськ", 68000, 5, "4868"),
    ),
    _oblast(
        "Львівська обл.",
        8,
        81100,
        City("Львів", 79000, 70, "32"),
        City("Дрогобич", 82100, 5, "3244"),
        City("Стрий", 82400, 5, "3245"),
    ),
    _oblast(
        "Запорізька обл.",
        4,
        70400,
        City("Запоріжжя", 69000, 120, "61"),
    ),
    _oblast("Вінницька обл.", 3, 22400, City("Вінниця", 21000, 50, "432")),
    _oblast("Полтавська обл.", 3, 38700, City("Полтава", 36000, 40, "532"),
            City("Кременчук", 39600, 30, "536")),
    _oblast("Івано-Франківська обл.", 2.5, 77400,
            City("Івано-Франківськ", 76000, 30, "342"), City("Калуш", 77300, 5, "3472")),
    _oblast("Хмельницька обл.", 2, 31300, City("Хмельницький", 29000, 30, "382"),
            City("Кам'янець-Подільський", 32300, 5, "3849")),
    _oblast("Черкаська обл.", 2, 19600, City("Черкаси", 18000, 35, "472"),
            City("Умань", 20300, 5, "4744")),
    _oblast("Житомирська обл.", 2, 12400, City("Житомир", 10000, 30, "412")),
    _oblast("Рівненська обл.", 1.5, 35300, City("Рівне", 33000, 30, "362")),
    _oblast("Волинська обл.", 1.5, 45600, City("Луцьк", 43000, 25, "332"),
            City("Ковель", 45000, 5, "3352")),
    _oblast("Тернопільська обл.", 1.5, 47700, City("Тернопіль", 46000, 30, "352")),
    _oblast("Чернівецька обл.", 1.5, 60200, City("Чернівці", 58000, 30, "372")),
    _oblast("Закарпатська обл.", 1.5, 89400, City("Ужгород", 88000, 20, "312"),
            City("Мукачево", 89600, 5, "3131")),
    _oblast("Миколаївська обл.", 2, 57100, City("Миколаїв", 54000, 55, "512")),
    _oblast("Кіровоградська обл.", 1.5, 27400, City("Кропивницький", 25000, 30, "522")),
    _oblast("Сумська обл.", 1.5, 42300, City("Суми", 40000, 35, "542")),
    _oblast("Чернігівська обл.", 1.5, 15500, City("Чернігів", 14000, 35, "462")),
    _oblast("Херсонська обл.", 1, 74800, City("Херсон", 73000, 40, "552")),
    _oblast("Донецька обл.", 1, 84500, City("Краматорськ", 84300, 30, ""),
            City("Слов'янськ", 84100, 20, "")),
    _oblast("Луганська обл.", 0.3, 92700, City("Сєвєродонецьк", 93400, 20, "")),
)  # fmt: skip

VILLAGES: tuple[str, ...] = (
    "Калинівка", "Олександрівка", "Петрівка", "Іванівка", "Миколаївка", "Вишневе",
    "Зелений Гай", "Степове", "Мирне", "Веселе", "Новоселиця", "Тарасівка", "Дубове",
)  # fmt: skip

STREETS: tuple[tuple[str, str], ...] = (
    ("вул.", "Шевченка"), ("вул.", "Грушевського"), ("вул.", "Незалежності"),
    ("вул.", "Соборна"), ("вул.", "Промислова"), ("вул.", "Заводська"), ("вул.", "Садова"),
    ("вул.", "Центральна"), ("вул.", "Київська"), ("вул.", "Героїв Майдану"),
    ("вул.", "Гетьмана Мазепи"), ("вул.", "Січових Стрільців"), ("вул.", "Лесі Українки"),
    ("вул.", "Івана Франка"), ("вул.", "Богдана Хмельницького"), ("вул.", "Сагайдачного"),
    ("вул.", "Коновальця"), ("вул.", "Чорновола"), ("вул.", "Вокзальна"),
    ("вул.", "Індустріальна"), ("вул.", "Складська"), ("вул.", "Шосейна"),
    ("вул.", "Енергетична"), ("вул.", "Будівельників"), ("вул.", "Польова"),
    ("вул.", "Василя Стуса"), ("вул.", "Довженка"), ("просп.", "Перемоги"),
    ("просп.", "Науки"), ("просп.", "Миру"), ("пров.", "Тихий"), ("пров.", "Заводський"),
)  # fmt: skip

# Real mobile operator codes (the digits after +380).
MOBILE_OPERATORS: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("Київстар", ("67", "68", "96", "97", "98"), 0.48),
    ("Vodafone", ("50", "66", "95", "99"), 0.35),
    ("lifecell", ("63", "73", "93"), 0.17),
)


@dataclass(frozen=True)
class Category:
    """A segment of the base (категорія) and the kind of names its companies carry."""

    label: str
    weight: float
    family: str  # "agro", "farm", "industry", "trade", "build", "logistics", "it"


# Segments for an offer of energy-saving lighting to farms, warehouses and plants.
LIGHTING_CATEGORIES: tuple[Category, ...] = (
    Category("агрохолдинги", 9, "agro"),
    Category("фермерські господарства", 13, "farm"),
    Category("елеватори та зерносховища", 6, "agro"),
    Category("птахофабрики та тваринництво", 6, "farm"),
    Category("виробники харчових продуктів", 10, "industry"),
    Category("деревообробка", 6, "industry"),
    Category("металообробка", 7, "industry"),
    Category("пром. обладнання", 5, "industry"),
    Category("оптові компанії", 11, "trade"),
    Category("будівельні компанії", 10, "build"),
    Category("логістика та склади", 12, "logistics"),
    Category("ІТ-компанії", 5, "it"),
)

# Segments for an offer of warehousing and delivery (the second demo client).
LOGISTICS_CATEGORIES: tuple[Category, ...] = (
    Category("виробники харчових продуктів", 10, "industry"),
    Category("оптові компанії", 14, "trade"),
    Category("інтернет-магазини", 12, "it"),
    Category("імпортери", 8, "trade"),
    Category("меблеві фабрики", 6, "industry"),
)

# Legal forms (організаційно-правові форми) with their weight per family of names.
LEGAL_FORMS: dict[str, tuple[tuple[str, float], ...]] = {
    "default": (("ТОВ", 60), ("ПП", 15), ("ФОП", 10), ("ПрАТ", 5), ("АТ", 3), ("ДП", 4),
                ("ТзОВ", 3)),
    "farm": (("ФГ", 55), ("ТОВ", 25), ("ПП", 10), ("ФОП", 6), ("СТОВ", 4)),
    "agro": (("ТОВ", 60), ("ПрАТ", 15), ("АТ", 8), ("ДП", 10), ("ФГ", 7)),
}  # fmt: skip

# Forms that are legal entities and so have a ЄДРПОУ (a ФОП has a РНОКПП instead).
LEGAL_ENTITY_FORMS = frozenset({"ТОВ", "ПП", "ПрАТ", "АТ", "ДП", "ТзОВ", "ФГ", "СТОВ"})

NAME_ROOTS: dict[str, tuple[str, ...]] = {
    "agro": ("Агро", "Зерно", "Нива", "Колос", "Поле", "Агроінвест", "Хлібо"),
    "farm": ("Колос", "Нива", "Злагода", "Світанок", "Обрій", "Лан", "Врожай", "Добробут",
             "Берегиня", "Джерело", "Подільська нива", "Золотий колос"),
    "industry": ("Метал", "Пром", "Техно", "Дерево", "Енерго", "Маш", "Хім", "Укр", "Смак"),
    "trade": ("Торг", "Оптім", "Галич", "Мега", "Інтер", "Укр", "Дніпро", "Поділля"),
    "build": ("Буд", "Будівельник", "Моноліт", "Граніт", "Арка", "Житло", "Квартал"),
    "logistics": ("Транс", "Логіс", "Склад", "Карго", "Експрес", "Вектор", "Шлях"),
    "it": ("Софт", "Діджитал", "Кібер", "Дата", "Клауд", "Код", "Веб"),
}  # fmt: skip

NAME_SUFFIXES: tuple[str, ...] = (
    "інвест", "сервіс", "трейд", "пром", "постач", "комплекс", "груп", "лайн", "тех",
    "маркет", "ресурс", "альянс", "стандарт", "союз", "центр", "світ",
)  # fmt: skip

PLACE_WORDS: tuple[str, ...] = (
    "Україна", "Полісся", "Поділля", "Слобожанщина", "Таврія", "Галичина", "Волинь",
    "Карпати", "Дніпро", "Схід", "Захід", "Південь", "Центр",
)  # fmt: skip

LATIN_NAMES: tuple[str, ...] = (
    "DerevoBrus", "Dik-Elite", "AgroTech Ukraine", "UkrLogistic", "BudMaster", "Prime Foods",
    "Nova Steel", "GreenField", "EcoLine", "SmartBuild", "TransWay", "Delta Agro",
)  # fmt: skip

POSITIONS: tuple[tuple[str, float], ...] = (
    ("директор", 40), ("комерційний директор", 12), ("головний інженер", 10),
    ("менеджер з закупівель", 15), ("власник", 10), ("заступник директора", 8),
    ("головний енергетик", 5),
)  # fmt: skip

EMAIL_LOCAL_PARTS: tuple[str, ...] = ("info", "office", "sales", "zakupivli", "director", "post")
EMAIL_ZONES: tuple[str, ...] = (".com.ua", ".com.ua", ".ua", ".in.ua", ".net.ua")

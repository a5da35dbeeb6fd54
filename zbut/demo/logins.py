"""The demo agency's people: who can log in to `make demo`, and with which password.

The password is public on purpose: it only ever guards the demo's own data on 127.0.0.1.
"""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "zbut-demo-2026"  # noqa: S105
DEMO_CLIENT_SLUG = "demo"
# A second client, so that tenant isolation can be seen: its owner sees none of `demo`.
DEMO_CLIENT_B_SLUG = "demo-b"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    client_slug: str | None
    full_name: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("admin@demo.zbut.ua", "admin", None, "Олена Адміністраторка"),
    DemoLogin("coordinator@demo.zbut.ua", "coordinator", None, "Ірина Коваленко"),
    DemoLogin("manager1@demo.zbut.ua", "manager", None, "Андрій Шевчук"),
    DemoLogin("manager2@demo.zbut.ua", "manager", None, "Марія Бондаренко"),
    DemoLogin("manager3@demo.zbut.ua", "manager", None, "Тарас Мельник"),
    DemoLogin("owner@demo.zbut.ua", "owner", DEMO_CLIENT_SLUG, "Сергій Ткаченко"),
    DemoLogin("viewer@demo.zbut.ua", "viewer", DEMO_CLIENT_SLUG, "Наталія Кравчук"),
    DemoLogin("owner-b@demo.zbut.ua", "owner", DEMO_CLIENT_B_SLUG, "Олег Гнатюк"),
)


def demo_logins_text(url: str | None = None) -> str:
    where = f", open {url}" if url else ""
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}){where}"]
    lines += [
        f"  {login.role:<12} {login.email:<28} {login.client_slug or 'agency'}".rstrip()
        for login in DEMO_LOGINS
    ]
    return "\n".join(lines)

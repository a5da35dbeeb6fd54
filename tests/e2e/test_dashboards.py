"""A real browser signs in to a real server loaded with the demo agency (see conftest.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import PHONE, login_of, screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_client_owner_signs_in_and_sees_the_cabinet_with_charts(
    browser: Browser, server_url: str
) -> None:
    page, errors = sign_in(browser, server_url, login_of("owner"))
    screenshot(page, "client-owner-dashboard")
    assert page.url.rstrip("/") == server_url
    assert page.locator("h2", has_text="Data Base ONLINE").is_visible()
    assert page.locator("#feed tbody tr .outcome").count() > 0
    assert page.locator("#projects a[href^='/p/']").count() > 0
    # Chart.js drew the funnel: the canvas got a size and a chart instance.
    drawn = page.evaluate(
        "() => !!window.Chart && !!Chart.getChart(document.querySelector('canvas[data-chart]'))"
    )
    assert drawn
    assert errors == []

    page.locator("#projects a[href^='/p/']").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#norms canvas").is_visible()
    screenshot(page, "client-owner-project")

    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    assert page.locator("button", has_text="Log out").is_visible()
    screenshot(page, "client-owner-project-en")

    page.click("button:has-text('Log out')")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" in page.url
    page.context.close()


def test_manager_signs_in_and_sees_own_day_and_projects(browser: Browser, server_url: str) -> None:
    page, errors = sign_in(browser, server_url, login_of("manager"))
    screenshot(page, "manager-dashboard")
    assert page.locator("#today").is_visible()
    assert page.locator("#callbacks").is_visible()
    assert page.locator("#projects a[href^='/p/']").count() > 0
    assert page.locator("a", has_text="Адміністрування").count() == 0
    assert errors == []
    page.context.close()


def test_agency_admin_sees_every_project_the_norms_chart_and_the_admin_link(
    browser: Browser, server_url: str
) -> None:
    page, errors = sign_in(browser, server_url, login_of("admin"))
    screenshot(page, "admin-dashboard")
    assert page.locator("#norms canvas").is_visible()
    assert page.locator("nav a", has_text="Адміністрування").is_visible()
    assert errors == []
    page.context.close()


@pytest.mark.parametrize(
    ("role", "paths"),
    [
        # The client's director looks at the cabinet on a phone as often as at a desk.
        (
            "owner",
            [
                "/p/demo-system/",
                "/p/demo-system/reports/",
                "/p/demo-system/reports/companies/",
                "/p/demo-pilot/base/agreement/",
            ],
        ),
        ("manager", ["/p/demo-system/desk/"]),
    ],
)
def test_on_a_phone_no_page_scrolls_sideways(
    browser: Browser, server_url: str, role: str, paths: list[str]
) -> None:
    # Wide tables scroll inside their cards, long phones and e-mails wrap, the desk stacks.
    page, errors = sign_in(browser, server_url, login_of(role), viewport=PHONE)
    for path in paths:
        page.goto(f"{server_url}{path}")
        page.wait_for_load_state("networkidle")
        assert_fits_a_phone(page)
        if path.endswith("/reports/companies/"):  # and a company's page, with its phones
            page.locator("a[href*='/c/']").first.click()
            page.wait_for_load_state("networkidle")
            assert "/c/" in page.url
            assert_fits_a_phone(page)
    screenshot(page, f"{role}-phone")
    assert errors == []
    page.context.close()


def assert_fits_a_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a phone"

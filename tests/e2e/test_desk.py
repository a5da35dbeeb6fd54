"""A manager works five companies of the demo's system project with the keyboard only."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

VIEWPORT = {"width": 1366, "height": 768}


def company_id(page: Page) -> str:
    return page.locator("#company-name").get_attribute("data-company-id") or ""


def count_of(page: Page, name: str) -> int:
    return int(page.locator(f"#desk-counts [data-count='{name}']").inner_text())


def fits_the_screen(page: Page) -> None:
    """The action panel fits a 1366×768 laptop screen: nothing below or beside the fold."""
    panel = page.locator(".desk__actions").bounding_box()
    assert panel is not None
    assert panel["y"] + panel["height"] <= VIEWPORT["height"]
    assert panel["x"] + panel["width"] <= VIEWPORT["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= VIEWPORT["width"]
    assert page.evaluate("() => document.documentElement.scrollHeight") <= VIEWPORT["height"]


def act(page: Page, *keys: str, confirmation: str) -> str:
    """Press the keys on the current company; the confirmation shows and the next one loads."""
    before = company_id(page)
    # A key pressed while the last swap still settles would be dropped (hx-sync), not queued.
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling')")
    for key in keys:
        page.keyboard.press(key)
    expect(page.locator(".messages li").first).to_contain_text(confirmation)
    expect(page.locator("#company-name")).not_to_have_attribute("data-company-id", before)
    return company_id(page)


def test_a_manager_works_five_companies_with_the_keyboard_only(
    browser: Browser, server_url: str
) -> None:
    page, errors = sign_in(browser, server_url, "manager1@demo.zbut.ua")
    page.goto(f"{server_url}/p/demo-system/desk/")
    expect(page.locator("#company-name")).to_be_visible()
    outcomes_before = count_of(page, "outcomes")
    attempts_before = count_of(page, "attempts")
    assert page.locator(".desk__phones a[href^='tel:']").count() >= 1

    fits_the_screen(page)
    screenshot(page, "desk-manager")

    # ? shows the keys, Esc hides them.
    page.keyboard.press("Shift+Slash")
    expect(page.locator("#desk-help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#desk-help")).to_be_hidden()

    # 1. N, a note, Esc, then 6: not interested, with the note in the history line.
    page.keyboard.press("KeyN")
    page.keyboard.type("Не актуально: світильники вже замінили")
    page.keyboard.press("Escape")
    act(page, "Digit6", confirmation="Не зацікавлений")
    fits_the_screen(page)  # with the confirmation on top, the actions are still in view
    # 2. Q: no answer.
    act(page, "KeyQ", confirmation="Не відповідає")
    # 3. 2: warm.
    act(page, "Digit2", confirmation="Потенційно зацікавлений")
    # 4. 3 asks for the day; 2 picks "in a week".
    page.keyboard.press("Digit3")
    expect(page.locator("#panel-callback")).to_be_visible()
    screenshot(page, "desk-callback-panel")
    act(page, "Digit2", confirmation="Гіпотетично зацікавлений")
    # 5. S: skip to the next company.
    act(page, "KeyS", confirmation="пропущено")
    # And a hot lead: 1 asks for the contact (prefilled from the company), Enter transfers it.
    page.keyboard.press("Digit1")
    expect(page.locator("#panel-interested")).to_be_visible()
    expect(page.locator("#id_contact_person")).to_be_focused()
    act(page, "Enter", confirmation="Зацікавлений")

    assert count_of(page, "outcomes") == outcomes_before + 4
    assert count_of(page, "attempts") == attempts_before + 1
    screenshot(page, "desk-after-five")
    assert errors == []
    page.context.close()


def test_the_coordinator_sees_the_team_and_the_hourly_chart(
    browser: Browser, server_url: str
) -> None:
    page, errors = sign_in(browser, server_url, "coordinator@demo.zbut.ua")
    page.goto(f"{server_url}/p/demo-system/")
    page.keyboard.press("Tab")  # the links are plain anchors: reachable without a mouse
    page.locator("#open-team").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#online")).to_be_visible()
    drawn = page.evaluate(
        "() => !!window.Chart && !!Chart.getChart(document.querySelector('#hourly canvas'))"
    )
    assert drawn
    screenshot(page, "desk-team")
    assert errors == []
    page.context.close()

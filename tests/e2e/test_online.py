"""The client owner watches Data Base ONLINE while a manager works the desk: rows arrive live."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

NOTE = "Онлайн-перевірка: директор у відрядженні"


def test_the_owner_sees_a_managers_outcome_appear_without_reload(
    browser: Browser, server_url: str
) -> None:
    owner, owner_errors = sign_in(browser, server_url, "owner@demo.zbut.ua")
    owner.goto(f"{server_url}/p/demo-system/online/")
    expect(owner.locator("#online-status")).to_have_class("online__status is-live")
    calls_before = int(owner.locator("[data-counter='calls']").inner_text())
    owner.evaluate("() => { window.notReloaded = true; }")

    manager, manager_errors = sign_in(browser, server_url, "manager1@demo.zbut.ua")
    manager.goto(f"{server_url}/p/demo-system/desk/")
    company = manager.locator("#company-name").inner_text().strip()
    manager.keyboard.press("KeyN")
    manager.keyboard.type(NOTE)
    manager.keyboard.press("Escape")
    manager.keyboard.press("Digit6")
    expect(manager.locator(".messages li").first).to_contain_text("Не зацікавлений")

    newest = owner.locator("#online-rows tr").first
    expect(newest).to_contain_text(NOTE, timeout=5000)
    expect(newest).to_contain_text(company)
    expect(newest.locator(".outcome")).to_contain_text("Не зацікавлений")
    assert owner.evaluate("() => window.notReloaded === true")
    assert int(owner.locator("[data-counter='calls']").inner_text()) == calls_before + 1
    screenshot(owner, "online-live-row")

    owner.select_option("#id_outcome", "not_interested")
    owner.click("#online-filters button[type=submit]")
    expect(owner.locator("#online-rows tr").first).to_contain_text(NOTE)
    outcomes = owner.locator("#online-rows tr").evaluate_all(
        "rows => [...new Set(rows.map(row => row.dataset.outcome))]"
    )
    assert outcomes == ["not_interested"]
    screenshot(owner, "online-filtered")
    assert owner_errors == [] and manager_errors == []
    owner.context.close()
    manager.context.close()

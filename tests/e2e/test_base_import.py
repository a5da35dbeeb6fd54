"""A base goes from a messy file to the client's approval in a real browser.

The coordinator uploads the nasty cp1251 corpus into the demo pilot, confirms the mapping,
watches the worker import it, downloads the rejected rows and sends the base to the client;
the client's owner excludes one company with a reason and approves the rest.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ARTIFACTS, LAPTOP, login_of, screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

NASTY = Path(__file__).resolve().parents[1] / "bases" / "corpus" / "base-nasty-cp1251.csv"
PROJECT = "demo-pilot"
IMPORT_SECONDS = 60


def stat(page: Page, name: str) -> int:
    return int(page.locator(f"[data-state='{name}']").inner_text())


def test_coordinator_imports_a_base_and_the_client_owner_approves_it(
    browser: Browser, server_url: str
) -> None:
    page, errors = sign_in(browser, server_url, login_of("coordinator"))
    page.goto(f"{server_url}/p/{PROJECT}/")
    page.locator("#base a", has_text="Імпортувати базу").click()
    page.set_input_files("#id_file", str(NASTY))
    screenshot(page, "base-import-upload")
    page.click("form.upload-form button[type=submit]")
    page.wait_for_url("**/mapping/")
    for header in ("Назва", "Телефони", "Email", "Сайт"):
        expect(page.locator("table.mapping th", has_text=header).first).to_be_visible()
    expect(page.locator("table.mapping tbody tr")).to_have_count(5)
    # Nine columns are wider than the screen: the table scrolls inside its card, the page not.
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    screenshot(page, "base-import-mapping")

    page.click("#mapping-form button[type=submit]")
    page.wait_for_url(f"**/p/{PROJECT}/base/imports/*/")
    # The worker runs the import; the page follows it and reloads itself with the report.
    expect(page.locator("#import-progress, #import-counts").first).to_be_visible()
    screenshot(page, "base-import-progress")
    counts = page.locator("#import-counts")
    expect(counts).to_be_visible(timeout=IMPORT_SECONDS * 1000)
    assert counts.locator("[data-count='rows']").inner_text() == "11"
    assert counts.locator("[data-count='rejected']").inner_text() == "4"
    imported = int(counts.locator("[data-count='imported']").inner_text())
    assert imported >= 1
    expect(page.locator("#issues tr[data-kind='rejected']")).to_have_count(4)
    screenshot(page, "base-import-report")

    with page.expect_download() as download_info:
        page.click("#rejected-csv")
    download = download_info.value
    ARTIFACTS.mkdir(exist_ok=True)
    saved = ARTIFACTS / "base-import-rejected.csv"
    download.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert text.startswith("\ufeffНазва;")
    assert len(text.strip().splitlines()) == 5

    page.locator(".page-head__actions a", has_text="Узгодження бази").click()
    page.wait_for_url(f"**/p/{PROJECT}/base/agreement/")
    assert stat(page, "new") == imported
    page.click("#send-for-agreement")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".messages")).to_contain_text("Надіслано клієнту на узгодження")
    assert stat(page, "proposed") == imported
    screenshot(page, "base-agreement-sent")
    assert errors == []
    page.context.close()

    page, errors = sign_in(browser, server_url, login_of("owner"))
    page.goto(f"{server_url}/p/{PROJECT}/base/agreement/")
    rows = page.locator("#proposed tbody tr[data-company]")
    expect(rows).to_have_count(imported)
    approved_before, excluded_before = stat(page, "approved"), stat(page, "excluded")
    screenshot(page, "base-agreement-owner")

    rows.first.locator("input[type=checkbox]").check()
    page.fill("#exclude-form input[name=reason]", "вже наш клієнт")
    page.click("#exclude-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".messages")).to_contain_text("Виключено компаній: 1.")
    assert stat(page, "excluded") == excluded_before + 1
    expect(rows).to_have_count(imported - 1)

    page.click("#approve summary")
    page.click("#approve-confirm")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".messages")).to_contain_text("Базу погоджено")
    assert stat(page, "proposed") == 0
    assert stat(page, "approved") == approved_before + imported - 1
    expect(page.locator("#agreements tbody tr").first).to_contain_text("Узгоджено")
    screenshot(page, "base-agreement-approved")
    assert errors == []
    page.context.close()

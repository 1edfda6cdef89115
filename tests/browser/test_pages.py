"""Issue 16 in a real browser: every mistake of a form at once with a focused summary,
lists as status boards (count, sort, pages) on 64 rows, no word broken inside a table cell
at 390 px, bulk test and delete, and an audit CSV matching the filtered page."""
from __future__ import annotations

import csv
import io

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import provider_server, shot
from tests.conftest import PASSWORD, basic
from tests.oauth_provider import CLIENT_ID, provider  # noqa: F401 - a fixture

pytestmark = pytest.mark.browser
ROWS = 64
# Every table cell whose content box is narrower than its longest word (a word broken
# inside), measured with the cell's own font; [] when every word fits.
BROKEN_WORDS = """() => {
  const canvas = document.createElement("canvas").getContext("2d");
  const bad = [];
  for (const cell of document.querySelectorAll("main table th, main table td")) {
    const style = getComputedStyle(cell);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const inner = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest(".visually-hidden")) { continue; }  // not painted
      for (const word of node.textContent.split(/\\s+/).filter(Boolean)) {
        if (canvas.measureText(word).width > inner + 1) { bad.push(word); }
      }
    }
  }
  return bad;
}"""


@pytest.fixture
def live(tmp_path, sqlite_template, provider):  # noqa: F811
    """The app on a live loopback server: an administrator "admin", an application of the
    local provider, and 64 profiles of admin holding refresh tokens the provider knows."""
    with provider_server(tmp_path / "live.sqlite3", sqlite_template, provider, "admin",
                         "Administrator") as (url, app_id):
        with requests.Session() as http:
            for i in range(ROWS):
                response = http.post(url + "/api/mgmt/oauthprofiles",
                                     headers=basic("admin", PASSWORD), timeout=10, json={
                                         "name": f"Bulk_profile_{i:02}", "oauthAppId": app_id,
                                         "description": f"Warehouse number {i} of the shop",
                                         "refreshToken": provider.grant_refresh_token(
                                             CLIENT_ID)})
                assert response.status_code == 201, response.text
        yield url


def sign_in(page, base: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/oauthprofiles")


def summary_is_focused(page, count: int) -> None:
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary")).to_have_attribute("role", "alert")
    expect(page.locator("#error-summary li a")).to_have_count(count)


def test_each_form_shows_every_mistake_with_a_focused_summary(page, live):
    sign_in(page, live)
    page.goto(live + "/oauthapps/new")
    page.get_by_label("Name").fill("bad name")
    page.get_by_label("Client secret").fill("typed-secret")
    page.get_by_label("Authorize URI").fill("http://evil.example/auth")
    page.get_by_role("button", name="Register application").click()
    messages = {"name": "Names may use only letters, digits and underscores.",
                "dataStore": "Choose a data store.", "clientId": "Client id is required.",
                "authorizeURI": "Authorize URI must be an absolute https URL.",
                "tokenURI": "Token URI is required."}
    for field, message in messages.items():
        expect(page.locator(f"#{field}-error")).to_have_text(message)
        expect(page.locator("#error-summary")).to_contain_text(message)
    summary_is_focused(page, len(messages))
    expect(page.locator("#clientSecret-hint")).to_contain_text("Type it again")
    assert page.get_by_label("Client secret").input_value() == ""
    shot(page, "12-application-form-every-error")

    page.goto(live + "/oauthprofiles/new")
    page.get_by_label("Name").fill("bad name")
    page.get_by_label("Access token").fill("typed-token")
    page.get_by_role("button", name="Create profile").click()
    for field, message in {"name": messages["name"],
                           "oauthAppId": "Choose an OAuth application.",
                           "refreshToken": "Refresh token is required."}.items():
        expect(page.locator(f"#{field}-error")).to_have_text(message)
    summary_is_focused(page, 3)
    expect(page.locator("#accessToken-hint")).to_contain_text("Type it again")
    expect(page.locator("label[for=refreshToken]")).to_contain_text("(required)")
    shot(page, "13-profile-form-every-error")

    page.goto(live + "/users/new")
    page.locator("#password").fill("short")
    page.get_by_role("button", name="Create user").click()
    expect(page.locator("#userName-error")).to_have_text("User name is required.")
    expect(page.locator("#password-error")).to_be_visible()
    summary_is_focused(page, 2)
    page.locator("#error-summary a").first.click()
    assert page.url.endswith("#userName")


def test_lists_count_sort_and_page(page, live):
    sign_in(page, live)
    count = page.locator("#board-count")
    names = page.locator("tbody th a")
    expect(count).to_have_text(f"1-25 of {ROWS} OAuth profiles")
    expect(names.first).to_have_text(f"Bulk_profile_{ROWS - 1:02}")  # newest first
    expect(page.locator("nav[aria-label=Main] [aria-current=page]")).to_have_text(
        "OAuth profiles")
    page.get_by_role("link", name="Next").click()
    expect(count).to_have_text(f"26-50 of {ROWS} OAuth profiles")
    expect(page.locator(".pager [aria-current=page]")).to_have_text("2")
    page.get_by_role("link", name="Page 3").click()
    expect(count).to_have_text(f"51-{ROWS} of {ROWS} OAuth profiles")
    expect(names).to_have_count(ROWS - 50)
    expect(names.last).to_have_text("Bulk_profile_00")
    page.get_by_role("link", name="Name", exact=False).first.click()
    expect(page.locator("th[aria-sort]")).to_have_attribute("aria-sort", "ascending")
    expect(count).to_have_text(f"1-25 of {ROWS} OAuth profiles")  # back to page 1
    expect(names.first).to_have_text("Bulk_profile_00")
    page.get_by_role("link", name="Name", exact=False).first.click()
    expect(page.locator("th[aria-sort]")).to_have_attribute("aria-sort", "descending")
    expect(names.first).to_have_text(f"Bulk_profile_{ROWS - 1:02}")
    page.get_by_label("Search name and description").fill("number 1")
    page.get_by_role("button", name="Filter").click()
    expect(count).to_contain_text("1-11 of 11 OAuth profiles")  # 1, 10-19
    shot(page, "14-profile-board")


@pytest.mark.parametrize("path,name", [
    ("/oauthprofiles", "15-profiles-390px"), ("/oauthapps", "16-applications-390px"),
    ("/users", "17-users-390px"), ("/audit", "18-audit-390px"), ("/roles", "19-roles-390px")])
def test_lists_at_390px_scroll_instead_of_breaking_words(page, live, path, name):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live)
    page.goto(live + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate(BROKEN_WORDS) == []
    region = page.locator(".table-wrap").first
    expect(region).to_have_attribute("tabindex", "0")
    expect(region).to_have_attribute("role", "region")
    if path == "/oauthprofiles":  # many columns: the table scrolls inside its region
        assert region.evaluate("e => e.scrollWidth > e.clientWidth")
    shot(page, name)


def test_wide_screen_uses_the_full_width(page, live):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, live)
    width = page.locator(".table-wrap").first.evaluate("e => e.getBoundingClientRect().width")
    assert width > 1200
    assert page.evaluate(BROKEN_WORDS) == []
    page.locator("#filter-q").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    assert ring == "rgb(29, 78, 216)"  # #1d4ed8: 6.7:1 against white


def test_bulk_test_then_delete(page, live, provider):  # noqa: F811
    sign_in(page, live)
    page.get_by_label(f"Select Bulk_profile_{ROWS - 1:02}").check()
    page.get_by_label(f"Select Bulk_profile_{ROWS - 2:02}").check()
    page.locator("#bulk-test").click()
    expect(page.locator("h1")).to_have_text("Test 2 OAuth profiles?")
    expect(page.locator("#bulk-names li")).to_have_text([
        f"Bulk_profile_{ROWS - 2:02} (Local_provider)",
        f"Bulk_profile_{ROWS - 1:02} (Local_provider)"])
    shot(page, "20-bulk-test-confirmation")
    page.get_by_role("button", name="Test 2 profiles").click()
    expect(page.locator(".flash.success")).to_have_text(
        f"Connection OK: Bulk_profile_{ROWS - 2:02}, Bulk_profile_{ROWS - 1:02}.")
    assert [r["grant_type"] for r in provider.token_requests] == ["refresh_token"] * 2
    expect(page.locator("tbody tr").first.locator("td").nth(3)).not_to_have_text("Never")

    page.get_by_label(f"Select Bulk_profile_{ROWS - 1:02}").check()
    page.get_by_label(f"Select Bulk_profile_{ROWS - 3:02}").check()
    page.locator("#bulk-delete").click()
    expect(page.locator("h1")).to_have_text("Delete 2 OAuth profiles?")
    shot(page, "21-bulk-delete-confirmation")
    page.get_by_role("button", name="Delete 2 profiles").click()
    expect(page.locator(".flash.success")).to_have_text(
        f"Deleted: Bulk_profile_{ROWS - 3:02}, Bulk_profile_{ROWS - 1:02}.")
    expect(page.locator("#board-count")).to_have_text(f"1-25 of {ROWS - 2} OAuth profiles")


def test_audit_csv_matches_the_filtered_page(page, live):
    sign_in(page, live)
    page.goto(live + "/audit")
    page.get_by_label("Object").select_option(label="OAuth profile")
    page.get_by_label("Hide reads made while acting for someone").check()
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#board-count")).to_have_text(f"1-25 of {ROWS} events")
    first = page.locator("#audit-table tbody tr").first.locator("td").nth(4)
    expect(first.locator("a")).to_have_text(f"OAuth profile Bulk_profile_{ROWS - 1:02}")
    shot(page, "22-audit-filtered")
    rows = page.eval_on_selector_all("#audit-table tbody tr", """rows => rows.map(
        r => Array.from(r.querySelectorAll('td'), c => c.innerText.trim()))""")
    href = page.locator("#audit-export").get_attribute("href")
    export = page.request.get(live + href)
    assert export.ok and export.headers["content-type"].startswith("text/csv")
    [header, *lines] = list(csv.reader(io.StringIO(export.text())))
    assert header[0] == "When (UTC)" and len(lines) == ROWS
    assert lines[:25] == rows


def test_copy_buttons_copy_and_are_hidden_without_javascript(chromium, live):
    context = chromium.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        sign_in(page, live)
        page.get_by_role("link", name="OAuth applications").click()
        page.get_by_role("link", name="Local_provider").click()
        page.get_by_role("button", name="Copy client id").click()
        expect(page.locator("#client-id-copied")).to_have_text("Copied.")
        assert page.evaluate("navigator.clipboard.readText()") == CLIENT_ID
        page.get_by_role("button", name="Copy redirect URI").click()
        assert page.evaluate("navigator.clipboard.readText()") == live + "/oauth2callback"
        expect(page.locator("#used-by-total")).to_contain_text(f"In all, {ROWS} OAuth")
        page.get_by_role("link", name="Delete").click()
        expect(page.locator(".warning")).to_have_text(
            f"{ROWS} OAuth profiles (of every owner) use it and are deleted too.")
    finally:
        context.close()
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live)
        page.goto(live + "/oauthapps")
        page.get_by_role("link", name="Local_provider").click()
        expect(page.get_by_role("button", name="Copy client id")).to_be_hidden()
        expect(page.locator("#client-id")).to_have_text(CLIENT_ID)
    finally:
        context.close()

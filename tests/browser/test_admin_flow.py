"""The issue's "done when", in a real browser: an administrator logs in, registers a Google
Analytics application, creates a profile (after fixing a rejected name), creates one on
behalf of a user, and logs out; the JSON API then shows the same records."""
from __future__ import annotations

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import shot
from tests.conftest import APP_BODY, PASSWORD, basic
from webui.domain.rules import NAME_MESSAGE

pytestmark = pytest.mark.browser


def api(base: str, path: str, user: str = "admin") -> dict:
    request = urllib.request.Request(base + path, headers=basic(user, PASSWORD))
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def sign_in(page, base: str, user: str = "admin") -> None:
    page.goto(base + "/oauthprofiles")
    assert "/login?next=" in page.url
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/oauthprofiles")


def test_administrator_journey(page, live_server):
    base = live_server
    page.goto(base + "/login")
    shot(page, "01-login")
    sign_in(page, base)

    # Register a Google Analytics application.
    page.get_by_role("link", name="OAuth applications").click()
    page.get_by_role("link", name="Register an OAuth application").click()
    page.get_by_label("Name").fill(APP_BODY["name"])
    page.get_by_label("Data store").select_option(label="Google Analytics")
    page.get_by_label("Description").fill(APP_BODY["description"])
    page.get_by_label("Client id").fill(APP_BODY["clientId"])
    page.get_by_label("Client secret").fill(APP_BODY["clientSecret"])
    page.get_by_label("Authorize URI").fill(APP_BODY["authorizeURI"])
    page.get_by_label("Token URI").fill(APP_BODY["tokenURI"])
    page.get_by_label("Scope").fill(APP_BODY["scope"])
    shot(page, "02-application-form")
    page.get_by_role("button", name="Register application").click()
    expect(page.get_by_text("OAuth application GA_app registered.")).to_be_visible()
    assert page.locator("#redirect-uri code").inner_text() == base + "/oauth2callback"
    assert APP_BODY["clientSecret"] not in page.content()
    shot(page, "03-application-detail")

    # A profile with a rejected name, then fixed.
    page.get_by_role("link", name="OAuth profiles").click()
    page.get_by_role("link", name="New OAuth profile").click()
    page.get_by_label("Name").fill("my profile")
    page.get_by_label("OAuth application").select_option(label="GA_app")
    page.get_by_label("Description").fill("Analytics of the shop")
    page.get_by_label("Refresh token").fill("refresh-token-typed-by-hand")
    page.get_by_role("button", name="Create profile").click()
    name = page.get_by_label("Name")
    expect(page.locator("#name-error")).to_have_text(NAME_MESSAGE)
    expect(name).to_have_attribute("aria-invalid", "true")
    assert name.input_value() == "my profile"
    assert page.get_by_label("Refresh token").input_value() == ""
    shot(page, "04-profile-form-with-error")
    name.fill("my_profile")
    page.get_by_label("Refresh token").fill("refresh-token-typed-by-hand")
    page.get_by_role("button", name="Create profile").click()
    expect(page.get_by_text("OAuth profile my_profile created for admin.")).to_be_visible()
    shot(page, "05-profile-detail")
    page.get_by_role("link", name="All profiles").click()
    shot(page, "06-profile-list")

    # Users page, then act on behalf of alice.
    page.get_by_role("link", name="Users").click()
    expect(page.get_by_role("link", name="alice")).to_be_visible()
    shot(page, "07-users")
    page.get_by_role("link", name="Act for a user").click()
    page.get_by_label("User name").fill("alice")
    page.get_by_role("button", name="Act for this user").click()
    expect(page.locator("#whose")).to_contain_text("Acting for: alice")
    page.get_by_role("link", name="New OAuth profile").click()
    page.get_by_label("Name").fill("alice_ga")
    page.get_by_label("OAuth application").select_option(label="GA_app")
    page.get_by_label("Refresh token").fill("refresh-token-for-alice")
    page.get_by_role("button", name="Create profile").click()
    expect(page.get_by_text("OAuth profile alice_ga created for alice.")).to_be_visible()
    expect(page.locator("#whose")).to_contain_text("Acting for: alice")
    shot(page, "08-acting-for-alice")
    page.get_by_role("button", name="Stop acting for alice").click()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(base + "/login")
    expect(page.get_by_text("You have been signed out.")).to_be_visible()
    page.goto(base + "/oauthprofiles")
    page.wait_for_url(base + "/login?next=%2Foauthprofiles")
    shot(page, "09-logged-out")

    # The same records through the JSON API.
    [app] = api(base, "/api/mgmt/oauthapps")["applications"]
    assert (app["name"], app["dataStore"], app["scope"]) == ("GA_app", 54, APP_BODY["scope"])
    [mine] = api(base, "/api/mgmt/oauthprofiles")["profiles"]
    assert (mine["name"], mine["oauthAppId"], mine["description"]) == \
        ("my_profile", app["id"], "Analytics of the shop")
    [hers] = api(base, "/api/mgmt/oauthprofiles", user="alice")["profiles"]
    assert (hers["name"], hers["oauthAppId"]) == ("alice_ga", app["id"])
    assert api(base, "/api/mgmt/oauthprofiles?user=alice")["profiles"] == [hers]


def test_small_screen_and_keyboard_focus(page, live_server):
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, live_server, user="alice")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "10-profiles-360px")
    page.goto(live_server + "/oauthprofiles/new")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_label("Name").focus()
    page.keyboard.press("Tab")  # keyboard focus, so :focus-visible applies
    page.keyboard.press("Shift+Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    shot(page, "11-profile-form-360px")

"""The authorization-code flow in a real browser (issue 6's "done when"): sign in, fill the
new-profile form, click "Authorize", consent on the local provider's page, land back on the
profile's page, and see the profile through the API. Also proves the CSP lets the flow
through (no violation reported by Chromium)."""
from __future__ import annotations

import logging
import re

import pytest
import requests

from tests.browser.conftest import provider_server, shot
from tests.conftest import PASSWORD, basic
from tests.oauth_provider import provider  # noqa: F401 - a fixture

pytestmark = pytest.mark.browser


@pytest.fixture
def live(tmp_path, sqlite_template, provider):  # noqa: F811
    """The app on a live loopback server, with an application for the local provider."""
    with provider_server(tmp_path / "live.sqlite3", sqlite_template, provider, "alice",
                         "User") as (url, _app_id):
        yield url


def test_authorize_with_the_provider_creates_the_profile(page, live, provider,  # noqa: F811
                                                         caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    base = live
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)

    page.goto(base + "/login")
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/oauthprofiles")

    page.goto(base + "/oauthprofiles/new")
    page.get_by_label("Name").fill("Analytics_EU")
    page.get_by_label("OAuth application").select_option(label="Local_provider")
    page.get_by_label("Description").fill("Authorized in the browser")
    page.locator("#authorize").focus()
    shot(page, "oauth-01-authorize-button")
    page.get_by_role("button", name="Authorize with the provider").click()

    page.wait_for_url(re.compile(re.escape(provider.url) + r"/authorize\?"))
    assert page.get_by_role("button", name="Allow").is_visible()
    shot(page, "oauth-02-provider-consent")
    page.get_by_role("button", name="Allow").click()

    page.wait_for_url(re.compile(re.escape(base) + r"/oauthprofiles/\d+$"))
    assert page.get_by_text("OAuth profile Analytics_EU created with the provider's "
                            "tokens.").is_visible()
    assert page.locator("h1").inner_text() == "OAuth profile Analytics_EU"
    shot(page, "oauth-03-authorized-profile")
    assert violations == []
    # The development server logged the callback without its query (the provider's codes
    # are "code-..."; the provider's own log lines carry no code).
    assert "/oauth2callback?[redacted]" in caplog.text
    assert "code-" not in caplog.text and "/oauth2callback?code" not in caplog.text

    profile_id = int(page.url.rsplit("/", 1)[1])
    body = requests.get(f"{base}/api/mgmt/oauthprofiles/{profile_id}",
                        headers=basic("alice", PASSWORD), timeout=10).json()
    assert body["name"] == "Analytics_EU" and body["status"] == "active"
    assert body["hasAccessToken"] and body["hasRefreshToken"] and body["tokenExpiresAt"]
    [request] = provider.token_requests
    assert request["grant_type"] == "authorization_code" and request["code_verifier"]
    # Neither the code nor a token is left in the browser's address bar.
    assert "code=" not in page.url and "state=" not in page.url

    # "Test connection" refreshes the tokens; "Re-authorize" runs the same flow again.
    page.get_by_role("button", name="Test connection").click()
    assert page.get_by_text("Connection OK").is_visible()
    page.get_by_role("button", name="Re-authorize").click()
    page.wait_for_url(re.compile(re.escape(provider.url) + r"/authorize\?"))
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(f"{base}/oauthprofiles/{profile_id}")
    assert page.get_by_text("OAuth profile Analytics_EU re-authorized with the provider's "
                            "tokens.").is_visible()
    assert [r["grant_type"] for r in provider.token_requests] == [
        "authorization_code", "refresh_token", "authorization_code"]
    assert violations == []

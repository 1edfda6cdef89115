"""Browser hardening (webui/security_headers.py), HTTPS-only cookies and ProxyFix settings."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import APP_BODY
from tests.pages import login
from webui.infra.security_headers import PAGE_POLICY

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
DIRECTIVES = {"default-src 'self'", "frame-ancestors 'none'", "object-src 'none'",
              "base-uri 'self'", "form-action 'self'"}


def directives(response) -> set[str]:
    return {d.strip() for d in response.headers["Content-Security-Policy"].split(";")}


def assert_hardened(response):
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_html_pages_carry_the_content_security_policy(client):
    for response in (client.get("/login"), client.get("/no/such/page")):
        assert response.mimetype == "text/html"
        assert directives(response) == DIRECTIVES
        assert_hardened(response)
        assert response.headers["Cache-Control"] == "no-store"
        assert "Strict-Transport-Security" not in response.headers


def test_api_answers_are_hardened_and_never_cached(client, admin, google_app):
    for response in (client.get(f"/api/mgmt/oauthapps/{google_app}", headers=admin.basic),
                     client.get("/api/mgmt/oauthapps/999", headers=admin.basic),
                     client.get("/api/openapi.json")):
        assert response.mimetype == "application/json"
        assert directives(response) == {"default-src 'none'", "frame-ancestors 'none'"}
        assert_hardened(response)
        assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/oauthapps/new", "/oauthapps/{app}/edit",
                                  "/oauthprofiles/new", "/users/new",
                                  "/users/{admin}/password"])
def test_pages_with_secret_bearing_forms_are_not_stored(client, admin, google_app, path):
    login(client, admin)
    response = client.get(path.format(app=google_app, admin=admin.id))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert directives(response) == DIRECTIVES


def test_static_files_keep_their_own_caching(client):
    css = next((TEMPLATES.parent / "static").glob("*.css")).name
    response = client.get(f"/static/{css}")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
    assert_hardened(response)


def test_templates_need_nothing_the_policy_forbids():
    """default-src 'self' blocks inline script, inline style and event-handler attributes;
    a template using them would break silently in the browser."""
    forbidden = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=|javascript:",
                           re.I)
    offenders = [f"{path.relative_to(TEMPLATES)}: {m.group(0)!r}"
                 for path in TEMPLATES.rglob("*.html")
                 for m in forbidden.finditer(path.read_text())]
    assert offenders == []
    assert "unsafe-inline" not in PAGE_POLICY and "unsafe-eval" not in PAGE_POLICY


def test_https_deployment_gets_hsts_and_secure_cookies(app_config, backend):
    from webui import create_app
    app = create_app({**app_config, "SESSION_COOKIE_SECURE": True})
    client = app.test_client()
    response = client.get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies, "the login page sets the session cookie (CSRF token)"
    for cookie in cookies:
        flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
        assert {"secure", "httponly", "samesite"} <= flags, cookie
        assert "samesite=lax" in cookie.lower()
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_plain_http_cookies_are_still_httponly_and_samesite(client):
    cookie = client.get("/login").headers["Set-Cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie


def test_behind_a_proxy_the_forwarded_client_and_scheme_are_used(app_config, backend,
                                                                  make_user):
    from webui import create_app
    app = create_app({**app_config, "PROXY_FIX_HOPS": 1})
    admin = make_user("admin", ("Administrator",))
    client = app.test_client()
    forwarded = {"X-Forwarded-For": "127.0.7.7", "X-Forwarded-Proto": "https",
                 "X-Forwarded-Host": "profiles.example.org"}
    created = client.post("/api/mgmt/oauthapps", json=APP_BODY,
                          headers={**admin.basic, **forwarded})
    assert created.status_code == 201
    [event] = client.get("/api/admin/audit?objectType=oauthapp",
                         headers=admin.basic).json["events"]
    assert event["clientAddress"] == "127.0.7.7"
    client.post("/api/mgmt/oauthapps", json={**APP_BODY, "name": "second"}, headers=admin.basic)
    listed = client.get("/api/mgmt/oauthapps?limit=1", headers={**admin.basic, **forwarded})
    # Links are built from PUBLIC_BASE_URL: a forwarded host comes from the client too.
    assert listed.headers["Link"].startswith(f"<{app.config['PUBLIC_BASE_URL']}/api/")
    assert "profiles.example.org" not in listed.headers["Link"]


def test_without_a_proxy_forwarded_headers_are_ignored(client, admin):
    created = client.post("/api/mgmt/oauthapps", json=APP_BODY,
                          headers={**admin.basic, "X-Forwarded-For": "127.0.7.7"})
    assert created.status_code == 201
    [event] = client.get("/api/admin/audit?objectType=oauthapp",
                         headers=admin.basic).json["events"]
    assert event["clientAddress"] == "127.0.0.1"

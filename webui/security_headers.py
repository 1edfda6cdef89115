"""Browser hardening: security headers on every response.

- HTML pages get a Content-Security-Policy that allows nothing but this origin (no inline
  script or style, no plugins, no framing, no <base> tricks) and lets forms submit only here.
  Other responses (JSON, files) get ``default-src 'none'``: they are never documents.
- ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` (for browsers without CSP
  level 2), ``Referrer-Policy: same-origin``. Not ``no-referrer``: Flask-WTF checks the Referer
  of form POSTs made over HTTPS (WTF_CSRF_SSL_STRICT), and same-origin still sends it to us
  while telling other sites nothing (OAuth callback URLs carry codes in their query).
- ``Cache-Control: no-store`` on every response that is not a static file, unless the view set
  its own: pages with secret-bearing forms, API answers with secrets, and everything else that
  is per user. Nothing we serve dynamically is worth a stale copy in a shared cache.
- ``Strict-Transport-Security`` when SESSION_COOKIE_SECURE is on (the deployment is HTTPS).

form-action and the OAuth redirect flow: Chromium applies form-action to every redirect a form
submission follows, so a page whose form POSTs to us and is answered with a redirect to a
provider's authorize URL would be blocked by ``form-action 'self'``. Rather than dropping
form-action for every page, the view that renders such a form calls ``allow_form_action(url)``
with the authorize URL; that page alone then also allows the provider's origin.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from flask.wrappers import Response

PAGE_POLICY = ("default-src 'self'; frame-ancestors 'none'; object-src 'none'; "
               "base-uri 'self'; form-action 'self'{extra}")
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=31536000"
_HOST = re.compile(r"[a-z0-9.-]+|\[[0-9a-f:.]+\]")


def allow_form_action(url: str) -> None:
    """Let the page being rendered submit forms that end up at url's origin (a POST answered
    by a redirect to an OAuth authorize URL). Ignores anything but a plain http(s) origin."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.scheme not in {"https", "http"} or not _HOST.fullmatch(host or ""):
        return
    origin = f"{parts.scheme}://{host}" + (f":{port}" if port else "")
    g.setdefault("form_action_origins", set()).add(origin)


def page_policy() -> str:
    extra = sorted(g.get("form_action_origins", ()))
    return PAGE_POLICY.format(extra="".join(f" {o}" for o in extra))


def add_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Content-Security-Policy",
                       page_policy() if response.mimetype == "text/html" else OTHER_POLICY)
    if request.endpoint != "static" and "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def register(app: Flask) -> None:
    app.after_request(add_headers)

"""A real OAuth 2.0 authorization server for the tests, on loopback: a small Flask app served
by werkzeug in a thread.

- GET /authorize checks the request (client, redirect_uri, response_type=code, state, PKCE
  S256) and shows a consent page with "Allow" and "Deny" buttons; the decision (a POST)
  redirects to the redirect_uri with a code or with error=access_denied.
- POST /token (and /other/token, a second endpoint that must stay untouched in some tests)
  redeems codes (once, same redirect_uri, PKCE verified, client authenticated by Basic or in
  the body) and refresh tokens.

Switches (attributes of Provider): rotate (issue a new refresh token on each refresh and
retire the old one), refresh_error (answer every refresh with this OAuth error, e.g.
"invalid_grant"), deny (the consent page answers access_denied by itself), delay (seconds to
wait before answering /token; ``peak`` counts the most requests in progress at once),
redirect_token (answer /token with a 302), omit_refresh (issue no refresh token for a code),
answer (a function returning /token's whole answer: the hostile provider of
tests/test_outbound.py). Every token request is recorded in ``token_requests``.
"""
from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlencode

import pytest
import requests
from bs4 import BeautifulSoup
from flask import (Flask, Response, abort, jsonify, redirect, render_template_string,
                   request)
from markupsafe import escape
from sqlalchemy import select
from werkzeug.serving import make_server

from webui.domain import profiles
from webui.domain.caller import Caller
from webui.domain.principal import Principal
from webui.extensions import db
from webui.models import User

CONSENT = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Local provider: consent</title>
<style>body{font-family:sans-serif;max-width:32rem;margin:3rem auto}
button{font-size:1.1rem;padding:.5rem 1.2rem;margin-right:1rem}</style></head><body>
<h1>Local test provider</h1>
<p>The application <strong>{{ client_id }}</strong> asks for access to
<code>{{ scope or "(no scope)" }}</code>.</p>
<form method="post" action="/authorize">
{% for k, v in params.items() %}<input type="hidden" name="{{ k }}" value="{{ v }}">{% endfor %}
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form></body></html>"""


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass
class Client:
    secret: str
    redirect_uris: set[str] = field(default_factory=set)


@dataclass
class Provider:
    url: str = ""
    clients: dict[str, Client] = field(default_factory=dict)
    codes: dict[str, dict] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # token -> client_id
    authorize_requests: list[dict] = field(default_factory=list)
    token_requests: list[dict] = field(default_factory=list)
    rotate: bool = False
    refresh_error: str | None = None
    deny: bool = False
    delay: float = 0.0
    redirect_token: bool = False
    omit_refresh: bool = False
    # When set, /token answers with what this returns (a hostile provider's answer).
    answer: Callable[[], Response] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    issued: int = 0
    in_flight: int = 0
    peak: int = 0  # the most token requests in progress at once

    def register(self, client_id: str, secret: str, redirect_uri: str) -> None:
        self.clients[client_id] = Client(secret, {redirect_uri})

    def endpoints(self, token_path: str = "/token") -> dict[str, str]:
        return {"authorizeURI": f"{self.url}/authorize", "tokenURI": f"{self.url}{token_path}"}

    def grant_refresh_token(self, client_id: str) -> str:
        """A refresh token this provider accepts, as if issued earlier."""
        token = "rt-" + secrets.token_urlsafe(16)
        self.refresh_tokens[token] = client_id
        return token

    def _new_tokens(self, client_id: str, with_refresh: bool = True) -> dict:
        self.issued += 1
        body = {"access_token": f"at-{self.issued}-" + secrets.token_urlsafe(12),
                "token_type": "Bearer", "expires_in": 3600}
        if with_refresh:
            body["refresh_token"] = self.grant_refresh_token(client_id)
        return body


def _error(error: str, status: int = 400):
    return jsonify({"error": error, "error_description": f"test provider: {error}"}), status


def _client(provider: Provider) -> str | None:
    """The authenticated client id (Basic, or client_id + client_secret in the body)."""
    auth = request.authorization
    if auth is not None and auth.type == "basic":
        client_id, secret = auth.username, auth.password
    else:
        client_id, secret = request.form.get("client_id"), request.form.get("client_secret")
    client = provider.clients.get(client_id or "")
    if client is None or not secrets.compare_digest(client.secret, secret or ""):
        return None
    return client_id


def build_app(provider: Provider) -> Flask:
    app = Flask(__name__)

    @app.get("/authorize")
    def authorize():
        params = request.args.to_dict()
        provider.authorize_requests.append(params)
        client = provider.clients.get(params.get("client_id", ""))
        if client is None or params.get("redirect_uri") not in client.redirect_uris:
            abort(400, "unknown client or redirect_uri")  # never redirect to an unknown URI
        if params.get("response_type") != "code" or not params.get("state") \
                or params.get("code_challenge_method") != "S256" \
                or not params.get("code_challenge"):
            return redirect(params["redirect_uri"] + "?" + urlencode(
                {"error": "invalid_request", "state": params.get("state", "")}))
        if provider.deny:
            return redirect(params["redirect_uri"] + "?" + urlencode(
                {"error": "access_denied", "state": params["state"]}))
        return render_template_string(CONSENT, params=params, client_id=params["client_id"],
                                      scope=params.get("scope"))

    @app.post("/authorize")
    def decide():
        params = request.form.to_dict()
        client = provider.clients.get(params.get("client_id", ""))
        if client is None or params.get("redirect_uri") not in client.redirect_uris:
            abort(400)
        target = params["redirect_uri"]
        if params.get("decision") != "allow":
            return redirect(target + "?" + urlencode(
                {"error": "access_denied", "state": params["state"]}))
        code = "code-" + secrets.token_urlsafe(16)
        provider.codes[code] = {"client_id": params["client_id"], "redirect_uri": target,
                                "challenge": params["code_challenge"]}
        return redirect(target + "?" + urlencode({"code": code, "state": params["state"]}))

    def token():
        with provider.lock:
            provider.token_requests.append({"path": request.path, **request.form.to_dict()})
            provider.in_flight += 1
            provider.peak = max(provider.peak, provider.in_flight)
        try:
            return answer()
        finally:
            with provider.lock:
                provider.in_flight -= 1

    def answer():
        if provider.delay:
            time.sleep(provider.delay)
        if provider.answer is not None:
            return provider.answer()
        if provider.redirect_token:
            return redirect(f"{provider.url}/elsewhere", 302)
        client_id = _client(provider)
        if client_id is None:
            return _error("invalid_client", 401)
        grant = request.form.get("grant_type")
        with provider.lock:
            if grant == "authorization_code":
                issued = provider.codes.pop(request.form.get("code", ""), None)
                if issued is None or issued["client_id"] != client_id \
                        or issued["redirect_uri"] != request.form.get("redirect_uri") \
                        or s256(request.form.get("code_verifier", "")) != issued["challenge"]:
                    return _error("invalid_grant")
                return jsonify(provider._new_tokens(client_id, not provider.omit_refresh))
            if grant == "refresh_token":
                if provider.refresh_error:
                    return _error(provider.refresh_error)
                old = request.form.get("refresh_token", "")
                if provider.refresh_tokens.get(old) != client_id:
                    return _error("invalid_grant")
                body = provider._new_tokens(client_id, with_refresh=provider.rotate)
                if provider.rotate:
                    del provider.refresh_tokens[old]
                return jsonify(body)
        return _error("unsupported_grant_type")

    app.add_url_rule("/token", "token", token, methods=["POST"])
    app.add_url_rule("/other/token", "other_token", token, methods=["POST"])

    @app.get("/")
    def index():
        return f"<p>Local test provider at {escape(provider.url)}</p>"

    return app


class Server:
    """Serve a WSGI app on 127.0.0.1 (a free port) in a daemon thread."""

    def __init__(self, wsgi_app):
        self._server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "Server":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def running_provider():
    """Context manager yielding a started Provider (its ``url`` set)."""
    provider = Provider()
    server = Server(build_app(provider))
    provider.url = server.url
    return provider, server


# Fixtures, imported by the test modules that use them.

PUBLIC_BASE_URL = "https://opm.test.example"
# What an operator sets to let the server reach a provider on this machine.
LOOPBACK_NETWORKS = "127.0.0.0/8,::1/128"
LOCAL_PROVIDER = {"ALLOW_HTTP_LOOPBACK_OAUTH": True, "OAUTH_ALLOWED_NETWORKS": LOOPBACK_NETWORKS}
CLIENT_ID, CLIENT_SECRET = "local-client-1", "local-secret-XYZ-4711"


@pytest.fixture
def provider():
    """A started local authorization server (reset for each test)."""
    provider, server = running_provider()
    with server:
        yield provider


@pytest.fixture
def oauth_config(app_config) -> dict:
    """Settings for the flow: the local provider opened to the outbound policy (loopback
    networks, http); a fixed public base URL (tests that need a live server override
    PUBLIC_BASE_URL)."""
    return {**app_config, **LOCAL_PROVIDER, "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "OUTBOUND_DEADLINE_SECONDS": 5.0}


@pytest.fixture
def local_app(client, admin, provider) -> int:  # noqa: F811
    """The id of an OAuth application registered for the local provider."""
    return register_app(client, admin, provider)


def register_app(client, admin, provider, *, name="Local_app", data_store=63,
                 token_path="/token", client_id=CLIENT_ID, base_url=PUBLIC_BASE_URL) -> int:
    """An OAuth application for the local provider, registered through the API; its id."""
    provider.register(client_id, CLIENT_SECRET, base_url + "/oauth2callback")
    response = client.post("/api/mgmt/oauthapps", headers=admin.basic, json={
        "name": name, "dataStore": data_store, "clientId": client_id,
        "clientSecret": CLIENT_SECRET, "scope": "read write",
        **provider.endpoints(token_path)})
    assert response.status_code == 201, response.json
    return response.json["id"]


def stored_profile(app, user_name: str, profile_id: int):
    """The profile as stored, tokens decrypted (read through the domain)."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.user_name == user_name))
        profile = profiles.get_profile(Caller.own(Principal.of(user)), profile_id, with_tokens=True)
        db.session.remove()
    return profile


def consent(url: str, decision: str = "allow") -> str:
    """Answer the provider's consent page as a person would; returns the callback URL."""
    page = requests.get(url, allow_redirects=False, timeout=5)
    if page.status_code == 302:
        return page.headers["Location"]
    form = BeautifulSoup(page.text, "html.parser").select_one("form")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    answer = requests.post(url.split("?")[0], data={**data, "decision": decision},
                           allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    return answer.headers["Location"]


@dataclass(frozen=True)
class Saved:
    """A profile of alice's whose refresh token the local provider knows."""
    id: int
    app_id: int
    refresh_token: str

    @property
    def url(self) -> str:
        return f"/api/mgmt/oauthprofiles/{self.id}/refresh"


@pytest.fixture
def saved(client, admin, alice, provider) -> Saved:  # noqa: F811
    """alice's profile holding a refresh token the provider knows (and an access token)."""
    app_id = register_app(client, admin, provider)
    token = provider.grant_refresh_token(CLIENT_ID)
    response = client.post("/api/mgmt/oauthprofiles", headers=alice.basic, json={
        "name": "Warehouse", "oauthAppId": app_id, "accessToken": "old-access",
        "refreshToken": token})
    assert response.status_code == 201
    return Saved(response.json["id"], app_id, token)

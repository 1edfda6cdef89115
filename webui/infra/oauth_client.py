"""The client side of OAuth 2.0 (RFC 6749) with PKCE (RFC 7636), to RFC 9700's practices: the
authorization URL (built by Authlib, no network) and token requests, sent through the one
outbound policy (outbound.py) and read defensively.

A token answer is parsed only after the policy has capped it (64 KiB by default), and its JSON
nesting is bounded before the parser sees it: deeply nested JSON made the standard parser raise
RecursionError, a 500 after the provider had already spent the refresh token. Nothing here
judges the token values themselves: the domain applies its own token rules to them
(webui/domain/provider.py), exactly as to what clients send.
"""
from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import quote, urlencode

from authlib.integrations.requests_client import OAuth2Session

from webui.infra import outbound

MAX_DEPTH = 16
ERROR_CODE = re.compile(r"[a-z_]{1,64}", re.ASCII)
_USER_AGENT = "OAuthProfileManager"


class TokenRefused(Exception):
    """The token endpoint answered with an error. ``error``: the OAuth error code when it sent
    a well-formed one (e.g. "invalid_grant"); ``status``: the HTTP status; ``retry_after``:
    seconds, from a 429/503 Retry-After."""

    def __init__(self, error: str | None, status: int, retry_after: float | None = None):
        super().__init__(error or f"HTTP {status}")
        self.error, self.status, self.retry_after = error, status, retry_after


class BadAnswer(Exception):
    """The token endpoint's answer is not a usable JSON object."""


@dataclass(frozen=True)
class TokenAnswer:
    """The fields of a successful token response, as sent (types not yet judged)."""
    access_token: Any
    refresh_token: Any
    expires_in: Any
    scope: Any
    token_type: Any


def authorization_url(authorize_uri: str, client_id: str, redirect_uri: str, state: str,
                      code_verifier: str, extra: Mapping[str, str]) -> str:
    """The provider URL to send the browser to (response_type=code, PKCE S256)."""
    session = OAuth2Session(client_id=client_id, redirect_uri=redirect_uri,
                            code_challenge_method="S256")
    try:
        uri, _ = session.create_authorization_url(authorize_uri, state=state,
                                                  code_verifier=code_verifier, **extra)
    finally:
        session.close()
    return uri


def _basic(client_id: str, client_secret: str | None) -> str:
    # RFC 6749 2.3.1: each part form-urlencoded before the Basic encoding.
    pair = f"{quote(client_id, safe='')}:{quote(client_secret or '', safe='')}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def depth(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON text (strings skipped)."""
    deepest = level = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            level += 1
            deepest = max(deepest, level)
        elif char in "]}":
            level -= 1
    return deepest


def _json_object(body: bytes) -> dict | None:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if depth(text) > MAX_DEPTH:
        return None
    try:
        value = json.loads(text, parse_constant=lambda name: None)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def token_request(policy: outbound.Policy, token_uri: str, client_id: str,
                  client_secret: str | None, params: Mapping[str, str]) -> TokenAnswer:
    """POST a token request (client_secret_basic). Raises outbound.Refused, outbound.Failed,
    TokenRefused (an error answer), BadAnswer (a 2xx without a JSON object)."""
    answer = outbound.send(policy, "POST", token_uri, urlencode(params).encode(), {
        "Authorization": _basic(client_id, client_secret),
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json", "User-Agent": _USER_AGENT})
    body = _json_object(answer.body)
    if not 200 <= answer.status < 300:
        error = body.get("error") if body else None
        code = error if isinstance(error, str) and ERROR_CODE.fullmatch(error) else None
        raise TokenRefused(code, answer.status, answer.retry_after())
    if body is None:
        raise BadAnswer()
    return TokenAnswer(body.get("access_token"), body.get("refresh_token"),
                       body.get("expires_in"), body.get("scope"), body.get("token_type"))

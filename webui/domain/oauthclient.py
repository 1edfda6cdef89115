"""Outbound calls to an OAuth 2.0 provider: the client side of the authorization-code grant
with PKCE (RFC 6749, RFC 7636), through Authlib, kept to RFC 9700's practices.

Every call: the endpoint must pass rules.check_endpoint (https; http only to a loopback host
when ALLOW_HTTP_LOOPBACK_OAUTH is on), connect and read timeouts, redirects never followed
(a 3xx answer is a failure, so a token request cannot be bounced to another host). Failures
become ProviderError with a plain-language message; the provider's own text is never shown,
and no code or token ever appears in a message.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from flask import current_app

from webui.domain import rules
from webui.domain.datastores import CATALOGUE as DATA_STORES
from webui.domain.error_codes import Code
from webui.domain.errors import DomainError, RuleViolation
from webui.models import OAuthApplication

# Plain words for the error codes of RFC 6749 4.1.2.1 and 5.2.
MESSAGES = {
    "access_denied": "The authorization was declined at the provider, so nothing was saved.",
    "invalid_grant": "The provider no longer accepts this authorization (it was revoked, "
                     "expired or already used). Authorize the profile again.",
    "invalid_client": "The provider did not accept the application's client id or secret. "
                      "Ask an administrator to check the OAuth application.",
    "unauthorized_client": "The provider does not allow this application to use this kind "
                           "of authorization.",
    "invalid_scope": "The provider did not accept the application's scope.",
    "invalid_request": "The provider rejected the request as malformed.",
    "unsupported_response_type": "The provider does not support the authorization-code flow "
                                 "for this application.",
    "unsupported_grant_type": "The provider does not support this kind of token request.",
    "server_error": "The provider had an internal problem. Try again later.",
    "temporarily_unavailable": "The provider is temporarily unavailable. Try again later.",
}
TIMEOUT = "The provider did not answer in time. Try again later."
UNREACHABLE = "The provider could not be reached. Try again later."
REDIRECTED = "The provider's token endpoint answered with a redirect, which is not followed."
MALFORMED = "The provider's answer was not a valid token response."
NO_REFRESH_TOKEN = ("The provider did not return a refresh token, so the profile could not "
                    "be saved. Check the application's scope and settings at the provider.")
_ERROR_CODE = re.compile(r"[a-z_]{1,64}", re.ASCII)


class ProviderError(DomainError):
    """The provider refused a request or failed to answer properly (502, PROVIDER_ERROR).

    ``error`` holds the OAuth error code (e.g. "invalid_grant") when the provider sent one.
    """
    status = 502
    code = Code.PROVIDER_ERROR

    def __init__(self, message: str, error: str | None = None):
        super().__init__(message)
        self.error = error


def refused(error: object) -> ProviderError:
    """The ProviderError for an OAuth error code the provider reported."""
    code = error if isinstance(error, str) and _ERROR_CODE.fullmatch(error) else None
    message = MESSAGES.get(code or "") or (
        f"The provider refused the request ({code})." if code
        else "The provider refused the request.")
    return ProviderError(message, code)


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str | None
    expires_at: datetime | None


def wants_offline_consent(app: OAuthApplication) -> bool:
    """Google returns a refresh token only with access_type=offline and prompt=consent."""
    store = DATA_STORES.get(app.data_store)
    return bool(store and store.google)


def _endpoint(url: str, field: str) -> str:
    """Raises RuleViolation when the stored endpoint is not allowed (any more)."""
    try:
        return rules.check_endpoint(url, field, allow_http_loopback=current_app.config[
            "ALLOW_HTTP_LOOPBACK_OAUTH"])
    except DomainError as exc:
        raise RuleViolation(f"The application's {exc.message[0].lower()}{exc.message[1:]}",
                            field) from None


def _session(app: OAuthApplication, redirect_uri: str | None = None) -> OAuth2Session:
    config = current_app.config
    session = OAuth2Session(client_id=app.client_id, client_secret=app.client_secret,
                            redirect_uri=redirect_uri, code_challenge_method="S256",
                            default_timeout=(config["OAUTH_CONNECT_TIMEOUT"],
                                             config["OAUTH_READ_TIMEOUT"]))
    session.max_redirects = 0
    session.register_compliance_hook("access_token_response", _no_redirect)
    session.register_compliance_hook("refresh_token_response", _no_redirect)
    return session


def _no_redirect(response: requests.Response) -> requests.Response:
    if response.is_redirect or 300 <= response.status_code < 400:
        raise ProviderError(REDIRECTED)
    return response


def authorization_url(app: OAuthApplication, redirect_uri: str, state: str,
                      code_verifier: str) -> str:
    """The provider URL to send the browser to. Raises RuleViolation (endpoint not allowed)."""
    url = _endpoint(app.authorize_uri, "authorizeURI")
    extra: dict[str, Any] = {"scope": app.scope} if app.scope else {}
    if wants_offline_consent(app):
        extra |= {"access_type": "offline", "prompt": "consent"}
    session = _session(app, redirect_uri)
    try:
        uri, _ = session.create_authorization_url(url, state=state,
                                                  code_verifier=code_verifier, **extra)
    finally:
        session.close()
    return uri


def redeem_code(app: OAuthApplication, code: str, redirect_uri: str,
                code_verifier: str, now: datetime) -> Tokens:
    """Exchange an authorization code at the application's token URI.

    Raises RuleViolation (endpoint not allowed), ProviderError (refusal, timeout, bad answer).
    """
    url = _endpoint(app.token_uri, "tokenURI")
    session = _session(app, redirect_uri)
    return _tokens(lambda: session.fetch_token(
        url, grant_type="authorization_code", code=code, redirect_uri=redirect_uri,
        code_verifier=code_verifier, allow_redirects=False), session, now)


def refresh(app: OAuthApplication, refresh_token: str, now: datetime) -> Tokens:
    """Exchange a refresh token for a new access token. A response without a refresh token
    leaves ``refresh_token`` None (the caller keeps the old one).

    Raises RuleViolation, ProviderError (error "invalid_grant" when the grant is dead).
    """
    url = _endpoint(app.token_uri, "tokenURI")
    session = _session(app)
    answer = _tokens(lambda: session.refresh_token(
        url, refresh_token=refresh_token, allow_redirects=False), session, now)
    if answer.refresh_token == refresh_token:  # Authlib fills in the old one when none came
        return Tokens(answer.access_token, None, answer.expires_at)
    return answer


def _tokens(call, session: OAuth2Session, now: datetime) -> Tokens:
    try:
        answer = call()
    except ProviderError:
        raise
    except OAuthError as exc:
        raise refused(exc.error) from None
    except requests.Timeout:
        raise ProviderError(TIMEOUT) from None
    except requests.TooManyRedirects:
        raise ProviderError(REDIRECTED) from None
    except requests.RequestException:
        raise ProviderError(UNREACHABLE) from None
    except ValueError:
        raise ProviderError(MALFORMED) from None
    finally:
        session.close()
    return _parse(dict(answer), now)


def _parse(answer: dict[str, Any], now: datetime) -> Tokens:
    access, refresh_token = answer.get("access_token"), answer.get("refresh_token")
    if not isinstance(access, str) or not access or len(access) > rules.TOKEN_MAX:
        raise ProviderError(MALFORMED)
    if refresh_token is not None and (not isinstance(refresh_token, str)
                                      or len(refresh_token) > rules.TOKEN_MAX):
        raise ProviderError(MALFORMED)
    expires_in = answer.get("expires_in")
    try:
        seconds = int(expires_in) if expires_in is not None else None
    except (TypeError, ValueError):
        seconds = None
    expires_at = now + timedelta(seconds=seconds) if seconds and 0 < seconds < 10**8 else None
    return Tokens(access, refresh_token or None, expires_at)

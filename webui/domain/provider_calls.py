"""Talking to an OAuth provider, in the domain's words: the authorization URL, redeeming a
code, refreshing tokens. The calls go through webui/infra/oauth_client.py and so through the
one outbound policy (webui/infra/outbound.py: allowed addresses, a total deadline, size caps,
no redirects); this module turns their failures into ProviderError with plain-language
messages (the provider's own text is never shown, and no code or token ever appears in a
message) and judges the tokens a provider sends by the same rules as tokens a client sends.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from webui.domain import rules
from webui.domain.datastores import CATALOGUE as DATA_STORES
from webui.domain.error_codes import Code
from webui.domain.errors import DomainError, Invalid, RuleViolation
from webui.infra import oauth_client, outbound
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
FAILURES = {
    "timeout": "The provider did not answer in time. Try again later.",
    "unreachable": "The provider could not be reached. Try again later.",
    "tls": "The provider's TLS certificate could not be verified.",
    "redirect": "The provider's token endpoint answered with a redirect, which is not followed.",
    "too_large": "The provider's answer was larger than allowed.",
    "encoding": "The provider's answer used a content encoding that is not accepted.",
    "protocol": "The provider's answer was not valid HTTP.",
}
TIMEOUT, UNREACHABLE, REDIRECTED = FAILURES["timeout"], FAILURES["unreachable"], \
    FAILURES["redirect"]
MALFORMED = "The provider's answer was not a valid token response."
BAD_TOKEN = "The provider's answer held a token that breaks the token rules (control " \
            "characters, or too long); it was not stored."
SERVER_FAILED = "The provider failed to answer the token request. Try again later."
RATE_LIMITED = "The provider asks to slow down. Try again later."
NOT_ALLOWED = "The application's {field} is not an allowed outbound destination (https to a " \
              "public address, or a network in OAUTH_ALLOWED_NETWORKS)."
NO_REFRESH_TOKEN = ("The provider did not return a refresh token, so the profile could not "
                    "be saved. Check the application's scope and settings at the provider.")


class ProviderError(DomainError):
    """The provider refused a request or failed to answer properly (502, PROVIDER_ERROR).

    ``error``: the OAuth error code the provider sent (e.g. "invalid_grant"), if any.
    ``transient``: whether trying again later may help (everything but invalid_grant).
    ``retry_after``: seconds the provider asked to wait (429/503). ``refresh_token``: a new
    refresh token found in an otherwise unusable answer (the provider may have spent the old
    one): the caller stores it rather than lose it.
    """
    status = 502
    code = Code.PROVIDER_ERROR

    def __init__(self, message: str, error: str | None = None, *, transient: bool = True,
                 retry_after: float | None = None, refresh_token: str | None = None):
        super().__init__(message)
        self.error, self.transient, self.retry_after = error, transient, retry_after
        self.refresh_token = refresh_token


def refused(error: object, retry_after: float | None = None) -> ProviderError:
    """The ProviderError for an OAuth error code the provider reported."""
    code = error if isinstance(error, str) and oauth_client.ERROR_CODE.fullmatch(error) \
        else None
    message = MESSAGES.get(code or "") or (
        f"The provider refused the request ({code})." if code
        else "The provider refused the request.")
    return ProviderError(message, code, transient=code != "invalid_grant",
                         retry_after=retry_after)


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str | None
    expires_at: datetime | None
    scope: str | None = None


def policy() -> outbound.Policy:
    """The outbound policy, from this app's settings as they are now."""
    return outbound.Policy.from_config(current_app.config)


def check_endpoint(value: object, field: str, judge: outbound.Policy | None = None) -> str:
    """An application's endpoint at save time: a well-formed absolute URL (rules.py), and
    what the outbound policy (judge; default: nothing opened) can judge without DNS: the
    scheme, and an IP literal's or localhost's address. Returns the URL. Raises Invalid."""
    url = rules.check_endpoint(value, field)
    try:
        outbound.check_static(judge or outbound.Policy(), url)
    except outbound.Refused:
        if urlsplit(url).scheme == "http":
            raise Invalid(rules.https_message(field), field) from None
        raise Invalid(f"{rules.label(field)} points to an address that outbound calls may not "
                      "reach (loopback, private, link-local or reserved); an operator can "
                      "open its network with OAUTH_ALLOWED_NETWORKS.", field) from None
    return url


def wants_offline_consent(app: OAuthApplication) -> bool:
    """Google returns a refresh token only with access_type=offline and prompt=consent."""
    store = DATA_STORES.get(app.data_store)
    return bool(store and store.google)


def authorization_url(app: OAuthApplication, redirect_uri: str, state: str,
                      code_verifier: str) -> str:
    """The provider URL to send the browser to. Raises RuleViolation (endpoint not allowed)."""
    _allowed(app.authorize_uri, "authorizeURI")
    extra: dict[str, Any] = {"scope": app.scope} if app.scope else {}
    if wants_offline_consent(app):
        extra |= {"access_type": "offline", "prompt": "consent"}
    return oauth_client.authorization_url(app.authorize_uri, app.client_id, redirect_uri,
                                          state, code_verifier, extra)


def _not_allowed(field: str) -> RuleViolation:
    """"The application's token URI is not ...": the label inside a sentence (an acronym
    such as URI or URL keeps its capitals)."""
    first, _, rest = rules.label(field).partition(" ")
    words = (first if first.isupper() else first.lower()) + (" " + rest if rest else "")
    return RuleViolation(NOT_ALLOWED.format(field=words), field)


def _allowed(url: str, field: str) -> None:
    try:
        outbound.check_static(policy(), url)
    except outbound.Refused:
        raise _not_allowed(field) from None


def redeem_code(app: OAuthApplication, code: str, redirect_uri: str, code_verifier: str,
                now: datetime) -> Tokens:
    """Exchange an authorization code at the application's token URI.

    Raises RuleViolation (endpoint not allowed), ProviderError (refusal, timeout, bad answer).
    """
    return _tokens(app, {"grant_type": "authorization_code", "code": code,
                         "redirect_uri": redirect_uri, "code_verifier": code_verifier}, now)


def refresh(app: OAuthApplication, refresh_token: str, now: datetime) -> Tokens:
    """Exchange a refresh token for a new access token. A response without a refresh token,
    or with the same one, leaves ``refresh_token`` None (the caller keeps the old one).

    Raises RuleViolation, ProviderError (error "invalid_grant" when the grant is dead).
    """
    tokens = _tokens(app, {"grant_type": "refresh_token", "refresh_token": refresh_token}, now)
    if tokens.refresh_token == refresh_token:
        return Tokens(tokens.access_token, None, tokens.expires_at, tokens.scope)
    return tokens


def _tokens(app: OAuthApplication, params: dict[str, str], now: datetime) -> Tokens:
    _allowed(app.token_uri, "tokenURI")
    try:
        answer = oauth_client.token_request(policy(), app.token_uri, app.client_id,
                                            app.client_secret, params)
    except outbound.Refused:
        raise _not_allowed("tokenURI") from None
    except outbound.Failed as exc:
        raise ProviderError(FAILURES[exc.kind]) from None
    except oauth_client.TokenRefused as exc:
        if exc.error is None and exc.status == 429:
            raise ProviderError(RATE_LIMITED, retry_after=exc.retry_after) from None
        if exc.error is None and exc.status >= 500:
            raise ProviderError(SERVER_FAILED, retry_after=exc.retry_after) from None
        raise refused(exc.error, exc.retry_after) from None
    except oauth_client.BadAnswer:
        raise ProviderError(MALFORMED) from None
    return _judged(answer, now)


def _token(value: Any, field: str) -> str | None:
    try:
        return rules.check_token(value, field, required=True)
    except Invalid:
        return None


def _judged(answer: oauth_client.TokenAnswer, now: datetime) -> Tokens:
    """The provider's values, checked by the rules that apply to what clients send."""
    refresh_token = None
    if answer.refresh_token is not None:
        refresh_token = _token(answer.refresh_token, "refreshToken")
        if refresh_token is None:
            raise ProviderError(BAD_TOKEN)
    access = _token(answer.access_token, "accessToken")
    if access is None:
        raise ProviderError(BAD_TOKEN if answer.access_token is not None else MALFORMED,
                            refresh_token=refresh_token)
    seconds = answer.expires_in
    if isinstance(seconds, str) and seconds.isascii() and seconds.isdigit():
        seconds = int(seconds)
    valid = isinstance(seconds, int) and not isinstance(seconds, bool) and 0 < seconds < 10**8
    scope = answer.scope if isinstance(answer.scope, str) and \
        rules.storable(answer.scope, rules.SCOPE_MAX) else None
    return Tokens(access, refresh_token, now + timedelta(seconds=seconds) if valid else None,
                  scope)

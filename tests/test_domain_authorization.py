"""The flow's domain rules without the HTML door: error wording, state lifetime and binding,
permissions of re-authorization, endpoints that are not allowed."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from tests.oauth_provider import consent, local_app, oauth_config, provider  # noqa: F401
from webui.domain import acting, authorization, provider_calls, profiles, sessions
from webui.domain.caller import Caller
from webui.domain.errors import Conflict, Forbidden, Invalid, RuleViolation
from webui.extensions import db
from webui.models import PendingAuthorization

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def app_config(oauth_config):  # noqa: F811
    return oauth_config


def signed_in(account, acting_for: str | None = None):
    """(Caller, login session id) of a fresh browser session of account (acting for the
    named user, when given)."""
    principal, token = sessions.sign_in(account.name, account.password)
    return acting.resolve(principal, acting_for), authorization.digest(token)


@pytest.mark.parametrize("error,expected", [
    ("access_denied", provider_calls.MESSAGES["access_denied"]),
    ("invalid_grant", provider_calls.MESSAGES["invalid_grant"]),
    ("slow_down", "The provider refused the request (slow_down)."),
    ("<b>bold</b>", "The provider refused the request."),
    ("x" * 65, "The provider refused the request."),
    (None, "The provider refused the request."),
])
def test_provider_errors_in_plain_words(error, expected):
    exc = provider_calls.refused(error)
    assert exc.message == expected and exc.status == 502 and exc.code == "222209010"


def test_the_state_lives_as_long_as_configured(app, alice, local_app):
    app.config["OAUTH_STATE_LIFETIME"] = timedelta(minutes=3)
    with app.app_context():
        actor, login_session = signed_in(alice)
        authorization.start_new_profile(actor, {"name": "P", "oauthAppId": local_app},
                                        login_session, now=NOW)
        row = db.session.scalars(select(PendingAuthorization)).one()
        expires = row.expires_at.replace(tzinfo=timezone.utc) if row.expires_at.tzinfo is None \
            else row.expires_at
        assert expires == NOW + timedelta(minutes=3)
        with pytest.raises(Invalid) as caught:
            authorization.complete(actor, login_session, {"state": "x", "code": "y"},
                                   now=NOW + timedelta(minutes=4))
        assert caught.value.message == authorization.STATE_UNKNOWN


def test_expired_states_are_swept_when_a_flow_starts(app, alice, local_app):
    with app.app_context():
        actor, login_session = signed_in(alice)
        for minute in (0, 20):
            authorization.start_new_profile(actor, {"name": "P", "oauthAppId": local_app},
                                            login_session, now=NOW + timedelta(minutes=minute))
        assert db.session.scalar(select(func.count()).select_from(PendingAuthorization)) == 1


def test_signing_out_ends_the_pending_authorizations_of_the_session(app, alice, local_app):
    with app.app_context():
        principal, token = sessions.sign_in(alice.name, alice.password)
        caller = Caller.own(principal)
        authorization.start_new_profile(caller, {"name": "P", "oauthAppId": local_app},
                                        authorization.digest(token))
        sessions.sign_out(token, caller)
        assert db.session.scalar(select(func.count()).select_from(PendingAuthorization)) == 0


def test_reauthorization_needs_modify_permission(app, client, admin, make_user, local_app):
    role = client.post("/api/admin/roles", headers=admin.basic, json={
        "name": "creators", "permissions": [1, 2, 8, 11], "users": []}).json
    creator = make_user("creator", roles_=(role["name"],))
    created = client.post("/api/mgmt/oauthprofiles", headers=creator.basic, json={
        "name": "Mine", "oauthAppId": local_app, "refreshToken": "r"}).json
    with app.app_context():
        actor, login_session = signed_in(creator)
        with pytest.raises(Forbidden):
            authorization.start_reauthorization(actor, created["id"], login_session)


def test_an_endpoint_not_allowed_stops_the_start(app, alice, local_app, provider):  # noqa: F811
    app.config["ALLOW_HTTP_LOOPBACK_OAUTH"] = False
    with app.app_context():
        actor, login_session = signed_in(alice)
        with pytest.raises(RuleViolation) as caught:
            authorization.start_new_profile(actor, {"name": "P", "oauthAppId": local_app},
                                            login_session)
    assert caught.value.field == "authorizeURI"
    assert provider.authorize_requests == []


def test_a_flow_started_on_behalf_creates_the_users_profile(app, admin, alice, local_app,
                                                           provider):  # noqa: F811
    with app.app_context():
        actor, login_session = signed_in(admin, acting_for="alice")
        url = authorization.start_new_profile(actor, {"name": "For_alice",
                                                      "oauthAppId": local_app},
                                              login_session)
        query = parse_qs(urlsplit(consent(url)).query)
        # The browser acts for nobody any more: the flow still completes for alice.
        done = authorization.complete(acting.resolve(actor.actor, None), login_session,
                                      {k: v[0] for k, v in query.items()})
        assert done.created and done.profile.owner_id == alice.id
        assert done.profile.name == "For_alice" and not done.profile.needs_reauthorization
        assert done.profile.token_expires_at is not None


def test_a_name_taken_while_at_the_provider_spends_no_grant(app, alice, local_app,
                                                            provider):  # noqa: F811
    with app.app_context():
        actor, session_id = signed_in(alice)
        url = authorization.start_new_profile(actor, {"name": "Twice", "oauthAppId": local_app},
                                              session_id, now=NOW)
        state = parse_qs(urlsplit(url).query)["state"][0]
        profiles.create_profile(actor, {"name": "Twice", "oauthAppId": local_app,
                                        "refreshToken": "typed meanwhile"})
        before = len(provider.token_requests)
        with pytest.raises(Conflict):
            authorization.complete(actor, session_id, {"state": state, "code": "any-code"},
                                   now=NOW)
        assert len(provider.token_requests) == before  # the code was never redeemed

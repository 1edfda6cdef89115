"""What is due for a background refresh (webui/domain/due.py), and the in-process pass
(``flask --app app refresh-due``), against the real local provider, on a controlled clock."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from tests.conftest import base_config
from tests.test_cli import invoke
from tests.oauth_provider import (CLIENT_ID, oauth_config, provider,  # noqa: F401
                                  register_app, stored_profile)
from webui import create_app
from webui.domain import due
from webui.domain.refresh import aware
from webui.extensions import db
from webui.models import OAuthApplication, OAuthProfile

T = datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)
AHEAD, KEEPALIVE = timedelta(seconds=600), timedelta(days=7)
SECOND = timedelta(seconds=1)


@pytest.fixture
def app_config(oauth_config):  # noqa: F811
    return {**oauth_config, "REFRESH_RETRY_BASE_SECONDS": 60, "REFRESH_MAX_ATTEMPTS": 2}


@pytest.fixture
def make_profile(app, client, admin, alice, provider):  # noqa: F811
    """make_profile(name, **columns) -> id: alice's profile with a refresh token the provider
    knows, then the given columns set as a past refresh would have left them."""
    app_id = register_app(client, admin, provider)

    def make(name: str, *, app_id: int = app_id, **columns) -> int:
        response = client.post("/api/mgmt/oauthprofiles", headers=alice.basic, json={
            "name": name, "oauthAppId": app_id, "accessToken": "old-access",
            "refreshToken": provider.grant_refresh_token(CLIENT_ID)})
        assert response.status_code == 201, response.json
        profile_id = response.json["id"]
        with app.app_context():
            db.session.execute(update(OAuthProfile).where(OAuthProfile.id == profile_id)
                               .values(created_at=T - 30 * KEEPALIVE, **columns))
            db.session.commit()
        return profile_id
    make.app_id = app_id
    return make


def selected(app, now: datetime) -> set[int]:
    with app.app_context():
        found = {d.profile_id for d in due.select_due(now, batch=2)}  # several batches
        db.session.remove()
    return found


def predicate(app, alice, ids, now: datetime) -> set[int]:
    with app.app_context():
        found = {i for i in ids if due.is_due(
            db.session.get(OAuthProfile, i), now)}
        db.session.remove()
    return found


def test_due_at_each_boundary_in_sql_and_in_python_alike(app, alice, make_profile):
    expected = {
        make_profile("expires_within_ahead", token_expires_at=T + AHEAD),
        make_profile("short_lived_settled", token_expires_at=T - SECOND,
                     tokens_refreshed_at=T - AHEAD / 2),
        make_profile("expired_long_ago", token_expires_at=T - KEEPALIVE),
        make_profile("unknown_expiry_keepalive", tokens_refreshed_at=T - KEEPALIVE),
        make_profile("never_refreshed_old"),  # created 30 weeks before T
        make_profile("backoff_passed", refresh_failures=1, next_refresh_at=T,
                     last_refresh_error="The provider did not answer in time."),
    }
    not_due = {
        make_profile("expires_after_ahead", token_expires_at=T + AHEAD + SECOND),
        # A token living less than the horizon: not asked for again on every pass.
        make_profile("short_lived_just_refreshed", token_expires_at=T + AHEAD / 2,
                     tokens_refreshed_at=T - AHEAD / 2 + SECOND),
        make_profile("refreshed_recently", tokens_refreshed_at=T - KEEPALIVE + SECOND),
        make_profile("backoff_waiting", refresh_failures=1, next_refresh_at=T + SECOND,
                     token_expires_at=T - SECOND),
        make_profile("retries_exhausted", refresh_failures=2, next_refresh_at=None,
                     token_expires_at=T - SECOND),
        make_profile("needs_reauthorization", needs_reauthorization=True,
                     token_expires_at=T - SECOND),
        make_profile("no_refresh_token", refresh_token=None, token_expires_at=T - SECOND),
    }
    assert selected(app, T) == expected
    assert predicate(app, alice, expected | not_due, T) == expected


def test_an_application_without_a_token_uri_is_never_due(app, client, admin, make_profile):
    other = make_profile("other_app", token_expires_at=T - SECOND)
    with app.app_context():
        app_id = db.session.get(OAuthProfile, other).oauth_app_id
        db.session.execute(update(OAuthApplication).where(OAuthApplication.id == app_id)
                           .values(token_uri=""))
        db.session.commit()
    assert selected(app, T) == set()


def test_a_pass_refreshes_each_due_profile_once(app, make_profile, provider):  # noqa: F811
    ids = [make_profile(f"p{n}", token_expires_at=T) for n in range(5)]
    make_profile("fresh", token_expires_at=T + timedelta(hours=2))
    with app.app_context():
        summary = due.refresh_due(T)
    assert summary.counts["refreshed"] == 5 and summary.due == 5
    assert sorted(r["grant_type"] for r in provider.token_requests) == ["refresh_token"] * 5
    for profile_id in ids:
        stored = stored_profile(app, "alice", profile_id)
        assert stored.access_token.startswith("at-")
        assert aware(stored.token_expires_at) == T + timedelta(seconds=3600)
    with app.app_context():  # the new tokens are not due: a second pass asks nothing
        assert due.refresh_due(T + SECOND).due == 0
    assert len(provider.token_requests) == 5


def test_transient_failures_back_off_then_give_up(app, make_profile, provider):  # noqa: F811
    profile_id = make_profile("flaky", token_expires_at=T)
    provider.refresh_error = "temporarily_unavailable"
    with app.app_context():
        assert due.refresh_due(T).counts["failed"] == 1
    first = stored_profile(app, "alice", profile_id)
    assert first.refresh_failures == 1 and first.last_refresh_error
    assert T + timedelta(seconds=48) <= aware(first.next_refresh_at) <= T + timedelta(seconds=72)
    with app.app_context():  # still backing off: no request
        assert due.refresh_due(T + timedelta(seconds=47)).due == 0
    assert len(provider.token_requests) == 1
    with app.app_context():
        assert due.refresh_due(T + timedelta(seconds=73)).counts["failed"] == 1
    gave_up = stored_profile(app, "alice", profile_id)
    assert gave_up.refresh_failures == 2 and gave_up.next_refresh_at is None
    assert gave_up.status_at(T, timedelta(seconds=60)) == "refreshFailing"
    with app.app_context():
        assert due.refresh_due(T + timedelta(days=30)).due == 0
    assert len(provider.token_requests) == 2


def test_invalid_grant_is_never_retried(app, make_profile, provider):  # noqa: F811
    profile_id = make_profile("revoked", token_expires_at=T)
    provider.refresh_error = "invalid_grant"
    with app.app_context():
        assert due.refresh_due(T).counts["needs_reauthorization"] == 1
        assert due.refresh_due(T + timedelta(days=30)).due == 0
    assert stored_profile(app, "alice", profile_id).status_at(
        T, timedelta(seconds=60)) == "needsReauthorization"
    assert len(provider.token_requests) == 1


def test_at_most_refresh_per_host_requests_at_once(app, make_profile,
                                                   provider):  # noqa: F811
    app.config["REFRESH_PER_HOST"] = 2
    provider.delay = 0.3
    for n in range(6):
        make_profile(f"p{n}", token_expires_at=T)
    with app.app_context():
        assert due.refresh_due(T, threads=6).counts["refreshed"] == 6
    assert len(provider.token_requests) == 6 and provider.peak == 2


def test_refresh_due_command(app, make_profile, provider):  # noqa: F811
    make_profile("expired", token_expires_at=datetime.now(timezone.utc) - SECOND)
    result = invoke(app, "refresh-due")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("refresh-due: 1 due; 1 refreshed")
    assert len(provider.token_requests) == 1
    assert invoke(app, "refresh-due").output.startswith("refresh-due: 0 due")


def test_refresh_due_fails_only_when_it_cannot_run(tmp_path):
    broken = create_app(base_config(f"sqlite:///{tmp_path}/missing/db.sqlite3"))
    result = invoke(broken, "refresh-due")
    assert result.exit_code == 1 and "could not run" in result.output


def test_a_token_uri_no_longer_allowed_backs_off_like_a_failure(app, make_profile, provider):  # noqa: F811
    profile_id = make_profile("refused_address", token_expires_at=T - SECOND)
    with app.app_context():
        app_id = db.session.get(OAuthProfile, profile_id).oauth_app_id
        db.session.execute(update(OAuthApplication).where(OAuthApplication.id == app_id)
                           .values(token_uri="https://10.0.0.1/token"))
        db.session.commit()
        assert due.refresh_due(T).counts["failed"] == 1
    stored = stored_profile(app, "alice", profile_id)
    assert stored.refresh_failures == 1 and "token URI" in stored.last_refresh_error
    assert aware(stored.next_refresh_at) > T
    assert selected(app, T + SECOND) == set()  # not asked again on the next pass
    assert provider.token_requests == []

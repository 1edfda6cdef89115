"""Webhooks: /api/admin/webhooks, the events written with the change (the outbox), and their
delivery to a real local receiver, signed as Standard Webhooks says, with retries."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import Text, select, type_coerce
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.oauth_provider import (CLIENT_ID, consent, oauth_config,  # noqa: F401
                                  provider, register_app)
from tests.test_domain_authorization import signed_in
from tests.test_due import T, make_profile  # noqa: F401
from tests.webhook_receiver import closed_port_url, receiver  # noqa: F401
from webui.domain import authorization, deliveries, due, events
from webui.domain.refresh import aware
from webui.extensions import db
from webui.models import WebhookDelivery, WebhookEndpoint

URL = "/api/admin/webhooks"
ALL = list(events.EVENT_TYPES)


@pytest.fixture
def app_config(oauth_config):  # noqa: F811
    return {**oauth_config, "REFRESH_RETRY_BASE_SECONDS": 60, "REFRESH_MAX_ATTEMPTS": 2,
            "WEBHOOK_MAX_ATTEMPTS": 3, "WEBHOOK_RETRY_BASE_SECONDS": 30}


@pytest.fixture
def hook(client, admin, receiver):  # noqa: F811
    """(id, secret) of an endpoint at the receiver, subscribed to every event."""
    response = client.post(URL, headers=admin.basic, json={
        "url": receiver.url, "events": ALL, "description": "ops"})
    assert response.status_code == 201, response.json
    return response.json["id"], response.json["secret"]


def rows(app) -> list[WebhookDelivery]:
    with app.app_context():
        found = db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
        db.session.expunge_all()
        db.session.remove()
    return list(found)


def send(app, now: datetime) -> dict[str, int]:
    with app.app_context():
        return deliveries.deliver_due(now)


def test_administrators_manage_endpoints_and_see_the_secret_once(app, client, admin, alice,
                                                                 hook):
    webhook_id, secret = hook
    assert secret.startswith("whsec_") and len(Webhook(secret)._whsecret) == 32
    one = client.get(f"{URL}/{webhook_id}", headers=admin.basic)
    assert one.status_code == 200 and "secret" not in one.json
    assert one.json["events"] == ALL and one.json["active"] is True
    assert [w["id"] for w in client.get(URL, headers=admin.basic).json["webhooks"]] == \
        [webhook_id]
    changed = client.put(f"{URL}/{webhook_id}", headers=admin.basic,
                         json={"events": [events.RECOVERED], "active": False})
    assert changed.status_code == 200
    assert changed.json["events"] == [events.RECOVERED] and changed.json["active"] is False
    with app.app_context():  # stored encrypted, never in clear
        stored = db.session.scalar(select(type_coerce(WebhookEndpoint.secret, Text)))
        assert secret not in stored and secret.split("_")[1] not in stored
    assert client.get(URL, headers=alice.basic).status_code == 403
    assert client.post(URL, headers=alice.basic,
                       json={"url": "https://hooks.example.com/", "events": ALL}
                       ).status_code == 403
    assert client.delete(f"{URL}/{webhook_id}", headers=alice.basic).status_code == 403
    assert client.delete(f"{URL}/{webhook_id}", headers=admin.basic).status_code == 204
    assert client.get(f"{URL}/{webhook_id}", headers=admin.basic).status_code == 404


@pytest.mark.parametrize("body,field", [
    ({"url": "http://hooks.example.com/x", "events": ALL}, "url"),   # http, not loopback
    ({"url": "https://10.1.2.3/x", "events": ALL}, "url"),           # private address
    ({"url": "https://169.254.169.254/x", "events": ALL}, "url"),
    ({"url": "not a url", "events": ALL}, "url"),
    ({"url": "https://hooks.example.com/x", "events": []}, "events"),
    ({"url": "https://hooks.example.com/x", "events": ["profile.deleted"]}, "events"),
    ({"events": ALL}, "url"),
])
def test_endpoint_urls_obey_the_outbound_rules(client, admin, body, field):
    response = client.post(URL, headers=admin.basic, json=body)
    assert response.status_code == 400, response.json
    assert response.json["error"]["message"]["value"]
    assert client.get(URL, headers=admin.basic).json["webhooks"] == []


def test_invalid_grant_sends_a_signed_needs_reauthorization(app, make_profile, provider,
                                                           receiver, hook):  # noqa: F811
    webhook_id, secret = hook
    profile_id = make_profile("revoked", token_expires_at=T)
    provider.refresh_error = "invalid_grant"
    with app.app_context():
        due.refresh_due(T)
    [pending] = rows(app)
    assert pending.status == "pending" and pending.event_type == events.NEEDS_REAUTHORIZATION
    assert send(app, T - timedelta(seconds=1)) == {}  # its time has not come
    assert send(app, T) == {"delivered": 1}
    [payload] = receiver.verified(secret)
    assert payload["type"] == events.NEEDS_REAUTHORIZATION
    assert payload["data"] == {"profileId": profile_id, "profileName": "revoked",
                               "oauthAppId": make_profile.app_id,
                               "owner": {"id": payload["data"]["owner"]["id"],
                                         "userName": "alice"}}
    body = receiver.received[0]["body"]
    assert "rt-" not in body and "at-" not in body and "old-access" not in body
    headers = receiver.received[0]["headers"]
    assert headers["Webhook-Id"] == pending.message_id
    with pytest.raises(WebhookVerificationError):  # another secret does not verify it
        Webhook("whsec_" + "A" * 44).verify(body, headers)
    [done] = rows(app)
    assert done.status == "delivered" and done.attempts == 1 and done.last_status_code == 200


def test_exhausted_retries_then_recovery(app, alice, make_profile, provider, receiver,
                                         hook):  # noqa: F811
    profile_id = make_profile("flaky", token_expires_at=T)
    provider.refresh_error = "temporarily_unavailable"
    with app.app_context():
        due.refresh_due(T)
        assert rows(app) == []  # one failure is no event yet
        due.refresh_due(T + timedelta(minutes=5))
    assert [r.event_type for r in rows(app)] == [events.REFRESH_FAILED]
    provider.refresh_error = None
    with app.app_context():  # a person's refresh works again ("Test connection")
        due.refresh_due(T + timedelta(days=30))  # exhausted: the pass leaves it alone
    assert len(rows(app)) == 1
    response = app.test_client().post(f"/api/mgmt/oauthprofiles/{profile_id}/refresh",
                                      headers=alice.basic)
    assert response.status_code == 200
    assert [r.event_type for r in rows(app)] == [events.REFRESH_FAILED, events.RECOVERED]
    send(app, datetime.now(timezone.utc) + timedelta(days=3650))
    assert [p["type"] for p in receiver.verified(hook[1])] == \
        [events.REFRESH_FAILED, events.RECOVERED]


def test_changing_an_applications_endpoints_tells_of_each_profile(
        app, client, admin, make_profile, provider, hook):  # noqa: F811
    first, second = make_profile("one"), make_profile("two")
    response = client.put(f"/api/mgmt/oauthapps/{make_profile.app_id}", headers=admin.basic,
                          json=provider.endpoints("/other/token"))
    assert response.status_code == 200
    found = rows(app)
    assert [r.event_type for r in found] == [events.NEEDS_REAUTHORIZATION] * 2
    assert {json.loads(r.payload)["data"]["profileId"] for r in found} == {first, second}
    client.put(f"/api/mgmt/oauthapps/{make_profile.app_id}", headers=admin.basic,
               json=provider.endpoints("/token"))
    assert len(rows(app)) == 2  # already blocked: told once


def test_a_completed_authorization_sends_profile_authorized(app, alice, client, admin,
                                                            provider, hook):  # noqa: F811
    app_id = register_app(client, admin, provider)
    with app.app_context():
        caller, login_session = signed_in(alice)
        url = authorization.start_new_profile(caller, {"name": "Fresh", "oauthAppId": app_id},
                                              login_session)
        query = parse_qs(urlsplit(consent(url)).query)
        done = authorization.complete(caller, login_session,
                                      {k: v[0] for k, v in query.items()})
    [row] = rows(app)
    assert row.event_type == events.AUTHORIZED
    assert json.loads(row.payload)["data"]["profileId"] == done.profile.id


def test_only_subscribed_active_endpoints_get_deliveries(app, client, admin, make_profile,
                                                         provider, receiver):  # noqa: F811
    for body in ({"url": receiver.url, "events": [events.RECOVERED]},
                 {"url": receiver.url, "events": ALL, "active": False}):
        assert client.post(URL, headers=admin.basic, json=body).status_code == 201
    make_profile("revoked", token_expires_at=T)
    provider.refresh_error = "invalid_grant"
    with app.app_context():
        due.refresh_due(T)
    assert rows(app) == []


def test_a_receiver_that_is_down_is_retried_then_failed(app, client, admin, make_profile,
                                                        provider, receiver,  # noqa: F811
                                                        closed_port_url):  # noqa: F811
    response = client.post(URL, headers=admin.basic,
                           json={"url": closed_port_url, "events": ALL})
    webhook_id = response.json["id"]
    make_profile("revoked", token_expires_at=T)
    provider.refresh_error = "invalid_grant"
    with app.app_context():
        due.refresh_due(T)
    start = rows(app)[0].created_at
    now = aware(start)
    assert send(app, now) == {"retrying": 1}
    [first] = rows(app)
    assert first.attempts == 1 and first.status == "pending"
    assert "could not be reached" in first.last_error
    assert now + timedelta(seconds=24) <= aware(first.next_attempt_at) <= \
        now + timedelta(seconds=36)
    assert send(app, now + timedelta(seconds=10)) == {}  # backing off
    assert send(app, now + timedelta(minutes=1)) == {"retrying": 1}
    assert send(app, now + timedelta(minutes=5)) == {"failed": 1}
    [last] = rows(app)
    assert last.status == "failed" and last.attempts == 3 and last.next_attempt_at is None
    listed = client.get(f"{URL}/{webhook_id}/deliveries", headers=admin.basic).json
    assert [(d["status"], d["attempts"]) for d in listed["deliveries"]] == [("failed", 3)]
    assert listed["deliveries"][0]["lastError"] == last.last_error


def test_a_receiver_answering_500_is_recorded(app, client, admin, receiver, hook):
    receiver.status = 500
    response = client.post(f"{URL}/{hook[0]}/test", headers=admin.basic)
    assert response.status_code == 201
    assert response.json["status"] == "pending" and response.json["attempts"] == 1
    assert response.json["lastStatusCode"] == 500
    assert response.json["lastError"] == "The receiver answered HTTP 500."


def test_send_a_test_event(app, client, admin, alice, receiver, hook):
    response = client.post(f"{URL}/{hook[0]}/test", headers=admin.basic)
    assert response.status_code == 201 and response.json["status"] == "delivered"
    [payload] = receiver.verified(hook[1])
    assert payload["type"] == events.TEST and payload["data"] == {"webhookId": hook[0]}
    assert client.post(f"{URL}/{hook[0]}/test", headers=alice.basic).status_code == 403
    assert len(receiver.received) == 1

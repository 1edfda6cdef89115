"""The Celery door (webui/tasks.py) with real worker processes on the machine's Redis and the
local provider: what beat's find_due hands out is refreshed once, however often it is
delivered and however many workers race for it."""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.celery_workers import beat, broker, drained, worker  # noqa: F401
from tests.oauth_provider import oauth_config, provider, stored_profile  # noqa: F401
from tests.test_due import make_profile  # noqa: F401
from tests.webhook_receiver import receiver  # noqa: F401
from webui import tasks
from webui.domain import events

NOW = datetime.now(timezone.utc)


@pytest.fixture
def app_config(oauth_config):  # noqa: F811
    return oauth_config


def test_find_due_hands_each_due_profile_to_a_real_worker_once(
        app, make_profile, provider, broker, tmp_path):  # noqa: F811
    ids = [make_profile(f"p{n}", token_expires_at=NOW) for n in range(3)]
    make_profile("fresh", token_expires_at=NOW + timedelta(hours=2))
    assert tasks.find_due() == 3
    assert tasks.find_due() == 0  # still queued: no copies
    with worker(app, tmp_path / "worker.log"):
        drained(broker)
        assert tasks.find_due() == 0  # refreshed: nothing due
    assert len(provider.token_requests) == 3
    for profile_id in ids:
        assert stored_profile(app, "alice", profile_id).access_token.startswith("at-")


def test_a_task_delivered_twice_makes_one_token_request(
        app, make_profile, provider, broker, tmp_path):  # noqa: F811
    profile_id = make_profile("twice", token_expires_at=NOW)
    provider.rotate = True
    tasks.refresh_profile.delay(profile_id)
    tasks.refresh_profile.delay(profile_id)
    with worker(app, tmp_path / "worker.log", concurrency=1):
        drained(broker)
    assert len(provider.token_requests) == 1


def test_two_workers_racing_make_one_token_request(
        app, make_profile, provider, broker, tmp_path):  # noqa: F811
    profile_id = make_profile("raced", token_expires_at=NOW)
    provider.rotate, provider.delay = True, 0.3  # a double spend would answer invalid_grant
    with worker(app, tmp_path / "w1.log", "w1"), worker(app, tmp_path / "w2.log", "w2"):
        for _ in range(8):
            tasks.refresh_profile.delay(profile_id)
        drained(broker)
    [request] = provider.token_requests
    stored = stored_profile(app, "alice", profile_id)
    assert stored.refresh_token != request["refresh_token"]  # the rotated one was kept
    assert provider.refresh_tokens[stored.refresh_token]  # and the provider knows it
    assert not stored.needs_reauthorization


def test_a_worker_refreshes_then_delivers_the_webhook(
        app, client, admin, make_profile, provider, broker, receiver, tmp_path):  # noqa: F811
    hook = client.post("/api/admin/webhooks", headers=admin.basic, json={
        "url": receiver.url, "events": [events.NEEDS_REAUTHORIZATION]}).json
    make_profile("revoked", token_expires_at=NOW)
    provider.refresh_error = "invalid_grant"
    with worker(app, tmp_path / "worker.log"):
        assert tasks.find_due() == 1  # the refresh
        drained(broker)
        assert tasks.find_due() == 1  # the delivery its failure wrote
        drained(broker)
    [payload] = receiver.verified(hook["secret"])
    assert payload["type"] == events.NEEDS_REAUTHORIZATION
    assert len(provider.token_requests) == 1


def test_a_second_beat_does_not_double_the_schedule(app, broker, tmp_path):  # noqa: F811
    logs = [tmp_path / "beat1.log", tmp_path / "beat2.log"]
    with beat(app, logs[0], every=1), beat(app, logs[1], every=1):
        time.sleep(8)
    queued = [json.loads(m)["headers"]["task"] for m in broker.lrange("celery", 0, -1)]
    sends = [log.read_text().count("Sending due task find-due") for log in logs]
    # One beat holds the lock and sends about one a second; the other waits for the lock.
    assert sorted(sends)[0] == 0 and sorted(sends)[1] >= 3, sends
    assert queued == ["webui.tasks.find_due"] * sum(sends)

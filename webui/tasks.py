"""The Celery door: background refresh (and webhook deliveries) on workers that share the work
across hosts, with Redis as broker (CELERY_BROKER_URL).

    celery -A webui.tasks.celery_app worker
    celery -A webui.tasks.celery_app beat      # RedBeat: a second beat waits, never doubles

Beat runs ``find_due`` every REFRESH_BEAT_SECONDS (30): it selects what is due (webui/domain/due.py) and
hands ONE ``refresh_profile`` task per due profile to the workers (and one
``deliver_webhook`` per webhook delivery whose time has come, webui/domain/deliveries.py), skipping a profile whose
task is still queued (a Redis key per profile, set with NX, so that a slow queue does not fill
with copies). Every task is idempotent: acks_late (a worker lost mid-task means the task is
delivered again) and the refresh re-checks under the profile's lock that it is still due, so
a task delivered twice, two beats, or two workers racing cause one token request.

Nothing is lost when Redis goes away: what is due lives in the database (token_expires_at,
next_refresh_at), and the next ``find_due`` after Redis returns finds it again; the web tier
never talks to the broker.

Each task runs in an app context of the Flask app built from the environment, like gunicorn's
(``bind`` hands another one, in tests).
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator

import redis
from celery import Celery, Task
from celery.signals import worker_process_init
from flask import Flask

from webui.domain import deliveries, due
from webui.extensions import db
from webui.models.columns import utcnow

QUEUED_TTL_SECONDS = 900  # a queued mark outlives no lost task by more than this
_KEY_PREFIX = "webui:"
_flask_app: Flask | None = None


def flask_app() -> Flask:
    """The Flask app the tasks run in: the one bound, else one built from the environment."""
    global _flask_app
    if _flask_app is None:
        from webui import create_app  # the factory imports every door; built once, lazily
        bind(create_app())
    assert _flask_app is not None
    return _flask_app


def bind(app: Flask) -> None:
    """Run the tasks in ``app`` and use its CELERY_BROKER_URL."""
    global _flask_app
    _flask_app = app
    celery_app.conf.update(_settings(app.config))


def _settings(config) -> dict[str, Any]:
    """What Celery takes from the Flask settings: the broker (also RedBeat's store) and how
    often beat runs find_due (REFRESH_BEAT_SECONDS)."""
    url, every = config.get("CELERY_BROKER_URL"), float(config["REFRESH_BEAT_SECONDS"])
    return {"broker_url": url, "redbeat_redis_url": url,
            # A beat that died leaves its lock for this long before another takes over.
            "redbeat_lock_timeout": max(5 * every, 30),
            "beat_schedule": {"find-due": {"task": "webui.tasks.find_due", "schedule": every}}}


class AppTask(Task):
    def __call__(self, *args, **kwargs):
        with flask_app().app_context():
            try:
                return self.run(*args, **kwargs)
            finally:
                db.session.remove()


celery_app = Celery("webui", task_cls=AppTask)
celery_app.conf.update(
    task_acks_late=True,              # a task whose worker died is delivered again
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,     # a slow refresh does not hold a queue of others
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    broker_transport_options={"visibility_timeout": 3600},
    timezone="UTC",
    beat_scheduler="redbeat.RedBeatScheduler",
    redbeat_key_prefix=_KEY_PREFIX + "redbeat:",
)
# The worker and beat processes read their settings from the environment's Flask settings.
celery_app.add_defaults(lambda: _settings(flask_app().config))


@worker_process_init.connect
def _fresh_connections(**_kwargs) -> None:
    """A forked worker must not share its parent's pooled database connections."""
    with flask_app().app_context():
        db.engine.dispose(close=False)


def _marks() -> redis.Redis:
    return redis.Redis.from_url(celery_app.conf.broker_url)


def _queued_key(kind: str, object_id: int) -> str:
    return f"{_KEY_PREFIX}queued:{kind}:{object_id}"


@celery_app.task(name="webui.tasks.find_due")
def find_due() -> int:
    """Hand one task per due profile, and per webhook delivery whose time has come, to the
    workers; returns how many were sent."""
    now = utcnow()
    sent = _hand_out(refresh_profile, "refresh", (d.profile_id for d in due.select_due(now)))
    return sent + _hand_out(deliver_webhook, "delivery", deliveries.due_ids(now))


def _hand_out(task, kind: str, ids: Iterable[int], batch: int = 500) -> int:
    """Send task(id) for each id not marked as queued, marking it; the marks are set in one
    Redis round trip per batch and the tasks sent on one connection (bench/refresh.py: one
    round trip per mark and a connection per send took 66 s for 10,000 profiles)."""
    marks, sent = _marks(), 0
    with celery_app.producer_or_acquire() as producer:
        for chunk in _chunks(ids, batch):
            pipe = marks.pipeline(transaction=False)
            for object_id in chunk:
                pipe.set(_queued_key(kind, object_id), 1, nx=True, ex=QUEUED_TTL_SECONDS)
            for object_id, fresh in zip(chunk, pipe.execute()):
                if fresh:
                    task.apply_async((object_id,), producer=producer)
                    sent += 1
    return sent


def _chunks(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    chunk: list[int] = []
    for object_id in ids:
        chunk.append(object_id)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@celery_app.task(name="webui.tasks.refresh_profile", bind=True, max_retries=20)
def refresh_profile(self, profile_id: int) -> str:
    """Refresh one profile if it is still due (due.refresh_one); retried shortly when its
    provider host's slots or its lock stay busy."""
    try:
        outcome = due.refresh_one(profile_id)
    finally:
        _marks().delete(_queued_key("refresh", profile_id))
    if outcome == "busy":
        raise self.retry(countdown=2)
    return outcome


@celery_app.task(name="webui.tasks.deliver_webhook")
def deliver_webhook(delivery_id: int) -> str:
    """Send one webhook delivery if it is still pending and due (claimed first, so a copy
    sends nothing). A failed attempt is recorded with its next time on the row, where the
    next find_due finds it: the retries survive the broker."""
    try:
        return deliveries.deliver(delivery_id)
    finally:
        _marks().delete(_queued_key("delivery", delivery_id))

"""What is due for a background refresh, and the pass that refreshes it: the one rule behind
``flask --app app refresh-due`` and the Celery tasks (webui/tasks.py).

A profile is due when
- its access token expires within REFRESH_AHEAD_SECONDS and it was not refreshed in the last
  half of that (a provider whose tokens live less than the horizon would otherwise see a
  request on every pass; the token endpoint still refreshes on demand), or
- no expiry is known and it was not refreshed (or, never refreshed, not created) for
  REFRESH_KEEPALIVE_DAYS (providers drop refresh tokens left unused), or
- its last refresh failed transiently and its back-off (next_refresh_at) has passed;
while a profile whose refreshes keep failing waits for its back-off whatever its expiry, and
one whose retries are exhausted (next_refresh_at None) is left alone until a refresh from a
person succeeds. Never due: a profile that needs re-authorization, has no refresh token, or
whose application has no token URI.

The rule is written twice in this one module, as SQL (``due_condition``: the selection) and as
Python (``is_due``: what refresh.refresh_if re-checks under the profile's lock), and the tests
hold them to the same answers at every boundary (tests/test_due.py). The re-check is what
makes a task delivered twice, or two passes at once, cost one token request.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterator
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import and_, bindparam, false, func, or_, select

from webui.domain import bootstrap, refresh
from webui.domain.errors import ConcurrentChange, DomainError, NotFound
from webui.domain.principal import Principal
from webui.domain.provider_calls import ProviderError
from webui.domain.refresh import NeedsReauthorization, aware
from webui.extensions import db
from webui.infra.locks import LockTimeout, any_lock
from webui.models import OAuthApplication, OAuthProfile, User
from webui.models.columns import utcnow

_P, _A, _U = OAuthProfile.__table__.c, OAuthApplication.__table__.c, User.__table__.c
OUTCOMES = ("refreshed", "not_due", "failed", "needs_reauthorization", "busy", "gone")


@dataclass(frozen=True)
class Window:
    """The rule's settings, read once: the expiry horizon and the keep-alive age."""
    ahead: timedelta
    keepalive: timedelta

    @property
    def settle(self) -> timedelta:
        """How long after a refresh its profile is not due by expiry: half the horizon."""
        return self.ahead / 2

    @classmethod
    def from_config(cls) -> "Window":
        config = current_app.config
        return cls(timedelta(seconds=config["REFRESH_AHEAD_SECONDS"]),
                   timedelta(days=config["REFRESH_KEEPALIVE_DAYS"]))


def is_due(profile: OAuthProfile, now: datetime, window: Window | None = None) -> bool:
    """The rule, for one loaded profile (its refresh token and application loaded)."""
    window = window or Window.from_config()
    if profile.needs_reauthorization or not profile.refresh_token \
            or not (profile.application and profile.application.token_uri):
        return False
    if (profile.refresh_failures or 0) > 0:
        retry = aware(profile.next_refresh_at)
        return retry is not None and retry <= now
    expires = aware(profile.token_expires_at)
    refreshed = aware(profile.tokens_refreshed_at)
    if expires is not None:
        return expires <= now + window.ahead and (
            refreshed is None or refreshed <= now - window.settle)
    last = refreshed or aware(profile.created_at)
    return last is None or last <= now - window.keepalive


def due_condition(now: datetime, window: Window):
    """The same rule as is_due, as a SQL condition on oauth_profile joined to its
    application."""
    failing = _P.refresh_failures > 0
    return and_(
        _P.needs_reauthorization == false(), _P.refresh_token.is_not(None),
        _A.token_uri.is_not(None), _A.token_uri != "",
        or_(and_(failing, _P.next_refresh_at <= now),
            and_(~failing, or_(
                and_(_P.token_expires_at <= now + window.ahead,
                     or_(_P.tokens_refreshed_at.is_(None),
                         _P.tokens_refreshed_at <= now - window.settle)),
                and_(_P.token_expires_at.is_(None),
                     func.coalesce(_P.tokens_refreshed_at, _P.created_at)
                     <= now - window.keepalive)))))


@dataclass(frozen=True)
class Due:
    """A profile to refresh: whose it is (the subject refresh_if reads it as) and where its
    provider is."""
    profile_id: int
    owner: Principal
    host: str


_COLUMNS = (_P.id, _P.owner_id, _U.user_name, _U.tenant_id, _A.token_uri)
_FROM = (OAuthProfile.__table__.join(OAuthApplication.__table__, _P.oauth_app_id == _A.id)
         .join(User.__table__, _P.owner_id == _U.id))
_ONE = select(*_COLUMNS).select_from(_FROM).where(_P.id == bindparam("profile_id"))


def _due(row) -> Due:
    owner = Principal(row.owner_id, row.user_name, row.tenant_id, frozenset())
    return Due(row.id, owner, (urlsplit(row.token_uri).hostname or "").lower())


def select_due(now: datetime, *, batch: int = 500, window: Window | None = None
               ) -> Iterator[Due]:
    """Every profile due at ``now``, in batches of ``batch`` by id (keyset: each batch one
    statement that starts where the last ended, so a long pass holds no cursor open).
    The selection only proposes: the refresh re-checks under the profile's lock."""
    window = window or Window.from_config()
    query = (select(*_COLUMNS).select_from(_FROM)
             .where(due_condition(now, window), _P.id > bindparam("after"))
             .order_by(_P.id).limit(batch))
    after = 0
    while True:
        rows = db.session.execute(query, {"after": after}).all()
        db.session.commit()  # no snapshot held between batches
        yield from (_due(row) for row in rows)
        if len(rows) < batch:
            return
        after = rows[-1].id


def slots(host: str) -> list[str]:
    """The names of a provider host's REFRESH_PER_HOST concurrency slots (named locks)."""
    return [f"refresh-host-{host}-{n}" for n in range(current_app.config["REFRESH_PER_HOST"])]


def refresh_one(profile_id: int, *, now: datetime | None = None, due: Due | None = None
                ) -> str:
    """Refresh one profile if it is (still) due, holding one of its provider host's slots;
    as the system, recorded in the audit trail. Returns one of OUTCOMES; raises nothing a
    provider or a race can cause (the outcome is recorded on the profile)."""
    if due is None:
        row = db.session.execute(_ONE, {"profile_id": profile_id}).one_or_none()
        db.session.commit()
        if row is None:
            return "gone"
        due = _due(row)
    window = Window.from_config()
    wait = current_app.config["OUTBOUND_DEADLINE_SECONDS"] + 5
    try:
        with any_lock(slots(due.host), wait):
            at = now or utcnow()
            outcome = refresh.refresh_if(bootstrap.SYSTEM, due.owner, due.profile_id,
                                         lambda p: is_due(p, at, window), now=at)
    except (LockTimeout, ConcurrentChange):
        return "busy"
    except NeedsReauthorization:
        return "needs_reauthorization"
    except ProviderError as exc:
        return "failed" if exc.transient else "needs_reauthorization"
    except NotFound:
        return "gone"
    except DomainError:  # no refresh token, token URI no longer allowed: nothing to retry
        return "failed"
    return "refreshed" if outcome.refreshed else "not_due"


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))

    @property
    def due(self) -> int:
        return sum(self.counts.values())

    def line(self) -> str:
        return f"refresh-due: {self.due} due; " + ", ".join(
            f"{n} {name.replace('_', ' ')}" for name, n in self.counts.items())


def refresh_due(now: datetime | None = None, *, threads: int | None = None,
                batch: int = 500) -> Summary:
    """One pass: refresh every profile due at ``now`` (default: the clock; a fixed value
    for tests) with ``threads`` at once (default REFRESH_PER_HOST), each holding a slot of
    its provider host. Returns the count of each outcome."""
    app = current_app._get_current_object()
    summary = Summary()

    def one(due: Due) -> str:
        with app.app_context():
            try:
                return refresh_one(due.profile_id, now=now, due=due)
            finally:
                db.session.remove()

    threads = threads or current_app.config["REFRESH_PER_HOST"]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for outcome in pool.map(one, select_due(now or utcnow(), batch=batch)):
            summary.counts[outcome] += 1
    return summary

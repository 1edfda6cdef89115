"""Prometheus metrics (the official prometheus_client), and the scrape that reads them.

Not from a measurement but for one: an operator needs request rates, latencies and failures
across every worker. Under gunicorn the client runs in its multiprocess mode: gunicorn.conf.py
sets PROMETHEUS_MULTIPROC_DIR before anything imports prometheus_client (which chooses its
mode at import), each worker writes its values to files there, a scrape sums them, and
``child_exit`` marks dead workers. Without the variable (``flask run``, tests) values live in
the process.

Labels never hold a user name or id, nor anything a client chooses freely: routes are the URL
rule's template (``/api/mgmt/oauthprofiles/<id:profile_id>``, ``unmatched`` for a 404), methods
the standard ones, outcomes a small fixed vocabulary named by the caller's code.

The rest of the code calls the small functions below; the request hooks are wired by
``register``. "Profiles by status" is a cached query (PROFILE_COUNT_SECONDS), not a scan per
scrape.
"""
from __future__ import annotations

import functools
import os
import time

from flask import Flask, g, request
from flask.wrappers import Response
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select

from webui.extensions import db
from webui.models import OAuthProfile

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
PROFILE_COUNT_SECONDS = 30.0
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter("webui_http_requests_total", "HTTP requests answered.",
                   ["route", "method", "status"])
LATENCY = Histogram("webui_http_request_duration_seconds", "Time to answer an HTTP request.",
                    ["route", "method"],
                    buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
FAILED_SIGN_INS = Counter("webui_failed_sign_ins_total",
                          "Sign-ins refused for wrong credentials (API and login form).")
THROTTLED = Counter("webui_throttled_sign_ins_total",
                    "Sign-in attempts answered 429 (too many failures).")
TOKENS = Counter("webui_token_handouts_total", "Access tokens handed out to callers.",
                 ["refreshed"])
REFRESHES = Counter("webui_token_refreshes_total", "Token refreshes at a provider.",
                    ["outcome"])
PROVIDER_LATENCY = Histogram("webui_provider_request_duration_seconds",
                             "Time a provider's token endpoint took to answer.",
                             buckets=(.05, .1, .25, .5, 1, 2.5, 5, 10, 15, 30))
WEBHOOKS = Counter("webui_webhook_deliveries_total", "Webhook deliveries.", ["outcome"])


def failed_sign_in() -> None:
    FAILED_SIGN_INS.inc()


def sign_in_throttled() -> None:
    THROTTLED.inc()


def token_handed_out(refreshed: bool) -> None:
    """An access token was handed to a caller; refreshed: a refresh was needed first."""
    _tokens(refreshed).inc()


def refresh_outcome(outcome: str) -> None:
    """A refresh at a provider ended; outcome from a fixed vocabulary (e.g. ``ok``,
    ``refused``, ``unreachable``, ``coalesced``), never a provider's message."""
    REFRESHES.labels(outcome=outcome).inc()


def provider_latency(seconds: float) -> None:
    PROVIDER_LATENCY.observe(seconds)


def webhook_delivery(outcome: str) -> None:
    """A webhook delivery ended; outcome from a fixed vocabulary (``delivered``, ``failed``,
    ``retrying``)."""
    WEBHOOKS.labels(outcome=outcome).inc()


_profile_counts: tuple[float, dict[str, int]] = (0.0, {})


def profile_counts() -> dict[str, int]:
    """Profiles by status (``active``, ``needs_reauthorization``), at most
    PROFILE_COUNT_SECONDS old. Needs an app context."""
    global _profile_counts
    expires, counts = _profile_counts
    if time.monotonic() >= expires:
        rows = db.session.execute(select(OAuthProfile.needs_reauthorization, func.count())
                                  .group_by(OAuthProfile.needs_reauthorization)).all()
        db.session.rollback()
        counts = {"active": 0, "needs_reauthorization": 0}
        for needs, count in rows:
            counts["needs_reauthorization" if needs else "active"] += count
        _profile_counts = (time.monotonic() + PROFILE_COUNT_SECONDS, counts)
    return counts


class _Profiles:
    def collect(self):
        family = GaugeMetricFamily("webui_oauth_profiles", "OAuth profiles by status.",
                                   labels=["status"])
        for status, count in profile_counts().items():
            family.add_metric([status], count)
        yield family


class _ThisProcess:
    def collect(self):
        return REGISTRY.collect()


def scrape() -> bytes:
    """The text exposition of every metric (summed over the workers in multiprocess mode).
    Needs an app context (profiles by status)."""
    registry = CollectorRegistry()
    if MULTIPROCESS:
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(_Profiles())
    return generate_latest(registry)


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


# The labelled children are made once per label values (functools.cache): prometheus_client's
# labels() validates and locks on every call, a tenth of a cached API read's own work. The
# label values are few (routes x methods x statuses; true/false).
@functools.cache
def _request_children(route: str, method: str, status: int) -> tuple:
    return (REQUESTS.labels(route=route, method=method, status=str(status)),
            LATENCY.labels(route=route, method=method))


@functools.cache
def _tokens(refreshed: bool) -> Counter:
    return TOKENS.labels(refreshed="true" if refreshed else "false")


def _count(response: Response) -> Response:
    started = g.get("metrics_started")
    requests, latency = _request_children(
        request.url_rule.rule if request.url_rule is not None else "unmatched",
        request.method if request.method in METHODS else "other", response.status_code)
    requests.inc()
    if started is not None:
        latency.observe(time.perf_counter() - started)
    return response


def register(app: Flask) -> None:
    # First of the before-request hooks: a throttled or refused request is timed too.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_timer)
    app.after_request(_count)

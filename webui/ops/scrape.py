"""``/metrics``: the Prometheus scrape (webui/infra/metrics.py), never open by default.

Answered only to a client in METRICS_ALLOWED_NETWORKS (its address after ProxyFix) or one that
sends ``Authorization: Bearer <METRICS_BEARER_TOKEN>``; 403 to others; 404 while neither
setting is set, so an unconfigured server does not even say that it has metrics.
"""
from __future__ import annotations

import hmac
import ipaddress
from functools import lru_cache

from flask import Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST

from webui.infra import metrics
from webui.ops.blueprint import bp


@lru_cache(maxsize=32)
def _networks(networks: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(n, strict=False) for n in networks)


def _from_allowed_network(networks: list[str]) -> bool:
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in _networks(tuple(networks)))


def _bearer_matches(token: str | None) -> bool:
    sent = request.headers.get("Authorization", "")
    if not token or not sent.startswith("Bearer "):
        return False
    return hmac.compare_digest(sent[len("Bearer "):].encode(), token.encode())


@bp.get("/metrics")
def scrape():
    config = current_app.config
    networks, token = config["METRICS_ALLOWED_NETWORKS"], config["METRICS_BEARER_TOKEN"]
    if not networks and not token:
        abort(404)
    if not (_from_allowed_network(networks) or _bearer_matches(token)):
        abort(403)
    return Response(metrics.scrape(), mimetype=CONTENT_TYPE_LATEST)

"""The operators' door: health and readiness probes and the metrics scrape, outside /api/.

No caller and no session: a load balancer or Prometheus asks, not a user. ``/healthz`` and
``/readyz`` answer anyone (they say nothing but the checks' states); ``/metrics`` answers only
the networks or the bearer token configured for it (webui/ops/scrape.py).
"""
from webui.ops.blueprint import bp
# Route modules register their views on bp when imported.
from webui.ops import health, scrape  # noqa: F401

__all__ = ["bp"]

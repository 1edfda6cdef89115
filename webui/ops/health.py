"""``/healthz``: the process answers (no database). ``/readyz``: it can serve (the checks of
webui/infra/readiness.py), 200 when every check is ``ok``, else 503."""
from __future__ import annotations

from flask import jsonify

from webui.infra import readiness
from webui.ops.blueprint import bp


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    found = readiness.checks()
    ready = all(state == "ok" for state in found.values())
    return jsonify(status="ready" if ready else "unready", checks=found), 200 if ready else 503

"""Log lines: JSON lines parse and carry the request id; the id comes from a well-formed
X-Request-Id or is generated, goes back in the response and onto every audit row the request
writes; gunicorn's access lines follow LOG_FORMAT too."""
from __future__ import annotations

import io
import json
import logging
import re
import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config
from sqlalchemy import select

from tests.conftest import APP_BODY
from webui.extensions import db
from webui.infra import logs
from webui.models import AuditEvent

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("webui.test")


@pytest.fixture
def json_lines():
    """Everything the root logger writes, as LOG_FORMAT=json writes it."""
    stream = io.StringIO()
    handler = logs.handler("json", stream)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(old_level)


@pytest.fixture
def chatty(app):
    """A route that logs, and one that fails (its traceback is logged)."""
    def speak():
        log.info("hello %s", "there")
        return "ok"

    def fail():
        raise RuntimeError("boom")
    app.add_url_rule("/test-speak", view_func=speak)
    app.add_url_rule("/test-fail", view_func=fail)
    app.testing = False  # let the 500 handler log the failure as in production
    return app


def test_every_json_line_carries_the_request_id(chatty, json_lines):
    client = chatty.test_client()
    response = client.get("/test-speak", headers={"X-Request-Id": "lb-4f2a.7:9"})
    assert response.headers["X-Request-Id"] == "lb-4f2a.7:9"
    failed = client.get("/test-fail")
    generated = failed.headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    lines = json_lines()
    spoken = [line for line in lines if line["message"] == "hello there"]
    assert spoken and spoken[0]["request_id"] == "lb-4f2a.7:9"
    assert spoken[0]["level"] == "INFO" and spoken[0]["logger"] == "webui.test"
    assert "time" in spoken[0]
    errors = [line for line in lines if line["request_id"] == generated]
    assert errors and "RuntimeError: boom" in errors[0]["exc_info"]


@pytest.mark.parametrize("offered", ["two words", "x" * 129, "bad;id", "é", ""])
def test_a_malformed_request_id_is_replaced(client, offered):
    response = client.get("/healthz", headers={"X-Request-Id": offered} if offered else {})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-Id"])


def test_audit_rows_carry_the_request_id_of_their_request(app, client, admin):
    created = client.post("/api/mgmt/oauthapps", headers={**admin.basic,
                          "X-Request-Id": "create-app-1"}, json=APP_BODY)
    assert created.status_code == 201
    refused = client.get("/api/mgmt/user", headers={"Authorization": "Basic eDp5"})
    assert refused.status_code == 401
    with app.app_context():
        rows = db.session.execute(select(AuditEvent.action, AuditEvent.request_id)
                                  .order_by(AuditEvent.id)).all()
    assert ("create", "create-app-1") in rows
    assert ("login_failed", refused.headers["X-Request-Id"]) in rows


def test_gunicorn_access_lines_are_json_with_the_request_id(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("LOG_FORMAT", "json")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    cfg = Config()
    cfg.set("accesslog", "-")
    logger = conf["logger_class"](cfg)
    environ = {"REMOTE_ADDR": "10.0.0.1", "REQUEST_METHOD": "GET", "PATH_INFO": "/api/x",
               "QUERY_STRING": "token=t0ken", "HTTP_AUTHORIZATION": "Basic YWxpY2U6cHc="}
    response = SimpleNamespace(status="200 OK", sent=12,
                               headers=[("X-Request-Id", "abc-1"), ("Set-Cookie", "s=1")])
    logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=3))
    (line,) = capsys.readouterr().out.splitlines()
    record = json.loads(line)
    assert {k: record[k] for k in ("remote", "method", "path", "status", "bytes", "ms",
                                   "request_id")} == {
        "remote": "10.0.0.1", "method": "GET", "path": "/api/x", "status": 200, "bytes": 12,
        "ms": 3, "request_id": "abc-1"}
    assert "t0ken" not in line and "YWxpY2U" not in line and "s=1" not in line

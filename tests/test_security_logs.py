"""No secret and no password ever reaches a log line: every logger at DEBUG (SQLAlchemy's engine
and werkzeug's request log included) across the API flows, served by a real werkzeug server,
and the web UI flows; then the captured text is searched for every value we sent."""
from __future__ import annotations

import base64
import http.client
import io
import json
import logging
import re
import runpy
import threading
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet
from gunicorn.config import Config
from gunicorn.glogging import SafeAtoms
from werkzeug.serving import make_server

from tests.conftest import APP_BODY
from tests.pages import login, submit
from webui import create_app
from webui.infra import logs

SECRET, NEW_SECRET = "cs-LOGTEST-1f0e9d8c", "cs-LOGTEST-NEW-2a3b4c"
ACCESS, NEW_ACCESS = "at-LOGTEST-5d6e7f80", "at-LOGTEST-NEW-9a8b7c"
REFRESH, NEW_REFRESH = "rt-LOGTEST-11223344", "rt-LOGTEST-NEW-556677"
UI_SECRET, UI_REFRESH = "cs-LOGTEST-UI-778899", "rt-LOGTEST-UI-aabbcc"
USER_PASSWORD, RESET_PASSWORD = "logtest user passphrase 1", "logtest reset passphrase 2"
GUESS = "logtest wrong guess 3"
KNOWN = [SECRET, NEW_SECRET, ACCESS, NEW_ACCESS, REFRESH, NEW_REFRESH, UI_SECRET, UI_REFRESH,
         USER_PASSWORD, RESET_PASSWORD, GUESS]
LOGGERS = ["", "sqlalchemy", "sqlalchemy.engine", "sqlalchemy.pool", "werkzeug", "limits",
           "webui", "alembic", "flask_wtf"]


class Live:
    """The app served by werkzeug in a thread; requests with Basic auth over real HTTP."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def call(self, method, path, account=None, body=None, raw: bytes | None = None,
             auth: tuple[str, str] | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        headers = {"Content-Type": "application/json"}
        name, password = auth or ((account.name, account.password) if account else (None, None))
        if name is not None:
            headers["Authorization"] = "Basic " + base64.b64encode(
                f"{name}:{password}".encode()).decode()
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        conn.request(method, path, data, headers)
        response = conn.getresponse()
        payload = response.read()
        conn.close()
        return response.status, json.loads(payload) if payload else None

    def close(self):
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture
def captured(caplog):
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)
    return caplog


@pytest.fixture
def json_log():
    """What LOG_FORMAT=json writes of the same records (webui/infra/logs.py)."""
    stream = io.StringIO()
    handler = logs.handler("json", stream)
    logging.getLogger().addHandler(handler)
    yield stream
    logging.getLogger().removeHandler(handler)


def everything_logged(caplog) -> str:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    lines = []
    for record in caplog.records:
        lines.append(formatter.format(record))  # message, exception and stack text
        lines.append(repr(record.args))
        lines.append(repr(getattr(record, "parameters", "")))
    return "\n".join(lines)


def api_flows(live, admin) -> None:
    status, app = live.call("POST", "/api/mgmt/oauthapps", admin,
                            {**APP_BODY, "clientSecret": SECRET})
    assert status == 201
    app_id = app["id"]
    assert live.call("PUT", f"/api/mgmt/oauthapps/{app_id}", admin,
                     {"clientSecret": NEW_SECRET})[0] == 200
    status, profile = live.call("POST", "/api/mgmt/oauthprofiles", admin, {
        "name": "Logged", "oauthAppId": app_id, "accessToken": ACCESS, "refreshToken": REFRESH})
    assert status == 201
    pid = profile["id"]
    assert live.call("PUT", f"/api/mgmt/oauthprofiles/{pid}", admin,
                     {"accessToken": NEW_ACCESS, "refreshToken": NEW_REFRESH})[0] == 200
    assert live.call("GET", f"/api/mgmt/oauthprofiles/{pid}", admin)[0] == 200
    assert live.call("GET", f"/api/mgmt/oauthapps/{app_id}", admin)[0] == 200
    # Refused writes that carry secrets: taken name, bad field, malformed JSON.
    assert live.call("POST", "/api/mgmt/oauthprofiles", admin, {
        "name": "Logged", "oauthAppId": app_id, "refreshToken": REFRESH})[0] == 409
    assert live.call("POST", "/api/mgmt/oauthprofiles", admin, {
        "name": "bad name!", "oauthAppId": app_id, "refreshToken": REFRESH})[0] == 400
    assert live.call("POST", "/api/mgmt/oauthapps", admin,
                     raw=f'{{"clientSecret": "{SECRET}",'.encode())[0] == 400
    status, user = live.call("POST", "/api/admin/users", admin, {
        "userName": "logged_user", "statusInfo": {"status": 1},
        "passwordInfo": {"password": USER_PASSWORD},
        "permissions": {"roles": [2], "permissions": []}})
    assert status == 201
    assert live.call("GET", "/api/mgmt/user", auth=("logged_user", USER_PASSWORD))[0] == 200
    assert live.call("PUT", f"/api/admin/users/{user['id']}/resetpassword", admin,
                     {"newPassword": RESET_PASSWORD})[0] == 204
    assert live.call("PUT", f"/api/admin/users/{user['id']}/resetpassword", admin,
                     {"newPassword": "short"})[0] == 400
    assert live.call("DELETE", f"/api/mgmt/oauthprofiles/{pid}", admin)[0] == 204
    # Failed sign-ins until throttled; a password typed into the user-name field.
    statuses = [live.call("GET", "/api/mgmt/user", auth=("logged_user", GUESS))[0]
                for _ in range(12)]
    assert 401 in statuses and 429 in statuses
    live.call("GET", "/api/mgmt/user", auth=(RESET_PASSWORD, "x"))


def ui_flows(client, admin) -> None:
    page = submit(client, "/login", "#login-form", username="admin", password=GUESS)
    assert page.status_code == 401
    assert login(client, admin).status_code == 302
    form = {**{k: str(v) for k, v in APP_BODY.items()}, "name": "ui_app",
            "clientSecret": UI_SECRET}
    created = submit(client, "/oauthapps/new", **form)
    assert created.status_code == 302, created.text
    app_id = int(created.headers["Location"].rstrip("/").split("/")[-1])
    made = submit(client, "/oauthprofiles/new", name="UiLogged", oauthAppId=str(app_id),
                  refreshToken=UI_REFRESH, accessToken=ACCESS)
    assert made.status_code == 302, made.text
    client.post("/logout", data={})  # refused: no CSRF token (400), logged as such


def test_no_secret_reaches_any_log_line(app_config, app, client, admin, captured, json_log):
    app.config["ALLOW_HTTP_LOOPBACK_OAUTH"] = True
    ui_flows(client, admin)  # first: the API flows end throttled, from the same address
    live = Live(app)
    try:
        api_flows(live, admin)
        # A 500 logs its traceback: read a secret with the wrong key.
        wrong = create_app({**app_config,
                            "TOKEN_ENCRYPTION_KEYS": [Fernet.generate_key().decode()]})
        wrong.testing = False
        server_error = Live(wrong)
        try:
            assert server_error.call("GET", "/api/mgmt/oauthapps?limit=1", admin)[0] == 200
            apps = server_error.call("GET", "/api/mgmt/oauthapps", admin)[1]["applications"]
            assert server_error.call("GET", f"/api/mgmt/oauthapps/{apps[0]['id']}",
                                     admin)[0] == 500
        finally:
            server_error.close()
    finally:
        live.close()
    text = everything_logged(captured)
    # The capture did see the traffic, the SQL and the failure.
    assert re.search(r"POST /api/mgmt/oauthprofiles HTTP/1.1\S*\" 201", text)  # werkzeug
    # Statements that carry secrets, logged by the engine (a profile's create INSERTs through
    # the driver, webui/infra/prepared.py, which logs no SQL at all).
    assert "INSERT INTO oauth_application" in text and "UPDATE oauth_profile" in text
    assert "hide_parameters" in text
    assert "Unhandled error" in text and "UndecryptableSecret" in text
    leaked = [value for value in KNOWN if value in text]
    assert leaked == []
    lines = json_log.getvalue().splitlines()
    records = [json.loads(line) for line in lines]  # one JSON object per line
    assert any("UPDATE oauth_profile" in r["message"] for r in records)
    assert any(r.get("exc_info") and "UndecryptableSecret" in r["exc_info"] for r in records)
    assert any(r["request_id"] != "-" for r in records)
    leaked = [value for value in KNOWN if value in json_log.getvalue()]
    assert leaked == []


def test_the_access_log_never_holds_headers_query_or_user(monkeypatch, tmp_path):
    # gunicorn.conf.py's logger hands the access-log format only the atoms it uses: even a
    # format asking for the query string, the Authorization header or the Basic user gets "-".
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))  # gunicorn.conf.py sets it
    conf = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
    logger = conf["logger_class"](Config())
    basic_auth = "Basic " + base64.b64encode(f"alice:{USER_PASSWORD}".encode()).decode()
    environ = {"REMOTE_ADDR": "10.0.0.1", "REQUEST_METHOD": "GET", "PATH_INFO": "/api/x",
               "QUERY_STRING": f"token={ACCESS}", "RAW_URI": f"/api/x?token={ACCESS}",
               "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_AUTHORIZATION": basic_auth}
    request = SimpleNamespace(headers=[("AUTHORIZATION", basic_auth)])
    response = SimpleNamespace(status="200 OK", sent=12, headers=[("Content-Length", "12")])
    atoms = SafeAtoms(logger.atoms(response, request, environ, timedelta(milliseconds=3)))
    greedy = '%(r)s %(q)s %(u)s %({authorization}i)s %({authorization}e)s' % atoms
    assert ACCESS not in greedy and "alice" not in greedy and "Basic" not in greedy
    assert conf["access_log_format"] % atoms == '10.0.0.1 "GET /api/x" 200 12 3ms -'
    # The atoms the logger formats its lines with answer a greedy format the same way.
    greedy = '%(r)s %(q)s %(u)s %({Authorization}i)s %({authorization}e)s' % \
        conf["TextAtoms"](logger.atoms(response, request, environ, timedelta(milliseconds=3)))
    assert greedy == "- - - - -"


def test_an_access_line_stays_one_line_whatever_the_path(monkeypatch, tmp_path):
    """The path is decoded from the request line (%0A is a newline): the text line escapes
    quotes, backslashes and control characters, so no request forges a line of its own."""
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    conf = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("access_log_format", conf["access_log_format"])
    logger = conf["logger_class"](config)
    forged = '/api/x" 200 1 1ms -\n10.6.6.6 "GET /admin\\' + "\x1b[2J"
    environ = {"REMOTE_ADDR": "10.0.0.1", "REQUEST_METHOD": "GET", "PATH_INFO": forged}
    response = SimpleNamespace(status="404 NOT FOUND", sent=9,
                               headers=[("X-Request-Id", "rid-1")])
    for path in (forged, "/api/plain"):
        logger.access(response, SimpleNamespace(headers=[]), {**environ, "PATH_INFO": path},
                      timedelta(milliseconds=2))
    for handler in logger.access_log.handlers:
        handler.flush()
    lines = (tmp_path / "access.log").read_text().splitlines()
    assert lines == [
        '10.0.0.1 "GET /api/x\\" 200 1 1ms -\\x0a10.6.6.6 \\"GET /admin\\\\\\x1b[2J" '
        "404 9 2ms rid-1",
        '10.0.0.1 "GET /api/plain" 404 9 2ms rid-1']

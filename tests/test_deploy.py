"""The deployment files of docs/production.md parse, and say what the guide says: a systemd
unit per process running the right command, an env file of known settings, an nginx site
that proxies to gunicorn, passes a request id, and keeps /metrics closed."""
from __future__ import annotations

import configparser
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import accepts, free_port
from webui.config import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = {"webui-web.service": ["gunicorn", "--config", "gunicorn.conf.py", "app:app"],
         "webui-worker.service": ["celery", "-A", "webui.tasks.celery_app", "worker"],
         "webui-beat.service": ["celery", "-A", "webui.tasks.celery_app", "beat"]}
# Variables read outside the settings table: gunicorn.conf.py's, prometheus_client's, and the
# Celery broker (the background-refresh work names it).
OTHER_VARIABLES = {"BIND", "WEB_CONCURRENCY", "GUNICORN_TIMEOUT", "PROMETHEUS_MULTIPROC_DIR",
                   "CELERY_BROKER_URL"}


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=True, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string((DEPLOY / "systemd" / name).read_text())
    return parser


@pytest.mark.parametrize("name", sorted(UNITS))
def test_each_process_has_a_unit_running_its_command(name):
    parsed = unit(name)
    assert set(parsed.sections()) == {"Unit", "Service", "Install"}
    service = parsed["Service"]
    command = shlex.split(service["ExecStart"])
    assert command[0].startswith("/opt/webui/.venv/bin/")
    assert [Path(command[0]).name, *command[1:len(UNITS[name])]] == UNITS[name]
    assert service["User"] == "webui" and service["WorkingDirectory"] == "/opt/webui"
    assert service["EnvironmentFile"] == "/etc/webui/webui.env"
    assert service["Restart"] == "on-failure"
    assert parsed["Install"]["WantedBy"] == "multi-user.target"
    assert (ROOT / "docs" / "production.md").read_text().count(f"deploy/systemd/{name}") == 1


def test_the_web_unit_migrates_first_and_gives_the_metrics_a_directory():
    service = unit("webui-web.service")["Service"]
    command = shlex.split(service["ExecStartPre"])
    assert command[-3:] == ["--app", "app", "init-db"] and command[-4].endswith("/flask")
    # prometheus_client would write into a directory that does not exist yet.
    assert command[:3] == ["/usr/bin/env", "-u", "PROMETHEUS_MULTIPROC_DIR"]
    assert service["Environment"].startswith("PROMETHEUS_MULTIPROC_DIR=/run/")
    assert service["RuntimeDirectory"] == "webui"


def test_the_environment_file_names_only_known_settings():
    known = {s.env for s in SETTINGS} | OTHER_VARIABLES
    names = [line.split("=", 1)[0] for line in
             (DEPLOY / "webui.env.example").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert names and set(names) <= known, set(names) - known
    assert {"DATABASE_URL", "SECRET_KEY", "TOKEN_ENCRYPTION_KEYS", "RATELIMIT_STORAGE_URI",
            "PROXY_FIX_HOPS", "SESSION_COOKIE_SECURE"} <= set(names)


def nginx_blocks(text: str) -> dict[str, str]:
    """{'server', 'location = /metrics', ...: body} of the top level and of each server."""
    text = re.sub(r"#.*", "", text)
    assert text.count("{") == text.count("}"), "unbalanced braces"
    found: dict[str, str] = {}
    for match in re.finditer(r"(location\s+[^{]+?|upstream\s+\w+|server)\s*\{", text):
        depth, start = 1, match.end()
        position = start
        while depth:
            depth += {"{": 1, "}": -1}.get(text[position], 0)
            position += 1
        found.setdefault(" ".join(match.group(1).split()), text[start:position - 1])
    return found


def test_the_nginx_site_proxies_to_gunicorn_and_keeps_metrics_closed():
    text = (DEPLOY / "nginx" / "webui.conf").read_text()
    for line in re.sub(r"#.*", "", text).splitlines():
        stripped = line.strip()
        assert not stripped or stripped.endswith((";", "{", "}")), \
            f"unterminated directive: {stripped}"
    blocks = nginx_blocks(text)
    assert "server 127.0.0.1:5000" in blocks["upstream webui"]
    root = blocks["location /"]
    assert "proxy_pass http://webui;" in root
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in root  # one trusted hop
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in root
    assert "proxy_set_header X-Request-Id $request_id;" in root
    assert blocks["location = /metrics"].split() == ["deny", "all;"]
    for probe in ("/healthz", "/readyz"):
        assert "proxy_pass http://webui;" in blocks[f"location = {probe}"]
    assert "$request_uri" not in text.split("log_format", 1)[1].split(";", 1)[0]


def test_the_readme_production_section_points_to_the_guide():
    readme = (ROOT / "README.md").read_text()
    production = readme.split("## Production", 1)[1].split("\n## ", 1)[0]
    assert "docs/production.md" in production


def test_the_server_hooks_leave_an_app_other_than_the_product_alone(tmp_path):
    """gunicorn.conf.py's hooks (post_fork, worker_exit, when_ready) act on the product's
    app only: bench/ serves its reference app with the same file, whose workers must not
    build the product (which would create and open its database)."""
    database, log = tmp_path / "product.sqlite3", tmp_path / "gunicorn.log"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}",
           "REFERENCE_DB": str(tmp_path / "reference.sqlite3"),
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    port = free_port()
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "-w", "1",
             "-b", f"127.0.0.1:{port}", "bench.reference:app"], cwd=ROOT, env=env,
            stdout=output, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while "Booting worker" not in log.read_text() or not accepts(port):
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    text = log.read_text()
    assert server.returncode == 0 and "Traceback" not in text, text
    assert "Worker exiting" in text  # worker_exit ran too
    assert not database.exists()


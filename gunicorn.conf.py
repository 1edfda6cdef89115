"""gunicorn settings for production serving (``gunicorn --config gunicorn.conf.py app:app``).

Every value can be overridden from the environment (GUNICORN_CMD_ARGS or the variables below).
gunicorn's own lines (errors and the access log) follow LOG_FORMAT, like the app's
(webui/infra/logs.py).
"""
import gc
import multiprocessing
import os
import shutil
import sys
import tempfile
import traceback
from pathlib import Path


def metrics_directory() -> Path:
    """PROMETHEUS_MULTIPROC_DIR, emptied of a previous run's files, or a new temporary one.
    Set before anything imports prometheus_client, which chooses its multiprocess mode at
    import (webui/infra/metrics.py)."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not given:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="webui-metrics-")
        return Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder = Path(given)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):  # a previous run's workers are not this run's
        stale.unlink()
    return folder


METRICS_DIRECTORY_GIVEN = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
METRICS_DIRECTORY = metrics_directory()

# After the directory: these import prometheus_client.
from gunicorn.glogging import Logger  # noqa: E402
from prometheus_client import multiprocess  # noqa: E402

from webui.config import SettingError, from_env  # noqa: E402
from webui.infra import logs  # noqa: E402

logs.skip_caller_lookup()  # for gunicorn's lines too (an access line per request)
try:
    LOG_FORMAT = from_env().get("LOG_FORMAT", "text")
except SettingError as exc:
    raise SystemExit(f"Refusing to start: {exc}") from None

bind = os.environ.get("BIND", "127.0.0.1:5000")
# 2 x cores + 1 is gunicorn's advice for I/O-bound work; argon2 is CPU-bound but rare thanks to
# the credential cache, so we cap it.
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
worker_class = "sync"
# Always above the outbound deadline (webui/infra/outbound.py), so that a slow provider ends
# in a 502 from the app, never in a killed worker.
timeout = max(int(os.environ.get("GUNICORN_TIMEOUT", 30)),
              int(float(os.environ.get("OUTBOUND_DEADLINE_SECONDS", 20))) + 10)
graceful_timeout = 20
keepalive = 5
# Create the app once in the master (migrations check, first admin) and fork it.
preload_app = True
# Access log without query strings or headers: the request line's path only, never the
# Authorization header (secrets never reach logs).
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s'
errorlog = "-"


class AccessLogWithoutSecrets(Logger):
    """gunicorn's logger, whose access-log atoms are only those access_log_format uses: the
    request's headers (Authorization among them), its query string and its Basic user name
    never reach the formatter, whatever the format asks for ("-" then). It also spares every
    request building gunicorn's full set (every header, every environ key): access logging
    was ~4% of an API call in a py-spy profile of a worker under bench/'s load.

    The one response header it hands on is our own X-Request-Id (well-formed by then). With
    LOG_FORMAT=json every line, access lines included, is one JSON object whose fields are
    these atoms. In text lines the path (decoded from the request line, so it may hold any
    character) has its quotes, backslashes and control characters escaped (``escaped``): a
    request cannot end its line and forge the next one."""

    def setup(self, cfg):
        super().setup(cfg)
        self.access_format = cfg.access_log_format
        if LOG_FORMAT == "json":
            for handler in self.error_log.handlers + self.access_log.handlers:
                handler.setFormatter(logs.formatter("json"))

    def atoms(self, resp, req, environ, request_time):
        status = resp.status
        request_id = next((value for name, value in getattr(resp, "headers", ())
                           if name.lower() == "x-request-id"), None)
        return {"h": environ.get("REMOTE_ADDR", "-"), "m": environ.get("REQUEST_METHOD"),
                "U": environ.get("PATH_INFO"),
                "s": status.split(None, 1)[0] if isinstance(status, str) else status,
                "B": getattr(resp, "sent", None),
                "M": request_time.seconds * 1000 + request_time.microseconds // 1000,
                "{x-request-id}o": request_id or "-"}

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return None
        atoms = self.atoms(resp, req, environ, request_time)
        if LOG_FORMAT == "json":
            self.access_log.info("request", extra={
                "remote": atoms["h"], "method": atoms["m"], "path": atoms["U"],
                "status": int(atoms["s"]), "bytes": atoms["B"], "ms": atoms["M"],
                "request_id": atoms["{x-request-id}o"]})
            return None
        atoms["U"] = escaped(atoms["U"])
        try:
            self.access_log.info(self.access_format, TextAtoms(atoms))
        except Exception:  # noqa: BLE001 - as gunicorn's: a bad format must not fail requests
            self.error(traceback.format_exc())
        return None


class TextAtoms(dict):
    """The atoms of a text access line: one the format names but that is not given is "-",
    a header atom in any case, as gunicorn's SafeAtoms answers, without copying the atoms and
    a Python call per atom given (SafeAtoms' copy alone was 0.5% of a token hand-out's worker
    time, py-spy)."""

    def __missing__(self, key):
        return dict.get(self, key.lower(), "-") if key.startswith("{") else "-"


def escaped(text):
    """text for a quoted field of a text line: quotes, backslashes and control characters
    escaped (as Apache's access log does), so the line stays one line and unambiguous."""
    if text is None or (text.isprintable() and '"' not in text and "\\" not in text):
        return text
    return "".join(c if c.isprintable() and c not in '"\\' else
                   "\\" + c if c in '"\\' else f"\\x{ord(c):02x}" for c in text)


logger_class = AccessLogWithoutSecrets


def served_product():
    """The product's entry module (app.py) when this server serves it, else None: the hooks
    below act on the product only. bench/ serves its reference app with this file too (the
    same server settings), and gunicorn reads ./gunicorn.conf.py unless told otherwise."""
    entry = sys.modules.get("app")
    return entry if getattr(entry, "app", None) is not None else None


def post_fork(server, worker):
    # Connections opened by the master must not be shared with the forked workers.
    entry = served_product()  # imported by the master already (preload_app)
    if entry is None:
        return
    from webui.extensions import db
    with entry.app.app_context():
        db.engine.dispose(close=False)


def worker_exit(server, worker):
    # Token hand-outs this worker counted but has not written yet (webui/domain/handouts.py).
    entry = served_product()
    if entry is None:
        return
    from webui.domain import handouts
    with entry.app.app_context():
        try:
            handouts.flush()
        except Exception:  # noqa: BLE001 - a worker exiting must not fail on the audit
            server.log.warning("could not write the last token hand-out counts")


def child_exit(server, worker):
    # A dead worker's live gauges are dropped; its counters stay in the sums.
    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if not METRICS_DIRECTORY_GIVEN:  # ours, made by metrics_directory()
        shutil.rmtree(METRICS_DIRECTORY, ignore_errors=True)


def when_ready(server):
    # The preloaded app's objects (modules, mappers, compiled statements) live as long as the
    # workers: keep them out of every garbage collection, and unwritten pages shared.
    gc.freeze()
    # Failed-sign-in counters in memory are per worker: say so loudly (webui/throttle.py).
    entry = served_product()
    if entry is None:
        return
    from webui.infra.throttle import storage_warning
    warning = storage_warning(entry.app.config, server.cfg.workers)
    if warning:
        server.log.warning(warning)

"""Starting and stopping the gunicorn servers under test, and reading their workers' memory."""
from __future__ import annotations

import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.product import ROOT

GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")


class Server:
    """A gunicorn master and its workers; use as a context manager (stopped on exit)."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], port: int, log: Path):
        self.name, self.argv, self.env, self.port, self.log = name, argv, env, port, log
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Server":
        logfile = self.log.open("ab")
        self.proc = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=logfile,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start; see {self.log}")
            if len(self.workers()) >= 2 and _answers(self.url):
                return self
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start within 60 s; see {self.log}")

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def workers(self) -> list[int]:
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except FileNotFoundError:
            return []

    def worker_memory_mb(self, settle: float = 10.0) -> dict[int, tuple[float, float, bool]]:
        """Each worker's (VmRSS, VmHWM: its peak, at_rest) in MiB, from /proc/<pid>/status.

        Read once the worker runs no thread but its main one, waiting up to ``settle``
        seconds: a background password re-verification (webui/infra/credential_cache.py)
        holds argon2id's ARGON2_MEMORY_COST (64 MiB) for its ~100 ms, and a reading taken
        at that moment measured the hash, not the worker. The peak, which includes every
        such verification, is reported beside it. at_rest is False when the worker was
        still busy after ``settle``."""
        sizes = {}
        for pid in self.workers():
            deadline = time.monotonic() + settle
            while len(list(Path(f"/proc/{pid}/task").iterdir())) > 1 \
                    and time.monotonic() < deadline:
                time.sleep(0.05)
            at_rest = len(list(Path(f"/proc/{pid}/task").iterdir())) == 1
            fields = dict(line.split(":", 1) for line in
                          Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
            sizes[pid] = (int(fields["VmRSS"].split()[0]) / 1024,
                          int(fields["VmHWM"].split()[0]) / 1024, at_rest)
        return sizes


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url + "/api/mgmt/oauthprofiles/1", timeout=2)
    except urllib.error.HTTPError:
        return True  # any HTTP answer (401, 404) means it serves
    except (urllib.error.URLError, socket.timeout, ConnectionError):
        return False
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reference(env: dict[str, str], port: int, log: Path) -> Server:
    # The product's server settings (gunicorn.conf.py: access log, preloading; its hooks act
    # on the product's app only), so that what differs is the app alone.
    argv = [GUNICORN, "--config", "gunicorn.conf.py", "-w", "2", "-b", f"127.0.0.1:{port}",
            "bench.reference:app"]
    return Server("reference", argv, env, port, log)


def product(env: dict[str, str], port: int, log: Path) -> Server:
    # The production command of the README; only the bind address differs.
    argv = [GUNICORN, "--config", "gunicorn.conf.py", "-w", "2", "-b", f"127.0.0.1:{port}",
            "app:app"]
    return Server("product", argv, env, port, log)

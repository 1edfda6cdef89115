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

    def worker_rss_mb(self) -> dict[int, float]:
        """VmRSS of each worker, from /proc/<pid>/status, in MiB."""
        sizes = {}
        for pid in self.workers():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes[pid] = int(line.split()[1]) / 1024
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
    argv = [GUNICORN, "-w", "2", "-b", f"127.0.0.1:{port}", "bench.reference:app"]
    return Server("reference", argv, env, port, log)


def product(env: dict[str, str], port: int, log: Path) -> Server:
    # The production command of the README; only the bind address differs.
    argv = [GUNICORN, "--config", "gunicorn.conf.py", "-w", "2", "-b", f"127.0.0.1:{port}",
            "app:app"]
    return Server("product", argv, env, port, log)

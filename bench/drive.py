"""Driving a server with wrk and reading its result line."""
from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "wrk" / "scenarios.lua"


@dataclass(frozen=True)
class Load:
    threads: int = 2
    connections: int = 16
    duration: float = 10.0
    warmup: float = 2.0


@dataclass(frozen=True)
class Target:
    url: str
    auth: str  # "Basic ..." or "-"
    first: int
    last: int
    app_id: int


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    non2xx: int
    socket_errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def wrk(target: Target, mode: str, load: Load, seconds: float) -> Result:
    nonce = f"{time.time_ns() % 10**12:x}"
    argv = ["wrk", f"-t{load.threads}", f"-c{load.connections}", f"-d{max(1, round(seconds))}s",
            "--timeout", "10s", "-s", str(SCRIPT), target.url, "--", mode, target.auth,
            str(target.first), str(target.last), str(target.app_id), nonce]
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    line = next(l for l in reversed(out.splitlines()) if l.startswith("{"))
    data = json.loads(line)
    return Result(data["requests"], data["duration_us"] / 1e6, data["p50_us"] / 1000,
                  data["p99_us"] / 1000, data["non2xx"],
                  data["connect"] + data["read"] + data["write"] + data["timeout"])


def measure(target: Target, mode: str, load: Load) -> Result:
    """A short warm-up (results discarded: workers import lazily, caches fill), then the
    measured run."""
    if load.warmup > 0:
        wrk(target, mode, load, load.warmup)
    return wrk(target, mode, load, load.duration)


def combine(parts: list[Result]) -> Result:
    """Rounds of one scenario as one result: requests and time add up; for the latency
    percentiles, which cannot be merged from summaries, the worst round's value is kept."""
    return Result(sum(r.requests for r in parts), sum(r.seconds for r in parts),
                  max(r.p50_ms for r in parts), max(r.p99_ms for r in parts),
                  sum(r.non2xx for r in parts), sum(r.socket_errors for r in parts))

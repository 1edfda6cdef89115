"""A scenario's throughput stretch by stretch: ``.venv/bin/python -m bench.stretches
[--scenario token] [--stretches 26] [--seconds 5]``.

The product alone (seeded as ratio mode seeds it: 1,000 profiles), driven by wrk -t2 -c16 for
consecutive stretches of a few seconds after a warm-up. Prints each stretch's start (UTC),
req/s and p99, marks the stretches that hold the start of a calendar minute, and compares
their mean req/s with the others'. What it shows: work that lines up with the clock
(webui/domain/handouts.py: the hand-outs' audit rows, written at the start of each minute).
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench import product, servers
from bench.drive import Load, Target, wrk


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stretches")
    parser.add_argument("--scenario", default="token", choices=["get", "list", "token"])
    parser.add_argument("--stretches", type=int, default=26)
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args(argv)
    crossing, other = [], []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        db = Path(tmp) / "product.sqlite3"
        env = product.environment(db)
        product.init(env)
        first, last, app_id = product.seed(env, db, 1000)
        with servers.product(env, servers.free_port(), Path(tmp) / "servers.log") as srv:
            target = Target(srv.url, product.basic_auth(), first, last, app_id)
            wrk(target, args.scenario, Load(), 3)  # warm-up: caches, every profile's row
            for _ in range(args.stretches):
                start = time.time()
                r = wrk(target, args.scenario, Load(), args.seconds)
                minute_start = int(start // 60) != int((start + r.seconds) // 60)
                (crossing if minute_start else other).append(r.rps)
                print(f"{time.strftime('%H:%M:%S', time.gmtime(start))} +{r.seconds:.1f} s "
                      f"{r.rps:8,.0f} req/s  p99 {r.p99_ms:6.2f} ms  non-2xx {r.non2xx}"
                      f"{'  <- a minute starts' if minute_start else ''}", flush=True)
    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else float("nan")

    print(f"mean req/s: {mean(crossing):,.0f} in the {len(crossing)} stretches holding a "
          f"minute's start, {mean(other):,.0f} in the other {len(other)}")


if __name__ == "__main__":
    main()

"""SQLite writers with and without the flock queue (webui/infra/database.py):
``.venv/bin/python -m bench.writers [--processes 2] [--threads 8] [--writes 300]``.

Each of several processes runs threads that each commit ``--writes`` small write transactions
(BEGIN IMMEDIATE, one INSERT, COMMIT) into one WAL database, the way concurrent profile
creates do. Run once with writers queueing on the flock beside the database (what the product
does) and once relying on SQLite's busy handler alone (which sleeps 1, 2, 5, 10... ms between
tries); prints commits per second and the slowest wait of each.
"""
from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from webui.infra import database


def _worker(path: str, threads: int, writes: int, queue: bool, results) -> None:
    engine = create_engine(f"sqlite:///{path}", pool_size=threads, max_overflow=0)
    database.configure_engine(engine, busy_timeout_ms=30_000)
    waits: list[float] = []
    lock = threading.Lock()

    def run() -> None:
        slowest = 0.0
        for _ in range(writes):
            started = time.perf_counter()
            if queue:
                with database.write_intent(engine), engine.begin() as conn:
                    conn.execute(text("INSERT INTO t (v) VALUES ('x')"))
            else:
                token = database._write_intent.set(True)  # BEGIN IMMEDIATE, but no flock
                try:
                    with engine.begin() as conn:
                        conn.execute(text("INSERT INTO t (v) VALUES ('x')"))
                finally:
                    database._write_intent.reset(token)
            slowest = max(slowest, time.perf_counter() - started)
        with lock:
            waits.append(slowest)

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    results.put(max(waits))
    engine.dispose()


def measure(processes: int, threads: int, writes: int, queue: bool) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="bench-writers-") as folder:
        path = str(Path(folder) / "w.sqlite3")
        engine = create_engine(f"sqlite:///{path}")
        database.configure_engine(engine, busy_timeout_ms=30_000)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
        engine.dispose()
        results = multiprocessing.Queue()
        started = time.perf_counter()
        procs = [multiprocessing.Process(target=_worker,
                                         args=(path, threads, writes, queue, results))
                 for _ in range(processes)]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join()
        elapsed = time.perf_counter() - started
        slowest = max(results.get() for _ in procs)
    return processes * threads * writes / elapsed, slowest


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.writers", description=__doc__)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--writes", type=int, default=300)
    args = parser.parse_args()
    print(f"{args.processes} processes x {args.threads} threads x {args.writes} commits each")
    for queue in (True, False, True, False):
        rate, slowest = measure(args.processes, args.threads, args.writes, queue)
        label = "flock queue   " if queue else "busy handler  "
        print(f"{label} {rate:8,.0f} commits/s   slowest commit {slowest * 1000:7.1f} ms")


if __name__ == "__main__":
    main()

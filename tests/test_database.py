"""SQLite write transactions queue on a file lock beside the database (webui/database.py)."""
from __future__ import annotations

import threading
import time

from sqlalchemy import create_engine

from webui.infra.database import write_intent


def test_writers_of_one_database_file_take_turns(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    order: list[str] = []
    first_inside, let_go = threading.Event(), threading.Event()

    def first():
        with write_intent(engine):
            order.append("first in")
            first_inside.set()
            let_go.wait(10)
            order.append("first out")

    def second():
        first_inside.wait(10)
        with write_intent(engine):
            order.append("second in")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_inside.wait(10)
    time.sleep(0.2)  # time enough for the second writer to get in, were it not queued
    assert order == ["first in"]
    let_go.set()
    for thread in threads:
        thread.join(10)
    assert order == ["first in", "first out", "second in"]
    assert (tmp_path / "queue.sqlite3.writers").exists()


def test_a_nested_write_block_does_not_wait_for_itself(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'nested.sqlite3'}")
    done = threading.Event()

    def nested():
        with write_intent(engine), write_intent(engine):
            done.set()

    thread = threading.Thread(target=nested, daemon=True)
    thread.start()
    assert done.wait(5)

import threading

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from form_worker.core import heartbeat as beats


class Renewals:
    """A renewal statement that counts its runs and the threads running it."""

    def __init__(self, wanted: int) -> None:
        self.threads: set[str] = set()
        self.count = 0
        self.done = threading.Event()
        self.wanted = wanted

    def __call__(self):
        self.threads.add(threading.current_thread().name)
        self.count += 1
        if self.count >= self.wanted:
            self.done.set()
        return text("SELECT 1")


def test_one_thread_renews_every_claim_each_at_its_own_pace(tmp_path) -> None:
    session = Session(create_engine(f"sqlite:///{tmp_path / 'claims.sqlite3'}"))
    fast, slow = Renewals(6), Renewals(2)
    with beats.heartbeat(session, 0.15, fast), beats.heartbeat(session, 0.45, slow):
        assert fast.done.wait(10) and slow.done.wait(10)
        threads = {t.name for t in threading.enumerate()}
        assert "heartbeat" in threads
    assert fast.threads == slow.threads == {"heartbeat"}
    assert fast.count >= 2 * slow.count - 2  # three times the pace, give or take a beat
    assert not beats._renewer.claims  # released with their blocks


def test_holding_a_claim_starts_no_thread(tmp_path) -> None:
    """A task that holds a claim for a moment (most do) pays no thread start and join: the same
    heartbeat thread serves each."""
    session = Session(create_engine(f"sqlite:///{tmp_path / 'claims.sqlite3'}"))
    seen = []
    for _ in range(5):
        with beats.heartbeat(session, 300, Renewals(1)):
            seen.append([t for t in threading.enumerate() if t.name == "heartbeat"])
    [first] = seen[0]
    assert all(threads == [first] for threads in seen)
    assert not beats._renewer.claims

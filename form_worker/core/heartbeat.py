"""Keep a claim fresh while its holder lives, so that a sweep takes over only a dead holder's work.

A claim (an outbox row being sent, a submission being published) records when it was taken; the
sweep takes over claims older than a timeout. A holder that is merely slow (a mail server taking
its time, a large git commit) must not lose its claim to the sweep, or the work is done twice. So
while the work runs, the claim is renewed every third of the timeout; a killed process renews
nothing, and its claim goes stale one timeout later.

One thread per process, named "heartbeat", renews every claim held in that process. A thread per
claim cost its start and join on every task, 1.5 ms while a sibling consumer thread was busy
(the interpreter hands a new thread the GIL only at the sibling's next switch), as much as
sending a message on a kept connection (issue 24).
"""

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Engine, Executable
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)


@dataclass(eq=False)
class _Claim:
    engine: Engine
    every: float  # seconds between renewals
    renewal: Callable[[], Executable]
    due: float  # time.monotonic() of the next renewal


class _Renewer:
    """The claims held in this process and the daemon thread that renews them when due."""

    def __init__(self) -> None:
        self.claims: set[_Claim] = set()
        self.changed = threading.Condition()
        self.thread: threading.Thread | None = None

    def hold(self, claim: _Claim) -> None:
        with self.changed:
            self.claims.add(claim)
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
                self.thread.start()
            self.changed.notify()

    def release(self, claim: _Claim) -> None:
        with self.changed:
            self.claims.discard(claim)

    def _run(self) -> None:
        while True:
            with self.changed:
                now = time.monotonic()
                due = [claim for claim in self.claims if claim.due <= now]
                for claim in due:
                    claim.due = now + claim.every
                if not due:
                    self.changed.wait(min((claim.due for claim in self.claims), default=now + 3600) - now)
                    continue
            for claim in due:
                self._renew(claim)

    def _renew(self, claim: _Claim) -> None:
        """Run one renewal on a connection of its own, committed. A claim released meanwhile may
        still get this one: renewals only touch a claim still held (their WHERE says so)."""
        try:
            with claim.engine.begin() as connection:
                connection.execute(claim.renewal())
        except Exception:  # a missed beat only shortens the claim; the work goes on
            logger.exception("could not renew a claim")


_renewer = _Renewer()


def _start_afresh() -> None:
    """A forked child (a process-based consumer) has no renewing thread and must not inherit a
    lock another thread held at the fork."""
    global _renewer
    _renewer = _Renewer()


os.register_at_fork(after_in_child=_start_afresh)


@contextmanager
def heartbeat(session: Session, timeout: float, renewal: Callable[[], Executable]) -> Iterator[None]:
    """Run the block while executing a fresh renewal() statement every timeout/3 seconds.

    The statements run in the process's heartbeat thread on a connection of their own, each
    committed: the session stays with the thread doing the work (sessions are made on an engine,
    core.db).
    """
    every = timeout / 3
    claim = _Claim(cast(Engine, session.get_bind()), every, renewal, time.monotonic() + every)
    _renewer.hold(claim)
    try:
        yield
    finally:
        _renewer.release(claim)

"""Keep a claim fresh while its holder lives, so that a sweep takes over only a dead holder's work.

A claim (an outbox row being sent, a submission being published) records when it was taken; the
sweep takes over claims older than a timeout. A holder that is merely slow (a mail server taking
its time, a large git commit) must not lose its claim to the sweep, or the work is done twice. So
while the work runs, a thread renews the claim every third of the timeout; a killed process renews
nothing, and its claim goes stale one timeout later.
"""

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import cast

from sqlalchemy import Engine, Executable
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)


@contextmanager
def heartbeat(session: Session, timeout: float, renewal: Callable[[], Executable]) -> Iterator[None]:
    """Run the block while executing a fresh renewal() statement every timeout/3 seconds.

    The statements run in a daemon thread on a connection of their own, each committed: the
    session stays with the thread doing the work (sessions are made on an engine, core.db).
    """
    engine = cast(Engine, session.get_bind())
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(timeout / 3):
            try:
                with engine.begin() as connection:
                    connection.execute(renewal())
            except Exception:  # a missed beat only shortens the claim; the work goes on
                logger.exception("could not renew a claim")

    thread = threading.Thread(target=beat, name="heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()

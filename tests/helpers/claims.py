"""Watching a live task renew its claim (core.heartbeat), instead of sleeping past the timeout."""

import datetime as dt
import threading
from collections.abc import Callable

# Renewals come every third of the claim timeout: the seventh is more than twice the timeout after
# the claim was taken, long enough for a claim that nobody renewed to look stale twice over.
RENEWALS_PAST_TWICE_THE_TIMEOUT = 7


class RenewalClock:
    """A clock to pass to the code under test that counts the calls its heartbeat thread makes (one
    per renewal of the claim) and sets `renewed` at the `wanted`-th."""

    def __init__(
        self, clock: Callable[[], dt.datetime], wanted: int = RENEWALS_PAST_TWICE_THE_TIMEOUT
    ) -> None:
        self.clock, self.wanted = clock, wanted
        self.renewals = 0
        self.renewed = threading.Event()

    def __call__(self) -> dt.datetime:
        if threading.current_thread().name == "heartbeat":
            self.renewals += 1
            if self.renewals >= self.wanted:
                self.renewed.set()
        return self.clock()

"""Attempts are counted before they are checked; past the allowance a key locks, with a doubling
delay, in the database every process shares."""

import datetime as dt
import threading

import pytest

from form_worker.core import config, throttle
from form_worker.core.db import sessions

NOW = dt.datetime(2026, 6, 1, 8, 0)
MINUTE = dt.timedelta(minutes=1)


def test_the_lock_doubles_from_a_minute_to_an_hour() -> None:
    minutes = [int(throttle.lock_length(n).total_seconds() // 60) for n in range(9)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_attempts_past_the_allowance_lock_and_a_success_clears(session) -> None:
    name = throttle.key("login", " Admin ")
    assert name == throttle.key("login", "admin")
    assert [throttle.attempt(session, name, NOW, free=3) for _ in range(3)] == [None] * 3
    assert throttle.attempt(session, name, NOW, free=3) == NOW + MINUTE  # the 4th is refused
    assert throttle.attempt(session, name, NOW + MINUTE / 2, free=3) == NOW + MINUTE  # still locked
    after = NOW + MINUTE
    assert throttle.attempt(session, name, after, free=3) is None  # one more try after the lock
    assert throttle.attempt(session, name, after, free=3) == after + 2 * MINUTE
    throttle.clear(session, name)
    assert throttle.attempt(session, name, after, free=3) is None
    assert throttle.minutes_left(NOW + dt.timedelta(seconds=61), NOW) == 2


def test_attempts_a_day_old_are_forgotten(session) -> None:
    for _ in range(5):
        throttle.attempt(session, "login:old", NOW, free=3)
    throttle.attempt(session, "login:other", NOW + throttle.FORGET_AFTER + dt.timedelta(seconds=1), free=3)
    assert throttle.locked_until(session, "login:old", NOW) is None


@pytest.mark.backend
def test_simultaneous_attempts_get_exactly_the_allowance(app) -> None:
    """Twelve attempts at once from as many connections: five go on, seven are refused."""
    results: list[object] = []
    barrier = threading.Barrier(12)

    def guess() -> None:
        try:
            with sessions(app)() as session:
                barrier.wait()
                results.append(throttle.attempt(session, "login:target", NOW, free=5))
        except BaseException as error:  # reported below, in the test's own thread
            results.append(error)

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert results.count(None) == 5 and results.count(NOW + MINUTE) == 7


def test_rate_limits_share_redis_when_the_queue_is_on_redis() -> None:
    assert config.load({})["RATELIMIT_STORAGE_URI"] == "memory://"
    on_redis = config.load({"HUEY_URL": "redis://127.0.0.1:6379/0"})
    assert on_redis["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert (
        config.load({"RATELIMIT_STORAGE_URI": "redis://x:6379/1"})["RATELIMIT_STORAGE_URI"]
        == "redis://x:6379/1"
    )

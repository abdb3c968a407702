"""Repeated failures lock a key with a growing delay, in the database every process shares."""

import datetime as dt
import threading

import pytest

from form_worker.core import config, throttle
from form_worker.core.db import sessions

NOW = dt.datetime(2026, 6, 1, 8, 0)


def test_the_lock_doubles_from_a_minute_to_an_hour() -> None:
    lengths = [throttle.lock_length(n, free=5) for n in range(1, 15)]
    assert lengths[:5] == [None] * 5
    minutes = [int(length.total_seconds() // 60) for length in lengths[5:]]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_failures_lock_then_a_success_clears(session) -> None:
    name = throttle.key("login", " Admin ")
    assert name == throttle.key("login", "admin")
    for _ in range(3):
        assert throttle.fail(session, name, NOW, free=3) is None
    assert throttle.locked_until(session, name, NOW) is None
    until = throttle.fail(session, name, NOW, free=3)
    assert until == NOW + dt.timedelta(minutes=1)
    assert throttle.locked_until(session, name, NOW + dt.timedelta(seconds=59)) == until
    assert throttle.locked_until(session, name, until) is None  # over when it says
    assert throttle.fail(session, name, until, free=3) == until + dt.timedelta(minutes=2)
    throttle.clear(session, name)
    assert throttle.locked_until(session, name, until) is None
    assert throttle.minutes_left(NOW + dt.timedelta(seconds=61), NOW) == 2


def test_failures_a_day_old_are_forgotten(session) -> None:
    for _ in range(5):
        throttle.fail(session, "login:old", NOW, free=3)
    throttle.fail(session, "login:other", NOW + throttle.FORGET_AFTER + dt.timedelta(seconds=1), free=3)
    assert throttle.locked_until(session, "login:old", NOW) is None


@pytest.mark.backend
def test_concurrent_failures_are_all_counted(app) -> None:
    """Twelve processes' worth of guesses at once: none is lost to a race on the first row."""
    errors: list[BaseException] = []

    def guess() -> None:
        try:
            with sessions(app)() as session:
                throttle.fail(session, "login:target", NOW, free=100)
                session.commit()
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with sessions(app)() as session:
        assert session.get(throttle.Throttle, "login:target").failures == 12


def test_rate_limits_share_redis_when_the_queue_is_on_redis() -> None:
    assert config.load({})["RATELIMIT_STORAGE_URI"] == "memory://"
    on_redis = config.load({"HUEY_URL": "redis://127.0.0.1:6379/0"})
    assert on_redis["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert (
        config.load({"RATELIMIT_STORAGE_URI": "redis://x:6379/1"})["RATELIMIT_STORAGE_URI"]
        == "redis://x:6379/1"
    )

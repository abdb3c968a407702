"""One clock: the worker reads "now" and "today" only through core.clock (the configured UTCNOW and
CLOCK), and daily tasks declared at a Chongqing time fire at the UTC times Huey was given before."""

import ast
import datetime as dt
from pathlib import Path

import pytest
from huey import crontab

from form_worker.core import clock
from form_worker.core.queue import chongqing_crontab, huey
from site_builder.clock import CHONGQING

WORKER = Path(__file__).resolve().parents[3] / "form_worker"

# The reads of a real clock; only core/clock.py makes them.
DIRECT = {"utcnow", "today_in_chongqing"}
ON_DATETIME = {"now", "utcnow", "today"}
# The one other module allowed to call core.clock's wall clock (`utcnow`), and why.
WALL_CLOCK = {
    "publishing/site.py": "a build folder's name must stay unique while a test pins the configured clock",
}


def direct_clock_calls(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, call) of every utcnow(), today_in_chongqing(), datetime.now/utcnow/today(), date.today()."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        if isinstance(function, ast.Name) and function.id in DIRECT:
            found.append((node.lineno, function.id))
        elif isinstance(function, ast.Attribute):
            owner = ast.unparse(function.value)
            if function.attr in DIRECT:
                found.append((node.lineno, f"{owner}.{function.attr}"))
            elif function.attr in ON_DATETIME and owner.split(".")[-1] in ("datetime", "date"):
                found.append((node.lineno, f"{owner}.{function.attr}"))
    return found


def test_the_scan_sees_every_kind_of_direct_clock_call() -> None:
    source = (
        "utcnow(); models.utcnow(); today_in_chongqing(); dt.datetime.now(dt.UTC); datetime.utcnow()\n"
        "dt.date.today(); date.today(); datetime.datetime.today()\n"
        "clock.now(); clock.today(); app.config['CLOCK'](); now.date(); default=utcnow\n"
    )
    assert [call for _, call in direct_clock_calls(ast.parse(source))] == [
        "utcnow",
        "models.utcnow",
        "today_in_chongqing",
        "dt.datetime.now",
        "datetime.utcnow",
        "dt.date.today",
        "date.today",
        "datetime.datetime.today",
    ]


def test_no_module_of_the_worker_reads_a_clock_but_core_clock() -> None:
    """Column defaults name `utcnow` without calling it (core.models says why), so they pass."""
    found = {}
    for path in sorted(WORKER.rglob("*.py")):
        name = path.relative_to(WORKER).as_posix()
        if name == "core/clock.py" or name.startswith("migrations/"):
            continue
        calls = direct_clock_calls(ast.parse(path.read_text(encoding="utf-8")))
        if name in WALL_CLOCK:
            calls = [(line, call) for line, call in calls if call != "utcnow"]
        if calls:
            found[name] = calls
    assert found == {}


def test_now_and_today_are_the_configured_clock(app) -> None:
    moment = dt.datetime(2026, 11, 27, 1, 2, 3)
    app.config["UTCNOW"] = lambda: moment
    app.config["CLOCK"] = lambda: dt.date(2026, 11, 28)
    with app.app_context():
        assert clock.now() == moment and clock.today() == dt.date(2026, 11, 28)
        source = clock.now_source()
    assert source() == moment  # a heartbeat's thread calls it without the app context


def test_the_wall_clock_is_naive_utc() -> None:
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    moment = clock.utcnow()
    assert moment.tzinfo is None and before <= moment <= dt.datetime.now(dt.UTC).replace(tzinfo=None)


@pytest.mark.parametrize(
    ("chongqing", "utc"),
    [((0, 0), (16, 0)), ((0, 20), (16, 20)), ((7, 59), (23, 59)), ((8, 0), (0, 0)), ((8, 30), (0, 30))],
)
def test_a_chongqing_time_of_day_in_utc(chongqing: tuple[int, int], utc: tuple[int, int]) -> None:
    assert clock.utc_time_of_day(*chongqing) == utc


@pytest.mark.parametrize("time_of_day", [(24, 0), (-1, 0), (0, 60)])
def test_a_time_that_is_not_of_a_day_is_refused(time_of_day: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="not a time of day"):
        clock.utc_time_of_day(*time_of_day)


def minutes_matched(schedule, start: dt.datetime, days: int = 2) -> list[dt.datetime]:
    return [
        moment
        for moment in (start + dt.timedelta(minutes=m) for m in range(days * 24 * 60))
        if schedule(moment)
    ]


# Each daily task: its Chongqing time, and the UTC crontab it was declared with by hand before.
DAILY = {
    "start_placements": ((0, 20), ("16", "20")),
    "close_expired_positions": ((1, 5), ("17", "5")),
    "purge_drafts": ((1, 35), ("17", "35")),
    "purge_personal_data": ((2, 50), ("18", "50")),
    "university_digests": ((8, 30), ("0", "30")),
}


@pytest.mark.parametrize("task", sorted(DAILY))
def test_each_daily_task_fires_at_the_same_utc_minutes_as_before(task: str) -> None:
    (hour, minute), (utc_hour, utc_minute) = DAILY[task]
    before = crontab(hour=utc_hour, minute=utc_minute)
    start = dt.datetime(2026, 12, 31, 0, 0)  # over a year's end: the day shift changes nothing
    expected = minutes_matched(before, start)
    assert len(expected) == 2
    assert minutes_matched(chongqing_crontab(hour=hour, minute=minute), start) == expected
    # And the registered task uses it (the tasks modules are imported by the app's blueprints).
    from form_worker.applications.review import tasks as _review  # noqa: F401
    from form_worker.applications.selection import tasks as _selection  # noqa: F401
    from form_worker.publishing import tasks as _publishing  # noqa: F401
    from form_worker.retention import tasks as _retention  # noqa: F401
    from form_worker.submissions import tasks as _submissions  # noqa: F401

    registered = {t.__name__: t for t in huey._registry._periodic_tasks}
    task_class = registered[task]
    assert minutes_matched(lambda moment: task_class.validate_datetime(None, moment), start) == expected


def test_huey_reads_crontabs_in_utc() -> None:
    assert huey.utc is True


def test_a_chongqing_time_fires_at_that_time_in_chongqing() -> None:
    schedule = chongqing_crontab(hour=0, minute=20)
    fired = minutes_matched(schedule, dt.datetime(2026, 7, 1, 0, 0), days=1)
    in_chongqing = [moment.replace(tzinfo=dt.UTC).astimezone(CHONGQING) for moment in fired]
    assert [(t.hour, t.minute) for t in in_chongqing] == [(0, 20)]

"""The statistics kept until the applications' data changes (reports/cache.py, issue 24): a repeated
view reads one counter; every kind of change, by whatever writer, moves it; each scope keeps its own
figures; the priority groups' view is audited each time; the cache is bounded and dropped with the
catalogue; the reports read no table the counter does not follow; and a chart is drawn again only
when its figures change."""

import dataclasses
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import delete, event, select, text, update

from form_worker.accounts.models import AuditEntry
from form_worker.applications import services
from form_worker.applications.models import Application, Choice, InternRating, Placement
from form_worker.applications.version import TRACKED, data_version
from form_worker.core import db
from form_worker.metadata import metadata
from form_worker.reports import charts, statistics, statistics_views
from form_worker.reports.cache import FiguresCache
from form_worker.reports.filters import Filters, years
from form_worker.reports.summary import summary
from tests.form_worker.conftest import recorded_application
from tests.helpers.parties import make_parties, party
from tests.helpers.statistics import YEAR, A, Tables, positions_of

KEY = "jianxi.figures"


def shown(client, path: str = "/staff/stats") -> dict[str, list[list[str]]]:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return Tables(response.text).tables


@contextmanager
def statements(app) -> Iterator[list[str]]:
    """The SQL the app's engine runs meanwhile."""
    engine = db.sessions(app).kw["bind"]
    seen: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _many) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def tables_named(sql: list[str]) -> set[str]:
    return {name for name in metadata.tables for s in sql if re.search(rf"\b{name}\b", s)}


@pytest.mark.backend
def test_a_repeated_view_reads_the_counter_and_no_application_table(app, reviewer, figures) -> None:
    first = shown(reviewer)
    with statements(app) as seen:
        again = shown(reviewer)
    assert again == first
    assert any("data_version" in s for s in seen)
    assert tables_named(seen) & set(TRACKED) == set()


def move(app, session, apps) -> None:
    """The state machine moves a submitted application on (the funnel's first rows change)."""
    services.move(session, apps["a10"], "checked", "reviewer", "", app.config["MAIL_FROM"])
    session.commit()


def place(app, session, apps) -> None:
    """A unit records where an intern went next (去向, the outcome table)."""
    session.execute(
        update(Placement).where(Placement.application_id == apps["a3"].id).values(destination="kept")
    )
    session.commit()


def apply(app, session, apps) -> None:
    """A new application through the form's own service."""
    recorded_application(app, session, [A])


def unchoose(app, session, apps) -> None:
    """A choice deleted (the positions' figures)."""
    session.execute(delete(Choice).where(Choice.application_id == apps["a9"].id))
    session.commit()


def rate(app, session, apps) -> None:
    """An intern rates the internship (a work-file table: the records section)."""
    placement = session.scalar(select(Placement).where(Placement.application_id == apps["a1"].id))
    session.add(InternRating(placement_id=placement.id, mentor=5, tasks=4, learning=5, comment=""))
    session.commit()


def elsewhere(app, session, apps) -> None:
    """Plain SQL on a connection of its own, as another process or a psql session would write."""
    engine = db.sessions(app).kw["bind"]
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE application SET university = :name WHERE id = :id"),
            {"name": "重庆工商大学", "id": apps["a2"].id},
        )


CHANGES: list[Callable] = [move, place, apply, unchoose, rate, elsewhere]


@pytest.mark.backend
@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__ for c in CHANGES])
def test_the_kept_figures_follow_each_kind_of_change(app, session, reviewer, figures, change) -> None:
    before = shown(reviewer)
    assert shown(reviewer) == before  # kept now
    change(app, session, figures)
    after = shown(reviewer)
    app.extensions.pop(KEY)  # what the page shows when nothing is kept
    assert after == shown(reviewer) != before


@pytest.mark.backend
def test_a_change_rolled_back_keeps_the_figures(app, session, figures) -> None:
    version = data_version(session)
    session.execute(update(Application).values(university="某大学"))
    session.rollback()
    assert data_version(session) == version


@pytest.mark.backend
def test_each_scope_keeps_its_own_figures(app, session, figures) -> None:
    """The office's, each district's, an admin's and a reviewer's figures of the same filters, viewed
    one after another both ways, are each what that viewer sees with nothing kept."""
    make_parties(app, session)
    session.commit()
    viewers = {name: party(app, name) for name in ("admin", "reviewer", "yuzhong_hr", "nanan_cast")}
    workbook_first = viewers["yuzhong_hr"].post("/staff/stats.xlsx", {"year": str(YEAR)})
    assert workbook_first.status_code == 200
    seen = {name: shown(client) for name, client in viewers.items()}
    again = {name: shown(client) for name, client in reversed(viewers.items())}
    app.extensions.pop(KEY)
    fresh = {name: shown(client) for name, client in viewers.items()}
    assert seen == again == fresh
    assert len(fresh["admin"]) == len(fresh["reviewer"]) + 1  # the priority groups' table
    assert "table-priority" not in fresh["reviewer"] and "table-priority" in fresh["admin"]
    totals = {name: tables["table-funnel"][-1][1] for name, tables in fresh.items()}
    assert totals["admin"] == totals["reviewer"] == "11"
    assert totals["yuzhong_hr"] != totals["nanan_cast"]  # each its own district's units


def test_the_priority_groups_are_audited_on_every_view_kept_or_not(
    admin, figures, session, monkeypatch
) -> None:
    assert "table-priority" in shown(admin)

    def refuse(*_args, **_kwargs):
        raise AssertionError("computed again: the figures were not kept")

    monkeypatch.setattr(statistics, "gather", refuse)
    monkeypatch.setattr(statistics_views, "summary", refuse)
    assert "table-priority" in shown(admin)
    assert admin.post("/staff/stats.xlsx", {"year": str(YEAR)}).status_code == 200
    monkeypatch.undo()
    shown(admin, "/staff/reports/summary")
    monkeypatch.setattr(statistics_views, "summary", refuse)
    shown(admin, "/staff/reports/summary")
    entries = session.scalars(
        select(AuditEntry.target).where(AuditEntry.action == "stats_view_sensitive").order_by(AuditEntry.id)
    ).all()
    assert entries == ["stats", "stats", "stats.xlsx", "summary", "summary"]


def test_the_cache_is_bounded_and_dropped_with_the_catalogue(app, session) -> None:
    cache = FiguresCache(entries=2)
    positions = positions_of(app)
    computed: list[str] = []

    def get(key: str, catalogue=positions) -> str:
        def compute() -> str:
            computed.append(key)
            return key.upper()

        return cache.get(session, catalogue, key, compute)

    assert [get(k) for k in ("a", "b", "a", "c", "a", "b")] == ["A", "B", "A", "C", "A", "B"]
    # "b" was the least recently used when "c" came, and "c" when "b" came back.
    assert computed == ["a", "b", "c", "b"] and len(cache) == 2
    reloaded = dataclasses.replace(positions)  # what a reload of the working copy makes
    assert get("a", reloaded) == "A" and computed[-1] == "a" and len(cache) == 1


@pytest.mark.backend
def test_every_tracked_table_has_its_triggers(app, session) -> None:
    """All there after the migrations (a table rebuilt by a batch migration on SQLite loses them)."""
    if session.bind.dialect.name == "sqlite":
        found = set(session.execute(text("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")))
        wanted = {(t, f"{t}_data_version_{op}") for t in TRACKED for op in ("insert", "update", "delete")}
    else:
        found = set(
            session.execute(
                text(
                    "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal"
                )
            )
        )
        wanted = {(t, f"{t}_data_version{end}") for t in TRACKED for end in ("", "_truncate")}
    assert {f for f in found if "data_version" in f[1]} == wanted


@pytest.mark.backend
def test_a_write_to_any_row_of_a_tracked_table_moves_the_counter(app, session, figures) -> None:
    """Even one that changes no value: the counter says the data may differ, never that it does not."""
    moved = []
    for table in TRACKED:
        rows = metadata.tables[table]
        first = session.scalar(select(rows.c.id).order_by(rows.c.id).limit(1))
        if first is None:
            continue
        version = data_version(session)
        session.execute(update(rows).where(rows.c.id == first).values(id=rows.c.id))
        session.commit()
        assert data_version(session) > version, table
        moved.append(table)
    assert moved == ["application", "choice", "transition", "placement", "evaluation"]


def test_the_reports_read_only_the_tables_the_counter_follows(app, session, figures) -> None:
    positions = positions_of(app)
    with statements(app) as seen:
        statistics.gather(session, positions, Filters(YEAR, type="科普助理", district="南岸区"), True)
        summary(session, positions, YEAR, True)
        years(session, YEAR)
    assert seen and tables_named(seen) <= set(TRACKED)


def test_a_chart_is_drawn_again_only_when_its_figures_change() -> None:
    drawn = charts.bars("柱状图：测试", ["甲", "乙"], [("人数", [3, 4])])
    assert charts.bars("柱状图：测试", ("甲", "乙"), [("人数", (3, 4))]) is drawn
    moved = charts.bars("柱状图：测试", ["甲", "乙"], [("人数", [3, 5])])
    assert moved is not drawn and moved != drawn

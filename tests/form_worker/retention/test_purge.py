"""The retention rules: each kind of record kept to its deadline and anonymised or cleared on it,
statistics kept, the purge idempotent and batched, and its run in the audit log without names."""

import datetime as dt
import io
import itertools
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, func, select

from form_worker.accounts.models import AuditEntry
from form_worker.applications.models import (
    AllowancePayment,
    Application,
    Attendance,
    Claim,
    Evaluation,
    FilingBatch,
    PerformanceNote,
    Placement,
    WorkTask,
)
from form_worker.applications.review import filing
from form_worker.core.downloads import write_xlsx
from form_worker.outbox.models import Outbox
from form_worker.retention import rules as retention_rules
from form_worker.retention import services
from form_worker.retention.rules import add_years, from_config
from form_worker.retention.tasks import purge_personal_data
from tests.form_worker.conftest import OPEN_POSITION
from tests.helpers.retention import person, placement

NOW = dt.datetime(2026, 1, 5, 3, 0)


# ---------------------------------------------------------------- the deadlines, as pure functions


def test_a_placed_deadline_and_its_cutoff_agree_on_every_day_leap_years_included() -> None:
    rules = from_config(
        {
            "RETAIN_UNPLACED_MONTHS": 12,
            "RETAIN_PLACED_YEARS": 5,
            "RETAIN_EMAIL_DAYS": 90,
            "RETAIN_FEEDBACK_DAYS": 90,
            "DRAFT_DAYS": 30,
        }
    )
    start = dt.date(2019, 12, 1)
    ends = [start + dt.timedelta(days=n) for n in range(120)]
    todays = [add_years(start, 5) + dt.timedelta(days=n) for n in range(-3, 125)]
    for end, today in itertools.product(ends, todays):
        assert (end <= rules.placed_cutoff(today)) == (rules.placed_deadline(end) <= today), (end, today)
    assert rules.placed_deadline(dt.date(2020, 2, 29)) == dt.date(2025, 3, 1)


@pytest.mark.parametrize(
    ("months", "today", "year"),
    [
        (12, dt.date(2025, 12, 30), 2023),
        (12, dt.date(2025, 12, 31), 2024),
        (2, dt.date(2025, 2, 27), 2023),
        (2, dt.date(2025, 2, 28), 2024),
        (0, dt.date(2024, 12, 31), 2024),
    ],
)
def test_a_programme_year_is_due_months_after_31_december(months: int, today: dt.date, year: int) -> None:
    rules = from_config(
        {
            "RETAIN_UNPLACED_MONTHS": months,
            "RETAIN_PLACED_YEARS": 5,
            "RETAIN_EMAIL_DAYS": 90,
            "RETAIN_FEEDBACK_DAYS": 90,
            "DRAFT_DAYS": 30,
        }
    )
    assert rules.unplaced_due_through(today) == year


def test_every_rule_says_itself_in_chinese(app) -> None:
    summaries = [rule.summary for rule in from_config(app.config)]
    assert summaries == [
        "从未签订见习协议的报名：所属计划年度结束（12 月 31 日）后 12 个月匿名化",
        "已签订见习协议的报名及其见习档案：见习结束后 5 年匿名化",
        "已发送的邮件：发送后 90 天清除正文、隐去收件人",
        "全国备案批次的名单文件：批次内的报名全部匿名化后清除名单文件",
        "岗位问题反馈中留下的联系方式：收到反馈后 90 天删除反馈人的联系方式",
        "岗位申报草稿：最后一次保存后 30 天删除",
        "操作日志：长期保存",
    ]


# ---------------------------------------------------------------- fixtures: people and their records


def personal_values(application: Application) -> tuple[str, str, str]:
    return application.name, application.phone, application.email


def assert_anonymised(session, application: Application, at: dt.datetime = NOW) -> None:
    """Nothing names or describes the person; what the statistics count is still there."""
    session.expire_all()
    row = session.get(Application, application.id)
    assert row.anonymised_at == at
    assert (row.name, row.phone, row.email, row.major) == (services.ERASED_NAME, "", "", "")
    assert (row.statement, row.society_post_detail, row.volunteering_detail) == ("", "", "")
    assert row.priority_groups is None and row.priority_consent is False
    stored_null = select(Application.id).where(
        Application.id == row.id, Application.priority_groups.is_(None)
    )
    assert session.scalar(stored_null) == row.id  # SQL NULL, which a statistics query reads as none
    # The statistics still count it.
    assert (row.university, row.degree, row.major_group, row.current_status) == (
        "重庆大学",
        "本科",
        "工学",
        "应届毕业生",
    )
    assert row.society_post is True and row.volunteering is True
    assert [c.position_id for c in row.choices] == [OPEN_POSITION]
    assert session.scalar(select(func.count()).select_from(Claim).where(Claim.application_id == row.id)) == 0
    assert {t.reason for t in row.transitions} == {""}
    emails = list(session.scalars(select(Outbox).where(Outbox.application_id == row.id)))
    assert emails and all(e.status == "sent" for e in emails)  # the unsent ones are gone
    assert all((e.recipient, e.body_text, e.body_html) == (services.MASKED_RECIPIENT, "", "") for e in emails)


def assert_kept(session, application: Application) -> None:
    session.expire_all()
    row = session.get(Application, application.id)
    assert row.anonymised_at is None
    assert personal_values(row) == personal_values(application)
    assert row.statement.startswith("我家住在") and row.priority_groups == ["低保家庭"]


def purge(app, session, today: dt.date, now: dt.datetime = NOW) -> services.Report:
    return services.purge(session, today, now, from_config(app.config))


# ---------------------------------------------------------------- the rules, each side of each deadline


@pytest.mark.backend
def test_never_placed_applications_go_12_months_after_their_programme_year(app, session) -> None:
    closed = person(app, session, year=2024, state="rejected")
    abandoned = person(app, session, year=2024, state="checked")  # still open, its year long over
    declined = person(app, session, year=2024, state="withdrawn")
    placement(session, declined, end=dt.date(2024, 9, 30), signed=False)  # offered, never signed
    next_year = person(app, session, year=2025, state="withdrawn")
    # Rows from before programme_year count by the Chongqing year they were created in.
    late_2024 = person(
        app, session, year=None, state="rejected", created_at=dt.datetime(2024, 12, 31, 15, 59)
    )
    early_2025 = person(
        app, session, year=None, state="rejected", created_at=dt.datetime(2024, 12, 31, 16, 0)
    )

    assert purge(app, session, dt.date(2025, 12, 30)).counts["unplaced"] == 0
    for application in (closed, abandoned, declined, next_year, late_2024, early_2025):
        assert_kept(session, application)

    assert purge(app, session, dt.date(2025, 12, 31)).counts["unplaced"] == 4
    for application in (closed, abandoned, declined, late_2024):
        assert_anonymised(session, application)
    for application in (next_year, early_2025):
        assert_kept(session, application)
    assert session.get(Application, abandoned.id).state == "checked"  # counted as it was


@pytest.mark.backend
def test_placed_applications_go_5_years_after_the_internship_ended(app, session) -> None:
    completed = person(app, session, year=2019, state="completed")
    placement(session, completed, end=dt.date(2020, 6, 30))
    left_early = person(app, session, year=2019, state="withdrawn")
    placement(session, left_early, end=dt.date(2020, 6, 30), finished_on=dt.date(2020, 3, 31))
    # A second, later placement keeps the application until the later end.
    twice = person(app, session, year=2019, state="completed")
    placement(session, twice, end=dt.date(2019, 12, 31))
    placement(session, twice, end=dt.date(2020, 6, 30))

    # Long past the never-placed deadline of 2019: a signed agreement keeps them.
    report = purge(app, session, dt.date(2025, 3, 30))
    assert (report.counts["unplaced"], report.counts["placed"]) == (0, 0)
    for application in (completed, left_early, twice):
        assert_kept(session, application)

    assert purge(app, session, dt.date(2025, 3, 31)).counts["placed"] == 1
    assert_anonymised(session, left_early)
    assert purge(app, session, dt.date(2025, 6, 29)).counts["placed"] == 0
    assert_kept(session, completed)
    assert_kept(session, twice)
    assert purge(app, session, dt.date(2025, 6, 30)).counts["placed"] == 2
    assert_anonymised(session, completed)
    assert_anonymised(session, twice)


@pytest.mark.backend
def test_the_work_file_keeps_its_numbers_and_grades_and_loses_its_text(app, session) -> None:
    completed = person(app, session, year=2019, state="completed")
    row = placement(session, completed, end=dt.date(2020, 6, 30), finished_on=dt.date(2020, 6, 1))
    purge(app, session, dt.date(2025, 6, 1))
    session.expire_all()
    kept = session.get(Placement, row.id)
    assert (kept.mentor, kept.allowance, kept.insurer, kept.end_date) == (
        "张导师",
        2000,
        "某保险公司",
        dt.date(2020, 6, 30),
    )
    assert kept.typical_case is False  # a published case names the intern
    assert (kept.case_story, kept.early_end_reason, kept.policy_number) == ("", None, None)
    attendance = session.scalar(select(Attendance).where(Attendance.placement_id == row.id))
    assert (attendance.expected, attendance.present, attendance.sick_leave, attendance.note) == (
        22,
        20,
        2,
        "",
    )
    task = session.scalar(select(WorkTask).where(WorkTask.placement_id == row.id))
    assert (task.title, task.percent, task.status, task.delivered) == ("（已删除）", 100, "done", "")
    note = session.scalar(select(PerformanceNote).where(PerformanceNote.placement_id == row.id))
    assert note.text == "" and note.day == dt.date(2020, 1, 1)
    payment = session.scalar(select(AllowancePayment).where(AllowancePayment.placement_id == row.id))
    assert payment.amount == 2000
    evaluation = session.scalar(select(Evaluation).where(Evaluation.placement_id == row.id))
    assert (evaluation.grade, evaluation.scores, evaluation.comment) == ("优秀", {"态度": 5, "能力": 4}, "")


def email(
    session, key: str, status: str, created_at: dt.datetime, sent_at: dt.datetime | None = None
) -> Outbox:
    row = Outbox(
        key=key,
        message_id=f"<{key}@jianxi.test>",
        recipient="chen.shili@example.com",
        subject="报名进度更新：已通过（JX2026-000001）",
        body_text="陈示例同学：您好",
        body_html="<p>陈示例同学：您好</p>",
        status=status,
        last_error="550 <chen.shili@example.com> no such user" if status == "failed" else "",
        created_at=created_at,
        next_attempt_at=created_at,
        sent_at=sent_at,
    )
    session.add(row)
    session.commit()
    return row


@pytest.mark.backend
def test_email_bodies_go_90_days_after_sending_and_failed_emails_go(app, session) -> None:
    now = dt.datetime(2026, 6, 1, 12, 0)
    due, day_before = now - dt.timedelta(days=90), now - dt.timedelta(days=89)
    old_sent = email(session, "old-sent", "sent", due - dt.timedelta(minutes=1), due)
    new_sent = email(session, "new-sent", "sent", day_before, day_before)
    old_failed = email(session, "old-failed", "failed", due)
    new_failed = email(session, "new-failed", "failed", day_before)
    pending = email(session, "pending", "pending", due - dt.timedelta(days=400))

    report = purge(app, session, now.date(), now)
    assert (report.counts["email"], report.counts["email_failed"]) == (1, 1)
    session.expire_all()
    cleared = session.get(Outbox, old_sent.id)
    assert (cleared.recipient, cleared.body_text, cleared.body_html) == (services.MASKED_RECIPIENT, "", "")
    assert cleared.subject.startswith("报名进度更新") and cleared.sent_at == due  # the record it was sent
    assert session.get(Outbox, new_sent.id).body_text == "陈示例同学：您好"
    assert session.get(Outbox, old_failed.id) is None
    assert session.get(Outbox, new_failed.id).body_text == "陈示例同学：您好"
    assert session.get(Outbox, pending.id).body_text == "陈示例同学：您好"  # still to be sent


# ---------------------------------------------------------------- the run: idempotent, batched, audited


@pytest.mark.backend
def test_a_second_run_does_nothing(app, session) -> None:
    closed = person(app, session, year=2023, state="rejected")
    completed = person(app, session, year=2018, state="completed")
    placement(session, completed, end=dt.date(2019, 6, 30))
    email(session, "old-sent", "sent", dt.datetime(2025, 1, 1), dt.datetime(2025, 1, 1))
    first = purge(app, session, dt.date(2025, 6, 30)).as_detail()
    assert first == {"unplaced": 1, "placed": 1, "email": 1, "email_failed": 0, "filing": 0, "feedback": 0}
    later = NOW + dt.timedelta(days=1)
    assert purge(app, session, dt.date(2025, 7, 1), later).as_detail() == dict.fromkeys(first, 0)
    assert_anonymised(session, closed)  # anonymised_at still the first run's
    assert_anonymised(session, completed)


def test_the_purge_works_in_batches(app, session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "BATCH", 2)
    people = [person(app, session, year=2023, state="rejected") for _ in range(5)]
    statements: list[str] = []
    engine = session.get_bind()

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert purge(app, session, dt.date(2025, 1, 1)).counts["unplaced"] == 5
    finally:
        event.remove(engine, "before_cursor_execute", count)
    for application in people:
        assert_anonymised(session, application)
    updates = [s for s in statements if s.startswith("UPDATE application")]
    assert len(updates) == 3  # 2 + 2 + 1


def test_the_daily_task_records_its_counts_and_no_personal_data(app, session) -> None:
    closed = person(app, session, year=2023, state="rejected")
    app.config["CLOCK"] = lambda: dt.date(2025, 1, 1)
    app.config["UTCNOW"] = lambda: NOW
    with app.app_context():
        counts = purge_personal_data.call_local()
        again = purge_personal_data.call_local()
    assert counts == {"unplaced": 1, "placed": 0, "email": 0, "email_failed": 0, "filing": 0, "feedback": 0}
    assert again == dict.fromkeys(counts, 0)
    entries = list(session.scalars(select(AuditEntry).where(AuditEntry.action == "retention_purge")))
    assert [(e.actor, e.target, json.loads(e.detail)) for e in entries] == [
        ("系统", "retention", counts),
        ("系统", "retention", again),
    ]
    everything = " ".join(f"{e.actor} {e.target} {e.detail}" for e in session.scalars(select(AuditEntry)))
    assert not any(value in everything for value in personal_values(closed))


def test_the_worker_runs_the_purge_at_night_in_chongqing() -> None:
    from form_worker import worker

    assert worker._retention_tasks.purge_personal_data is purge_personal_data
    task = purge_personal_data.task_class()
    assert task.validate_datetime(dt.datetime(2026, 1, 1, 18, 50))  # 02:50 on the 2nd in Chongqing
    assert not task.validate_datetime(dt.datetime(2026, 1, 1, 2, 50))


def test_the_rules_come_from_the_settings(app) -> None:
    app.config["RETAIN_EMAIL_DAYS"] = 7
    rules = retention_rules.from_config(app.config)
    assert rules.email_cutoff(NOW) == NOW - dt.timedelta(days=7)
    assert [rule.then for rule in rules] == [
        "anonymise",
        "anonymise",
        "clear",
        "clear_file",
        "clear_contact",
        "delete",
        "keep",
    ]
    assert rules.drafts.enforced_by == "submissions.tasks.purge_drafts"


@pytest.mark.backend
def filing_file(applications: list[Application]) -> bytes:
    """A batch's kept file as the filing export writes it (filing.FILING_COLUMNS)."""
    headers = [header for header, _ in filing.FILING_COLUMNS]
    rows = [
        [
            n,
            a.reference,
            a.name,
            a.university,
            a.major,
            a.degree,
            "2026-06",
            a.current_status,
            a.phone,
            a.email,
            "",
            "",
            "",
        ]
        for n, a in enumerate(applications, start=1)
    ]
    return write_xlsx([(filing.SHEET_TITLE, headers, rows)])


def filed_names(content: bytes) -> list[str]:
    sheet = load_workbook(io.BytesIO(content))[filing.SHEET_TITLE]
    return [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_a_filing_batchs_file_goes_once_everyone_in_it_is_anonymised(app, session) -> None:
    done = person(app, session, year=2024, state="rejected")
    mixed = [
        person(app, session, year=2024, state="rejected"),
        person(app, session, year=2025, state="rejected"),
    ]
    files = [filing_file([done]), filing_file(mixed)]
    batches = [
        FilingBatch(actor="reviewer", count=n, sha256="0" * 64, content=f)
        for n, f in zip((1, 2), files, strict=True)
    ]
    session.add_all(batches)
    session.flush()
    for application, batch in ((done, batches[0]), (mixed[0], batches[1]), (mixed[1], batches[1])):
        application.filing_batch_id = batch.id
    names = [a.name for a in mixed]
    session.commit()
    assert purge(app, session, dt.date(2025, 12, 31)).counts["filing"] == 1
    session.expire_all()
    assert session.get(FilingBatch, batches[0].id).content == b""
    # The 2024 person is gone from the mixed batch's file at once; the 2025 one stays until their turn.
    kept = filed_names(session.get(FilingBatch, batches[1].id).content)
    assert names[0] not in kept and names[1] in kept and session.get(FilingBatch, batches[1].id).erased == 1
    assert session.get(FilingBatch, batches[0].id).count == 1  # the record of what was filed stays
    assert purge(app, session, dt.date(2026, 12, 31)).counts["filing"] == 1
    session.expire_all()
    assert session.get(FilingBatch, batches[1].id).content == b""

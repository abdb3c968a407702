"""The training plan (培养计划, issue 22): the unit writes it with a milestone per month, records the
mentor's dated confirmation, the intern reads it on /status and confirms reading it; a change asks
for both again; the overviews list a missing plan a month after the start; tasks name a month."""

import re

import pytest
from sqlalchemy import select

from form_worker.applications.models import Application, Placement, TrainingPlan, WorkTask
from form_worker.applications.workfile import plans, rules
from tests.form_worker.conftest import csrf_token
from tests.helpers.parties import make_parties, party
from tests.helpers.workfiles import intern

TEXTS = {
    "goals": "掌握学术会议组织流程",
    "teaching": "每周面谈一次，跟岗示范会务",
    "assessment": "按月小结与导师评价",
}


@pytest.fixture
def placed(app, session) -> Placement:
    make_parties(app, session)
    return intern(app, session)  # active, 2026-07-15 to 2027-01-14: seven months


def every_month(placement: Placement, text: str = "完成一项会务任务") -> dict[str, str]:
    return {plans.milestone_name(m): f"{rules.month_label(m)}{text}" for m in rules.months(placement)}


def base(placement: Placement) -> str:
    return f"/staff/unit/placements/{placement.id}/file"


def test_every_part_and_every_month_is_asked_for_and_input_is_kept(app, session, placed) -> None:
    unit = party(app, "unit_a")
    answers = every_month(placed) | {
        "goals": TEXTS["goals"],
        plans.milestone_name(rules.months(placed)[2]): "",
    }
    page = unit.post(base(placed) + "/plan", answers)
    assert page.status_code == 422
    assert "请填写导师传授的内容" in page.text and "请填写考核方式" in page.text
    assert "请填写2026年9月的目标" in page.text
    assert f"{TEXTS['goals']}</textarea>" in page.text and "2026年7月完成一项会务任务</textarea>" in page.text
    assert session.scalar(select(TrainingPlan)) is None


def status_page(client, session, placement: Placement) -> str:
    application = session.get(Application, placement.application_id)
    token = csrf_token(client.get("/status").text)
    data = {"reference": application.reference, "contact": application.phone, "csrf_token": token}
    return client.post("/status", data=data).text


def read(client, page: str):
    form = re.search(r'<form method="post" action="/status/plan".*?</form>', page, re.S).group(0)
    data = dict(re.findall(r'name="(plan-(?:reference|contact|csrf_token))"[^>]*value="([^"]*)"', form))
    return client.post("/status/plan", data=data)


def test_written_confirmed_read_and_changed(app, client, session, placed) -> None:
    unit = party(app, "unit_a")
    answers = TEXTS | every_month(placed)
    assert unit.post(base(placed) + "/plan", answers).status_code == 303
    assert (
        "培养计划" not in status_page(client, session, placed).split("<h4>考勤</h4>")[0].split("见习档案")[1]
    )
    overview = unit.get(base(placed)).text
    assert "待导师确认" in overview and "2026年10月完成一项会务任务" in overview

    assert unit.post(base(placed) + "/plan/sign").status_code == 303
    session.expire_all()
    plan = session.scalars(select(TrainingPlan)).one()
    assert plan.signed_off_by == placed.mentor and plan.signed_off_at is not None and plan.read_at is None

    page = status_page(client, session, placed)
    assert "按月小结与导师评价" in page and "2027年1月目标" in page
    done = read(client, page)
    assert done.status_code == 200 and "已确认阅读培养计划" in done.text
    assert 'action="/status/plan"' not in done.text
    session.expire_all()
    assert session.scalars(select(TrainingPlan)).one().read_at is not None

    # Saved unchanged: the confirmation and the reading stand; changed: both are asked for again.
    assert unit.post(base(placed) + "/plan", answers).status_code == 303
    session.expire_all()
    assert session.scalars(select(TrainingPlan)).one().signed_off_at is not None
    assert unit.post(base(placed) + "/plan", answers | {"goals": "独立组织一次学术沙龙"}).status_code == 303
    session.expire_all()
    plan = session.scalars(select(TrainingPlan)).one()
    assert plan.signed_off_at is None and plan.read_at is None
    assert "独立组织一次学术沙龙" not in status_page(client, session, placed)  # not until confirmed


def test_another_unit_cannot_open_it_and_the_intern_cannot_read_an_unconfirmed_one(
    app, client, session, placed
) -> None:
    assert party(app, "unit_b").get(base(placed) + "/plan").status_code == 404
    assert party(app, "unit_b").post(base(placed) + "/plan/sign").status_code == 404
    assert party(app, "unit_a").post(base(placed) + "/plan/sign").status_code == 303  # nothing to sign
    assert session.scalar(select(TrainingPlan)) is None
    assert not plans.confirm_read(session, placed, placed.accepted_at)


def test_the_overviews_list_a_missing_plan_a_month_after_the_start(app, session, placed) -> None:
    def gaps() -> str:
        return party(app, "reviewer").get("/staff/placements").text

    assert "培养计划" in gaps()  # started 2026-07-15, today 2026-11-27
    assert "培养计划" in party(app, "unit_a").get("/staff/unit/placements").text
    unit = party(app, "unit_a")
    unit.post(base(placed) + "/plan", TEXTS | every_month(placed))
    assert "培养计划的导师确认" in gaps()
    unit.post(base(placed) + "/plan/sign")
    assert "培养计划" not in gaps()
    session.expire_all()
    fresh = session.get(Placement, placed.id)
    fresh.start_date = fresh.start_date.replace(year=2026, month=11, day=1)
    assert plans.plan_gap(fresh, None, fresh.start_date.replace(day=30)) is None  # not due yet


def test_a_task_names_a_month_of_the_plan(app, session, placed) -> None:
    unit = party(app, "unit_a")
    unit.post(base(placed) + "/plan", TEXTS | every_month(placed))
    page = unit.get(base(placed) + "/tasks/new").text
    assert '<option value="2026-08-01">2026年8月：2026年8月完成一项会务任务</option>' in page
    task = {"title": "整理会议资料", "start_date": "2026-08-01", "end_date": "2026-08-31", "status": "done"}
    task |= {"percent": "100", "delivered": ""}
    wrong = unit.post(base(placed) + "/tasks/new", task | {"milestone": "2025-01-01"})
    assert wrong.status_code == 422 and "请从列出的月份中选择" in wrong.text
    assert unit.post(base(placed) + "/tasks/new", task | {"milestone": "2026-08-01"}).status_code == 303
    assert session.scalars(select(WorkTask)).one().milestone.isoformat() == "2026-08-01"
    assert "对应培养计划：2026年8月目标" in unit.get(base(placed)).text

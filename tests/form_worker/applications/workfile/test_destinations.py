"""Where the intern went next (去向, issue 22): the unit records it when it registers the end, the
internship cannot complete without it, and the intern confirms or corrects it from /status."""

import re

import pytest
from sqlalchemy import select

from form_worker.accounts.models import AuditEntry
from form_worker.applications import services
from form_worker.applications.models import Application, Placement
from form_worker.applications.workfile import destinations, ending, rules
from tests.conftest import TODAY
from tests.form_worker.conftest import csrf_token
from tests.helpers.parties import make_parties, party
from tests.helpers.workfiles import approved_report, intern

EARLY = {"finished_on": "2026-11-20", "reason": "考取研究生"}


@pytest.fixture
def placed(app, session) -> Placement:
    make_parties(app, session)
    placement = intern(app, session)
    approved_report(session, placement)
    scores = dict.fromkeys(rules.CRITERIA, 4)
    ending.save_evaluation(session, placement, scores, "良好", "认真负责。", "unit_a")
    session.commit()
    return placement


def finish(app, placement: Placement, **answers: str):
    return party(app, "unit_a").post(f"/staff/unit/placements/{placement.id}/file/finish", EARLY | answers)


def test_the_end_is_refused_without_a_destination_and_other_needs_a_word(app, session, placed) -> None:
    page = finish(app, placed)
    assert page.status_code == 422 and "请选择见习结束后的去向" in page.text
    other = finish(app, placed, destination="other", destination_detail=" ")
    assert other.status_code == 422 and "选择“其他”时，请简要说明" in other.text
    assert 'value="考取研究生"' in other.text or "考取研究生</textarea>" in other.text  # input kept
    session.expire_all()
    assert session.get(Application, placed.application_id).state == "active"
    assert session.get(Placement, placed.id).destination is None


def test_the_unit_records_it_with_the_end_and_it_is_audited(app, session, placed) -> None:
    assert finish(app, placed, destination="study", destination_detail="重庆大学").status_code == 303
    session.expire_all()
    placement = session.get(Placement, placed.id)
    assert (placement.destination, placement.destination_detail, placement.destination_by) == (
        "study",
        "重庆大学",
        "单位",
    )
    assert session.get(Application, placed.application_id).state == "completed"
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "workfile_destination")).one()
    assert entry.actor == "unit_a" and '"destination": "study"' in entry.detail
    overview = party(app, "unit_a").get(f"/staff/unit/placements/{placed.id}/file").text
    assert "升学深造（重庆大学）（单位登记，待学生确认）" in overview


def test_the_office_cannot_complete_without_a_destination(app, session, placed) -> None:
    placed.finished_on = placed.end_date
    session.commit()
    application = session.get(Application, placed.application_id)
    with pytest.raises(services.TransitionRefused, match="学生去向"):
        services.transition(session, application, "completed", "reviewer", "", "x@jianxi.test", today=TODAY)


def status_page(client, reference: str, contact: str = "13800001234") -> str:
    token = csrf_token(client.get("/status").text)
    return client.post("/status", data={"reference": reference, "contact": contact, "csrf_token": token}).text


def post_destination(client, page: str, **answers: str):
    """Post the destination form the status page shows, with its hidden fields and these answers."""
    form = re.search(r'<form method="post" action="/status/destination".*?</form>', page, re.S).group(0)
    data = dict(
        re.findall(
            r'<input[^>]*name="(destination-(?:reference|contact|csrf_token))"[^>]*value="([^"]*)"', form
        )
    )
    return client.post("/status/destination", data=data | {f"destination-{k}": v for k, v in answers.items()})


def test_the_intern_confirms_or_corrects_it_from_status(app, client, session, placed) -> None:
    assert finish(app, placed, destination="kept").status_code == 303
    reference = session.get(Application, placed.application_id).reference
    page = status_page(client, reference)
    assert "单位登记的去向：<strong>留用（被见习单位录用）</strong>" in page
    assert re.search(r'<input checked [^>]*value="kept">', page)

    confirmed = post_destination(client, page, destination="kept", destination_detail="")
    assert confirmed.status_code == 200 and "已确认您的去向" in confirmed.text
    session.expire_all()
    placement = session.get(Placement, placed.id)
    assert placement.destination == "kept" and placement.destination_by == "本人"
    assert placement.destination_confirmed_at is not None

    wrong = post_destination(client, confirmed.text, destination="other", destination_detail="")
    assert wrong.status_code == 422 and "选择“其他”时，请简要说明" in wrong.text
    corrected = post_destination(
        client, confirmed.text, destination="employed", destination_detail="示例科技公司"
    )
    assert "已更正您的去向" in corrected.text and "到其他单位就业（示例科技公司）" in corrected.text
    session.expire_all()
    assert destinations.label(session.get(Placement, placed.id)) == "到其他单位就业（示例科技公司）"
    audits = session.scalars(
        select(AuditEntry.detail).where(AuditEntry.action == "destination_confirmed").order_by(AuditEntry.id)
    ).all()
    assert ['"corrected": false' in a for a in audits] == [True, False]


def test_a_stranger_cannot_set_it(app, client, session, placed) -> None:
    assert finish(app, placed, destination="kept").status_code == 303
    reference = session.get(Application, placed.application_id).reference
    page = status_page(client, reference)
    forged = page.replace('value="13800001234"', 'value="13900009999"')
    response = post_destination(client, forged, destination="seeking", destination_detail="")
    assert "没有查到与这组信息对应的报名" in response.text
    session.expire_all()
    assert session.get(Placement, placed.id).destination == "kept"


def test_the_end_page_names_tasks_not_marked_done(app, session, placed) -> None:
    """Findings 10: recording the end with a task still 进行中 gave no prompt; it names them now,
    without blocking the end."""
    unit = party(app, "unit_a")
    base = f"/staff/unit/placements/{placed.id}/file"
    task = {"title": "整理会议资料", "start_date": "2026-08-01", "end_date": "2026-08-31", "delivered": ""}
    assert unit.post(base + "/tasks/new", task | {"status": "doing", "percent": "0"}).status_code == 303
    done = task | {"title": "会议手册", "status": "done", "percent": "100"}
    assert unit.post(base + "/tasks/new", done).status_code == 303
    page = unit.get(base + "/finish").text
    prompt = re.search(r'<div class="notice" role="note" id="open-tasks">.*?</div>', page, re.S).group(0)
    assert "整理会议资料（完成 0%）" in prompt and "会议手册" not in prompt
    assert finish(app, placed, destination="seeking").status_code == 303

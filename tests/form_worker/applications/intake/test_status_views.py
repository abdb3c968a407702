"""/status: the right reference and contact show the state and its history; anything else gets one
neutral answer that tells nothing about who applied."""

import datetime as dt
import re
from html import unescape as html_unescape

import pytest
from markupsafe import escape
from sqlalchemy import select, update

from form_worker.applications.intake.services import FREE_STATUS
from form_worker.applications.models import Application, Transition
from form_worker.outbox.models import Outbox
from tests.form_worker.conftest import csrf_token, drain

NEUTRAL = "没有查到与这组信息对应的报名。请核对报名编号，并使用报名时填写的手机号或邮箱。"


def ask(client, **answers: str):
    token = csrf_token(client.get("/status").text)
    return client.post("/status", data=answers | {"csrf_token": token})


def answer_section(page: str) -> str:
    """What the page says back: everything between the heading and the form."""
    return re.search(r"<h1>查询报名进度</h1>(.*?)<form ", page, re.S).group(1)


def field_block(page: str, name: str) -> str:
    for match in re.finditer(r'<div class="field[^"]*">(.*?)</div>', page, re.S):
        if f'name="{name}"' in match.group(1):
            return match.group(1)
    raise AssertionError(f"no field {name!r} on the page")


@pytest.mark.parametrize(
    "contact",
    ["chen@example.com", "13800001234", "  CHEN@Example.com ", " 13800001234"],
    ids=["email", "phone", "email-other-case", "phone-with-space"],
)
def test_reference_and_contact_show_state_and_history(app, applicant, client, contact) -> None:
    reference = applicant.submit()
    drain(app)
    response = ask(client, reference=reference, contact=contact)
    assert response.status_code == 200
    section = answer_section(response.text)
    assert f"<h2>报名编号 {reference}</h2>" in section
    assert "当前状态：<strong>已通过初步核验，等待高校遴选推荐</strong>" in section
    history = re.findall(r"</time> ([^<]+)</li>", section)
    assert history == ["已提交", "已通过初步核验，等待高校遴选推荐"]
    assert NEUTRAL not in section


def test_history_times_are_beijing_time(app, applicant, client, session) -> None:
    """The staff pages and exports show Beijing time; /status shows the student the same clock."""
    reference = applicant.submit()
    session.execute(update(Transition).values(at=dt.datetime(2026, 6, 30, 16, 49)))
    session.commit()
    section = answer_section(ask(client, reference=reference, contact="chen@example.com").text)
    assert '<time datetime="2026-06-30T16:49:00Z">2026-07-01 00:49</time>' in section
    assert "UTC" not in section


def test_reference_is_read_loosely(app, applicant, client) -> None:
    reference = applicant.submit()
    response = ask(client, reference=f" {reference.lower()} ", contact="13800001234")
    assert "当前状态：<strong>已提交</strong>" in response.text


def test_status_before_the_check_is_submitted(applicant, client) -> None:
    reference = applicant.submit()
    section = answer_section(ask(client, reference=reference, contact="chen@example.com").text)
    assert "当前状态：<strong>已提交</strong>" in section
    assert re.findall(r"</time> ([^<]+)</li>", section) == ["已提交"]


def test_every_mismatch_gets_the_same_neutral_answer(app, applicant, client) -> None:
    mine = applicant.submit()
    theirs = applicant.submit(phone="13900005678", email="other@example.com")
    drain(app)
    answers = {
        "wrong-email": ask(client, reference=mine, contact="nobody@example.com"),
        "wrong-phone": ask(client, reference=mine, contact="13999999999"),
        "wrong-reference": ask(client, reference="JX2026-999999", contact="chen@example.com"),
        "garbage-reference": ask(client, reference="<b>x</b>", contact="chen@example.com"),
        "their-reference-my-email": ask(client, reference=theirs, contact="chen@example.com"),
        "their-reference-my-phone": ask(client, reference=theirs, contact="13800001234"),
    }
    sections = {name: answer_section(r.text) for name, r in answers.items()}
    assert {r.status_code for r in answers.values()} == {200}
    assert len(set(sections.values())) == 1
    assert sections["wrong-email"].strip() == f'<p class="notice" role="status">{NEUTRAL}</p>'
    for response in answers.values():
        assert mine not in answer_section(response.text)
        assert "当前状态" not in response.text
        assert 'class="error-summary"' not in response.text


def test_neutral_answer_keeps_what_was_typed(client) -> None:
    contact = 'a"<b>@example.com'
    response = ask(client, reference="JX2026-000042", contact=contact)
    assert 'value="JX2026-000042"' in field_block(response.text, "reference")
    assert f'value="{escape(contact)}"' in field_block(response.text, "contact")


@pytest.mark.parametrize(
    ("answers", "missing"),
    [
        ({"reference": "", "contact": ""}, ["reference", "contact"]),
        ({"reference": "JX2026-000001", "contact": "  "}, ["contact"]),
        ({"reference": "", "contact": "chen@example.com"}, ["reference"]),
    ],
    ids=["both", "contact", "reference"],
)
def test_missing_answers_are_named_beside_their_fields(client, answers, missing) -> None:
    response = ask(client, **answers)
    assert response.status_code == 422
    page = response.text
    messages = {"reference": "请填写报名编号", "contact": "请填写手机号或邮箱"}
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S).group(0)
    for name in ("reference", "contact"):
        error = f'<p class="error" id="{name}-error">{messages[name]}</p>'
        if name in missing:
            assert error in field_block(page, name)
            assert f'<a href="#{name}">' in summary
            assert messages[name] in summary
        else:
            assert error not in page
            assert f'value="{answers[name]}"' in field_block(page, name)
    assert NEUTRAL not in page


def test_reference_too_long_is_refused_beside_the_field(client) -> None:
    response = ask(client, reference="JX" * 11, contact="chen@example.com")
    assert response.status_code == 422
    assert 'id="reference-error"' in field_block(response.text, "reference")


def test_stale_token_asks_again_with_the_answers_kept(client) -> None:
    client.get("/status")
    response = client.post("/status", data={"reference": "JX2026-000001", "contact": "13800001234"})
    assert response.status_code == 400
    assert "页面停留时间过长，请再查询一次。" in response.text
    assert 'value="JX2026-000001"' in field_block(response.text, "reference")
    assert 'value="13800001234"' in field_block(response.text, "contact")
    again = client.post(
        "/status",
        data={
            "reference": "JX2026-000001",
            "contact": "13800001234",
            "csrf_token": csrf_token(response.text),
        },
    )
    assert again.status_code == 200
    assert NEUTRAL in again.text


def test_control_characters_in_the_lookup_are_dropped(applicant, client) -> None:
    reference = applicant.submit()
    found = ask(client, reference=reference.replace("-", "-\x00"), contact="1380000\x071234")
    assert found.status_code == 200
    assert "当前状态：<strong>已提交</strong>" in found.text
    empty = ask(client, reference="\x00", contact="13800001234")
    assert empty.status_code == 422
    assert '<p class="error" id="reference-error">请填写报名编号</p>' in field_block(empty.text, "reference")


@pytest.mark.parametrize("real", [True, False], ids=["real-reference", "made-up-reference"])
def test_guessing_contacts_for_one_reference_is_locked(app, applicant, client, real) -> None:
    """Walking phone numbers for one reference stops at the miss after FREE_STATUS, whether the
    reference exists or not; then even the right contact waits."""
    reference = applicant.submit() if real else "JX2026-999999"
    drain(app)
    misses = [
        ask(client, reference=reference, contact=f"1380000{n:04d}").status_code for n in range(FREE_STATUS)
    ]
    assert misses == [200] * FREE_STATUS
    assert ask(client, reference=reference, contact="13899999999").status_code == 429
    locked = ask(client, reference=reference, contact="13800001234")
    assert locked.status_code == 429
    assert "这个报名编号的查询次数过多，请 1 分钟后再试。" in locked.text
    assert "当前状态" not in locked.text


def withdraw(client, page: str, **answers: str):
    """Post the withdraw form of a /status answer page, with its hidden reference and contact."""
    hidden = dict(
        re.findall(
            r'<input id="(withdraw-(?:reference|contact))" name="\1" type="hidden" value="([^"]*)"', page
        )
    )
    assert set(hidden) == {"withdraw-reference", "withdraw-contact"}, page
    data = {name: html_unescape(value) for name, value in hidden.items()} | answers
    return client.post("/status/withdraw", data=data | {"withdraw-csrf_token": csrf_token(page)})


def test_the_answer_lists_the_positions_and_an_open_application_can_be_withdrawn(
    app, applicant, client, session
) -> None:
    reference = applicant.submit()
    drain(app)
    page = ask(client, reference=reference, contact="13800001234").text
    section = answer_section(page)
    assert "报名的岗位" in section and "学术会议组织助理（示例）" in section
    assert "撤回报名" in page

    missing = withdraw(client, page)
    assert missing.status_code == 422 and "请填写撤回原因" in field_block(missing.text, "withdraw-reason")

    done = withdraw(client, page, **{"withdraw-reason": "已找到工作"})
    assert done.status_code == 200 and "您的报名已撤回" in done.text
    application = session.scalar(select(Application).where(Application.reference == reference))
    session.refresh(application)
    assert application.state == "withdrawn"
    assert (
        application.transitions[-1].actor == "申请人" and application.transitions[-1].reason == "已找到工作"
    )
    emails = [o for o in session.scalars(select(Outbox)) if o.key.startswith(f"state:{application.id}:")]
    assert any("已找到工作" in o.body_text for o in emails)
    after = ask(client, reference=reference, contact="13800001234").text
    assert "撤回报名" not in after and "已撤回" in answer_section(after)


def test_withdrawing_needs_the_right_contact(app, applicant, client, session) -> None:
    reference = applicant.submit()
    drain(app)
    page = ask(client, reference=reference, contact="13800001234").text
    forged = page.replace('value="13800001234"', 'value="13899999999"')
    response = withdraw(client, forged, **{"withdraw-reason": "恶意撤回"})
    assert NEUTRAL in response.text
    application = session.scalar(select(Application).where(Application.reference == reference))
    assert application.state != "withdrawn"

"""An edit of a published unit is told to the contact on record, with what it changes; staff are
warned when it would move the contact email elsewhere."""

import pytest
from sqlalchemy import select

from form_worker.outbox.models import Outbox
from form_worker.submissions.changes import Change, unit_changes
from form_worker.submissions.models import Submission
from site_builder.model.schema import Unit
from tests.form_worker.conftest import PASSWORD, logged_in
from tests.helpers.clerks import KNOWN_CODE, UNIT_EMAIL, Clerk, answers_for
from tests.helpers.parties import make_account

PUBLISHED_EMAIL = "society-office@example.com"  # positions/shili-youth-scitech-society/unit.yaml


@pytest.fixture
def clerk(client) -> Clerk:
    return Clerk(client)


def mail_to(session, recipient: str) -> list[Outbox]:
    return list(session.scalars(select(Outbox).where(Outbox.recipient == recipient).order_by(Outbox.id)))


def test_an_edit_moving_the_contact_email_tells_the_contact_on_record_and_warns_staff(
    app, clerk, client, session
) -> None:
    make_account(app, session, "li", "李审核", PASSWORD, "reviewer", email="li@office.example.com")
    reference = clerk.submit(answers_for(unit={"credit_code": KNOWN_CODE}))  # contact: UNIT_EMAIL
    submission = session.scalar(select(Submission).where(Submission.reference == reference))
    assert submission.is_edit

    [notice] = mail_to(session, PUBLISHED_EMAIL)
    assert notice.subject == f"有人提交了修改贵单位岗位信息的申报（{reference}），请核实"
    body = notice.body_text
    assert "张示例，您好" in body and f"提交人填写的联系人为 周办事（{UNIT_EMAIL}）" in body
    assert f"- 单位联系人邮箱：{PUBLISHED_EMAIL} → {UNIT_EMAIL}" in body
    assert "- 单位名称：重庆市示例青年科技工作者学会（示例） → 重庆市测试青年科技促进会" in body
    assert "科普活动策划助理 1（新增岗位）" in body and "023-63002289" in body
    assert len(mail_to(session, UNIT_EMAIL)) == 1  # the receipt, as for any submission

    [to_staff] = mail_to(session, "li@office.example.com")
    assert f"注意：这份修改会把联系人邮箱由 {PUBLISHED_EMAIL} 改为 {UNIT_EMAIL}" in to_staff.body_text
    assert "023-60000101" in to_staff.body_text  # the phone on record, to call before approving

    page = logged_in(client, "li").get(f"/staff/submissions/{submission.id}").text
    assert 'id="contact-warning"' in page and "这份修改会更换单位联系人邮箱" in page
    assert f"单位联系人邮箱：{PUBLISHED_EMAIL} → <strong>{UNIT_EMAIL}</strong>" in page


def test_a_logged_in_contact_of_the_unit_edits_without_the_warning(app, session) -> None:
    """The unit's own account vouches for the edit: staff see who sent it and no warning; the
    contact on record is still told."""
    make_account(app, session, "li", "李审核", PASSWORD, "reviewer", email="li@office.example.com")
    make_account(
        app,
        session,
        "society",
        "学会联系人",
        PASSWORD,
        "unit",
        PUBLISHED_EMAIL,
        unit="shili-youth-scitech-society",
    )
    unit_client = app.test_client()
    logged_in(unit_client, "society")
    reference = Clerk(unit_client).submit(answers_for(unit={"credit_code": KNOWN_CODE}))
    submission = session.scalar(select(Submission).where(Submission.reference == reference))
    assert submission.is_edit and submission.submitted_by == "society"
    [to_staff] = mail_to(session, "li@office.example.com")
    assert "注意" not in to_staff.body_text
    assert [m.subject for m in mail_to(session, PUBLISHED_EMAIL)][0].startswith("有人提交了修改贵单位")
    page = logged_in(app.test_client(), "li").get(f"/staff/submissions/{submission.id}").text
    assert 'id="contact-warning"' not in page and "由单位账号 society 登录后提交" in page
    # Another unit's account is anyone else: the warning stays.
    make_account(
        app, session, "museum", "科技馆", PASSWORD, "unit", "m@example.com", unit="shili-science-museum"
    )
    other = app.test_client()
    logged_in(other, "museum")
    second = Clerk(other).submit(answers_for(unit={"credit_code": KNOWN_CODE}))
    submission = session.scalar(select(Submission).where(Submission.reference == second))
    assert submission.submitted_by is None


def test_an_edit_from_the_contact_on_record_lists_its_changes_in_the_receipt(
    app, clerk, client, session
) -> None:
    make_account(app, session, "li", "李审核", PASSWORD, "reviewer", email="li@office.example.com")
    answers = answers_for(unit={"credit_code": KNOWN_CODE, "contact_email": PUBLISHED_EMAIL})
    reference = clerk.submit(answers)
    [receipt] = mail_to(session, PUBLISHED_EMAIL)  # one email, not a receipt and a notice
    assert receipt.subject == f"岗位申报已收到（{reference}）"
    assert "与岗位目录中已登记的单位信息相比，改动了：" in receipt.body_text
    assert "- 单位联系人：张示例 → 周办事" in receipt.body_text
    [to_staff] = mail_to(session, "li@office.example.com")
    assert "注意" not in to_staff.body_text
    submission = session.scalar(select(Submission).where(Submission.reference == reference))
    page = logged_in(client, "li").get(f"/staff/submissions/{submission.id}").text
    assert 'id="contact-warning"' not in page and 'id="unit-edits"' in page


def test_a_new_unit_causes_no_notice(clerk, session) -> None:
    clerk.submit(answers_for())
    assert [row.recipient for row in session.scalars(select(Outbox))] == [UNIT_EMAIL]


def test_changes_are_named_as_the_template_names_the_fields() -> None:
    published = Unit.model_validate(
        {
            "name": "重庆市示例学会（示例）",
            "credit_code": KNOWN_CODE,
            "category": "市级学会（协会、研究会）",
            "district": "渝中区",
            "address": "重庆市渝中区示例路 1 号",
            "hr_approval": {"status": "pending", "bureau": "重庆市渝中区人力资源和社会保障局"},
            "contact": {"name": "张示例", "phone": "023-60000101", "email": PUBLISHED_EMAIL},
        }
    )
    approved = published.model_copy(
        update={"hr_approval": published.hr_approval.model_copy(update={"status": "approved"})}
    )
    assert unit_changes(published, approved) == [Change("就业见习单位认定状态", "申报中", "已认定")]
    assert unit_changes(published, published) == []

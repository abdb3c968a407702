"""/apply end to end: every rule answers in Chinese beside its field and in the summary, input is kept
through every error, and the check page, confirmation, privacy rule and abuse guards behave."""

import html
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from form_worker import create_app
from form_worker.applications.intake.forms import PRIORITY_GROUPS
from form_worker.applications.models import Application
from form_worker.core import db, queue
from form_worker.outbox.models import Outbox
from tests.form_worker.conftest import OPEN_POSITION, answers_for, csrf_token
from tests.helpers.apply_form import CLOSED, EXPERIENCE, field_block

# Positions of the sample catalogue, as they stand on TODAY (2026-11-27).
SECOND_OPEN = "shili-youth-scitech-society/member-service-data-assistant"  # 科技见习, 本科
MASTER_ONLY = "shili-biopharma/rd-project-service-assistant"  # 科技见习, 硕士
FILLED = "shili-auto-parts-association/rd-centre-service-assistant"
EXPIRED = "shili-asean-scitech-centre/technical-translation-assistant"  # open, deadline 2026-06-30
UNKNOWN = "shili-nowhere/no-such-position"

HIDDEN = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')


def error_summary(page: str) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    return match.group(0) if match else ""


def assert_error(page: str, name: str, message: str) -> None:
    """The message stands beside the field and, linked to it, in the summary at the top."""
    assert f'<p class="error" id="{name}-error">{escape(message)}</p>' in field_block(page, name), page
    link = rf'<a href="#{name}">[^<：]*：{re.escape(str(escape(message)))}</a>'
    assert re.search(link, error_summary(page)), error_summary(page)


def assert_kept(page: str, answers: dict[str, object], lost: tuple[str, ...] = ()) -> None:
    """Every answer given (except those in lost) is back in its control on the re-rendered form."""
    for name, given in answers.items():
        if name in ("step", "csrf_token") or name in lost:
            continue
        block = field_block(page, name)
        for value in given if isinstance(given, list) else [given]:
            if not value:
                continue
            shown = str(escape(value))
            if "<select" in block:
                assert f'<option selected value="{shown}">' in block, (name, value)
            elif "<textarea" in block:
                assert f">\r\n{shown}</textarea>" in block, (name, value)
            elif 'type="radio"' in block or 'type="checkbox"' in block:
                assert re.search(rf'<input checked [^>]*value="{re.escape(shown)}">', block), (name, value)
            else:
                assert f'value="{shown}"' in block, (name, value)


def post(client, answers: dict[str, object], step: str = "review"):
    """Post answers as the form would, with a token from a fresh GET /apply."""
    token = csrf_token(client.get("/apply").text)
    return client.post("/apply", data=answers | {"step": step, "csrf_token": token})


def hidden_answers(page: str) -> dict[str, object]:
    """The answers the check page carries in hidden fields, as a browser would post them."""
    answers: dict[str, object] = {"csrf_token": csrf_token(page)}
    for name, value in HIDDEN.findall(page):
        value = html.unescape(value)
        if name in answers:
            previous = answers[name]
            answers[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            answers[name] = value
    return answers


def count(session, model) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


def title(app, position_id: str) -> str:
    return app.extensions["jianxi.positions"].get().by_id[position_id].position.title


GRADUATE_STATEMENT = "我希望参与学术活动的组织。"
STUDENT = {"current_status": "在校生", "graduation": "2027-06", "choice1": EXPERIENCE, "degree": "专科"}

# (id, changes to the valid answers, field, message, answers the form cannot show again)
RULES = [
    ("choice1-required", {"choice1": ""}, "choice1", "请至少选择一个意向岗位", ()),
    ("choice-repeated", {"choice2": OPEN_POSITION}, "choice2", "这个岗位已经选过了，请换一个或不选", ()),
    ("choice-closed", {"choice1": CLOSED}, "choice1", "这个岗位已截止或不存在，请重新选择", ("choice1",)),
    ("choice-filled", {"choice1": FILLED}, "choice1", "这个岗位已截止或不存在，请重新选择", ("choice1",)),
    ("choice-expired", {"choice1": EXPIRED}, "choice1", "这个岗位已截止或不存在，请重新选择", ("choice1",)),
    ("choice-unknown", {"choice1": UNKNOWN}, "choice1", "这个岗位已截止或不存在，请重新选择", ("choice1",)),
    ("choice2-closed", {"choice2": CLOSED}, "choice2", "这个岗位已截止或不存在，请重新选择", ("choice2",)),
    (
        "internship-for-student",
        STUDENT | {"choice1": OPEN_POSITION},
        "choice1",
        "科技见习岗位面向应届毕业生和离校两年内未就业的毕业生，在校生可选择职业体验岗位",
        (),
    ),
    ("experience-for-graduate", {"choice1": EXPERIENCE}, "choice1", "职业体验岗位只面向在校大学生", ()),
    ("experience-in-choice3", {"choice3": EXPERIENCE}, "choice3", "职业体验岗位只面向在校大学生", ()),
    ("degree-below-minimum", {"choice1": MASTER_ONLY}, "choice1", "该岗位要求硕士及以上学历", ()),
    ("name-required", {"name": ""}, "name", "请填写姓名", ()),
    ("name-blank", {"name": "   "}, "name", "请填写姓名", ()),
    ("name-too-long", {"name": "陈" * 31}, "name", "姓名最多 30 个字", ()),
    ("phone-required", {"phone": ""}, "phone", "请填写手机号", ()),
    ("phone-short", {"phone": "1380000123"}, "phone", "请填写 11 位手机号", ()),
    ("phone-long", {"phone": "138000012345"}, "phone", "请填写 11 位手机号", ()),
    ("phone-second-digit", {"phone": "12800001234"}, "phone", "请填写 11 位手机号", ()),
    ("phone-not-mobile", {"phone": "02363002289"}, "phone", "请填写 11 位手机号", ()),
    ("phone-letters", {"phone": "1380000123a"}, "phone", "请填写 11 位手机号", ()),
    ("phone-country-code", {"phone": "+8613800001234"}, "phone", "请填写 11 位手机号", ()),
    ("phone-unallocated-prefix", {"phone": "14012345678"}, "phone", "请填写 11 位手机号", ()),
    ("phone-hyphens", {"phone": "138-0000-1234"}, "phone", "请填写 11 位手机号", ()),
    ("email-required", {"email": ""}, "email", "请填写电子邮箱", ()),
    ("email-no-at", {"email": "chen.example.com"}, "email", "邮箱格式不正确", ()),
    ("email-no-domain", {"email": "chen@"}, "email", "邮箱格式不正确", ()),
    ("email-markup", {"email": '"<b>"@example.com'}, "email", "邮箱格式不正确", ()),
    ("university-required", {"university": ""}, "university", "请填写学校", ()),
    ("university-too-long", {"university": "重" * 101}, "university", "学校名称最多 100 个字", ()),
    ("major-required", {"major": ""}, "major", "请填写专业", ()),
    ("degree-required", {"degree": ""}, "degree", "请选择学历", ()),
    ("degree-unknown", {"degree": "小学"}, "degree", "请选择学历", ("degree",)),
    ("graduation-required", {"graduation": ""}, "graduation", "请填写毕业时间，如 2026-06", ()),
    ("graduation-not-a-month", {"graduation": "2026年6月"}, "graduation", "请填写毕业时间，如 2026-06", ()),
    ("graduation-absurd", {"graduation": "1980-06"}, "graduation", "毕业时间不在合理范围内", ()),
    ("status-required", {"current_status": ""}, "current_status", "请选择目前状态", ()),
    ("status-unknown", {"current_status": "已就业"}, "current_status", "请选择目前状态", ("current_status",)),
    (
        "this-years-graduate-other-year",
        {"graduation": "2025-06"},
        "graduation",
        "应届毕业生的毕业时间应在 2026 年内",
        (),
    ),
    (
        "unemployed-graduate-too-long-ago",
        {"current_status": "离校两年内未就业", "graduation": "2023-06"},
        "graduation",
        "离校两年内未就业，毕业时间应在 2024 年至今之间",
        (),
    ),
    (
        "unemployed-graduate-not-yet-graduated",
        {"current_status": "离校两年内未就业", "graduation": "2026-12"},
        "graduation",
        "离校两年内未就业，毕业时间应在 2024 年至今之间",
        (),
    ),
    (
        "student-graduated-already",
        STUDENT | {"graduation": "2026-06"},
        "graduation",
        "在校生的预计毕业时间应晚于今天",
        (),
    ),
    (
        "society-post-without-detail",
        {"society_post": "y"},
        "society_post_detail",
        "请简要说明在哪个科技社团担任什么职务",
        (),
    ),
    (
        "society-post-blank-detail",
        {"society_post": "y", "society_post_detail": "  \n "},
        "society_post_detail",
        "请简要说明在哪个科技社团担任什么职务",
        (),
    ),
    (
        "volunteering-without-detail",
        {"volunteering": "y"},
        "volunteering_detail",
        "请简要说明参加过哪些科技志愿服务",
        (),
    ),
    (
        "detail-too-long",
        {"volunteering": "y", "volunteering_detail": "讲" * 301},
        "volunteering_detail",
        "最多 300 个字",
        (),
    ),
    ("statement-too-long", {"statement": "述" * 2001}, "statement", "个人陈述最多 2000 个字", ()),
    (
        "priority-group-unknown",
        {"priority_consent": "y", "priority_groups": ["低保家庭", "富裕家庭"]},
        "priority_groups",
        "请从列出的情形中选择",
        ("priority_groups",),
    ),
    ("privacy-not-ticked", {"privacy": ""}, "privacy", "请阅读并同意个人信息处理说明后再提交", ()),
]


@pytest.mark.parametrize("step", ["review", "confirm"])
@pytest.mark.parametrize(
    ("changes", "name", "message", "lost"), [r[1:] for r in RULES], ids=[r[0] for r in RULES]
)
def test_rule_answers_beside_field_and_in_summary(
    client, session, step, changes, name, message, lost
) -> None:
    answers = answers_for(**changes)
    response = post(client, answers, step)
    assert response.status_code == 422
    page = response.text
    assert "<h1>报名见习岗位</h1>" in page
    assert_error(page, name, message)
    assert_kept(page, answers, lost)
    assert count(session, Application) == 0


def test_missing_answers_are_all_named(client) -> None:
    response = post(client, {"choice1": "", "privacy": ""})
    assert response.status_code == 422
    page = response.text
    for name, message in [
        ("choice1", "请至少选择一个意向岗位"),
        ("name", "请填写姓名"),
        ("phone", "请填写手机号"),
        ("email", "请填写电子邮箱"),
        ("university", "请填写学校"),
        ("major", "请填写专业"),
        ("degree", "请选择学历"),
        ("graduation", "请填写毕业时间，如 2026-06"),
        ("current_status", "请选择目前状态"),
        ("privacy", "请阅读并同意个人信息处理说明后再提交"),
    ]:
        assert_error(page, name, message)
    assert 'aria-invalid="true"' in field_block(page, "phone")


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"current_status": "离校两年内未就业", "graduation": "2024-07"},
        {"current_status": "离校两年内未就业", "graduation": "2026-06", "choice2": SECOND_OPEN},
        STUDENT,
        {"choice1": MASTER_ONLY, "degree": "博士", "phone": "19912345678", "email": "Chen.Li@Example.COM"},
        {
            "society_post": "y",
            "society_post_detail": "机器人协会副会长",
            "volunteering": "y",
            "volunteering_detail": "科普日讲解员",
            "statement": "述" * 2000,
        },
    ],
    ids=["graduate", "left-2024", "left-2026-two-choices", "student", "doctor", "experience"],
)
def test_valid_answers_reach_the_check_page(client, changes) -> None:
    response = post(client, answers_for(**changes))
    assert response.status_code == 200, error_summary(response.text)
    assert "<h1>核对报名信息</h1>" in response.text


def test_get_preselects_an_open_position(client) -> None:
    response = client.get(f"/apply?position={OPEN_POSITION}")
    assert response.status_code == 200
    block = field_block(response.text, "choice1")
    assert f'name="choice1" value="{OPEN_POSITION}"' in block and "学术会议组织助理" in block
    assert 'class="notice"' not in response.text
    assert 'class="error-summary"' not in response.text


@pytest.mark.parametrize("position_id", [CLOSED, FILLED, EXPIRED])
def test_get_with_a_position_no_longer_open_says_so(app, client, position_id) -> None:
    response = client.get(f"/apply?position={position_id}")
    assert response.status_code == 200
    state = "已招满" if position_id == FILLED else "已截止或不再招募"
    notice = f"岗位“{title(app, position_id)}”{state}，请选择其他岗位。"
    assert f'<div class="notice" role="status"><p>{notice}</p>' in response.text
    assert 'name="choice1" value=""' in field_block(response.text, "choice1")
    # Open positions of the same type or district, offered in its place, never itself.
    instead = re.findall(
        r'href="/apply\?position=([^"]+)"', response.text.split('id="instead"')[-1].split("</ul>")[0]
    )
    assert instead and unquote(instead[0]) != position_id


def test_get_with_an_unknown_position_says_so(client) -> None:
    response = client.get(f"/apply?position={UNKNOWN}")
    assert response.status_code == 200
    assert "没有找到您要报名的岗位，它可能已下线。请在下面搜索其他岗位。" in response.text
    assert 'name="choice1" value=""' in field_block(response.text, "choice1")


FULL = answers_for(
    choice2=SECOND_OPEN,
    society_post="y",
    society_post_detail="重庆某大学机器人协会副会长（2024—2025）",
    volunteering="y",
    volunteering_detail="2025 年全国科普日志愿讲解员",
    priority_consent="y",
    priority_groups=["低保家庭", "残疾"],
    statement="第一行 <b>加粗</b> & \"引号\" '单引号'\n第二行",
)


def test_check_page_lists_answers_with_a_change_button_per_section(app, client) -> None:
    response = post(client, FULL)
    assert response.status_code == 200
    page = response.text
    assert "<h1>核对报名信息</h1>" in page
    for section in ("意向岗位", "个人信息", "优先条件", "家庭经济困难或残疾情况", "个人陈述"):
        button = (
            f'<h2>{section} <button type="submit" name="step" value="edit" formaction="/apply#part-'
            rf'[a-z]+" class="link-button">修改<span class="visually-hidden">{section}</span></button></h2>'
        )
        assert re.search(button, page), section
    assert page.count('value="edit"') == 6
    assert '<button type="submit" name="step" value="confirm" class="button">确认提交</button>' in page
    for shown in (
        title(app, OPEN_POSITION),
        title(app, SECOND_OPEN),
        "<dd>陈示例</dd>",
        "<dd>13800001234</dd>",
        "<dd>chen@example.com</dd>",
        "<dd>重庆大学</dd>",
        "<dd>计算机科学与技术</dd>",
        "<dd>本科</dd>",
        "<dd>2026-06</dd>",
        "<dd>应届毕业生</dd>",
        "有：重庆某大学机器人协会副会长（2024—2025）",
        "有：2025 年全国科普日志愿讲解员",
        "已同意提供：低保家庭、残疾（仅市项目办审核人员可见）",
        str(escape(FULL["statement"])),
    ):
        assert shown in page, shown
    assert "<b>加粗</b>" not in page


def test_edit_gives_the_form_back_with_everything_kept(client) -> None:
    check = post(client, FULL).text
    carried = hidden_answers(check)
    assert carried["statement"] == FULL["statement"]
    assert carried["priority_groups"] == ["低保家庭", "残疾"]
    response = client.post("/apply", data=carried | {"step": "edit"})
    assert response.status_code == 200
    page = response.text
    assert "<h1>报名见习岗位</h1>" in page
    assert 'class="error-summary"' not in page
    assert_kept(page, FULL)


def test_confirm_stores_and_redirects_to_the_reference(client, session) -> None:
    check = post(client, FULL).text
    response = client.post("/apply", data=hidden_answers(check) | {"step": "confirm"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/apply/done")
    done = client.get(response.headers["Location"])
    assert done.status_code == 200
    reference = re.search(r'<p class="reference" id="reference">(JX2026-\d{6})</p>', done.text).group(1)
    session.rollback()
    application = session.scalars(select(Application)).one()
    assert application.reference == reference
    assert application.state == "submitted"
    assert [c.position_id for c in application.choices] == [OPEN_POSITION, SECOND_OPEN]
    assert application.name == "陈示例"
    assert application.graduation.isoformat() == "2026-06-01"
    assert application.society_post_detail == FULL["society_post_detail"]
    assert application.volunteering_detail == FULL["volunteering_detail"]
    assert application.statement == FULL["statement"]
    assert [t.to_state for t in application.transitions] == ["submitted"]


def test_done_without_a_submission_goes_back_to_the_form(client) -> None:
    response = client.get("/apply/done")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/apply")


def test_details_are_dropped_when_their_box_is_not_ticked(client, session) -> None:
    answers = answers_for(society_post_detail="写了但没勾选", volunteering_detail="也没勾选")
    assert post(client, answers, "confirm").status_code == 303
    session.rollback()
    application = session.scalars(select(Application)).one()
    assert (application.society_post, application.society_post_detail) == (False, "")
    assert (application.volunteering, application.volunteering_detail) == (False, "")


def unit_emails(session) -> list[Outbox]:
    session.rollback()
    return list(session.scalars(select(Outbox).where(Outbox.key.like("unit:%"))))


def test_priority_groups_without_consent_are_not_stored(client, session) -> None:
    answers = answers_for(priority_groups=["低保家庭", "残疾"])
    check = post(client, answers)
    assert "未提供" in check.text
    assert "已同意提供" not in check.text
    assert client.post("/apply", data=hidden_answers(check.text) | {"step": "confirm"}).status_code == 303
    session.rollback()
    application = session.scalars(select(Application)).one()
    assert application.priority_consent is False
    assert application.priority_groups is None


def test_priority_groups_with_consent_are_stored_but_never_sent_to_the_unit(client, session) -> None:
    answers = answers_for(choice2=SECOND_OPEN, priority_consent="y", priority_groups=["零就业家庭", "残疾"])
    assert post(client, answers, "confirm").status_code == 303
    session.rollback()
    application = session.scalars(select(Application)).one()
    assert application.priority_consent is True
    assert application.priority_groups == ["零就业家庭", "残疾"]
    emails = unit_emails(session)
    assert len(emails) == 2
    for email in emails:
        assert application.reference in email.body_text
        for secret in (*PRIORITY_GROUPS, "13800001234", "chen@example.com"):
            assert secret not in email.body_text
            assert secret not in email.body_html
            assert secret not in email.subject


@pytest.mark.backend
@pytest.mark.parametrize(
    "second",
    [
        {"email": "other@example.com"},
        {"phone": "13900005678"},
        {"phone": "13900005678", "email": "CHEN@Example.com"},
        {"choice1": SECOND_OPEN, "choice2": OPEN_POSITION, "email": "other@example.com"},
    ],
    ids=["same-phone", "same-email", "same-email-other-case", "same-position-as-second-choice"],
)
def test_applying_twice_for_a_position_is_refused(app, client, session, applicant, second) -> None:
    applicant.submit()
    answers = answers_for(**second)
    response = post(client, answers, "confirm")
    assert response.status_code == 409
    message = f"您已经报名过：{title(app, OPEN_POSITION)}，无需重复报名。可凭报名编号查询进度。"
    assert_error(response.text, "choice1", message)
    assert_kept(response.text, answers)
    assert count(session, Application) == 1


@pytest.mark.backend
def test_same_person_may_apply_for_another_position(client, session, applicant) -> None:
    applicant.submit()
    assert post(client, answers_for(choice1=SECOND_OPEN), "confirm").status_code == 303
    assert count(session, Application) == 2


def test_honeypot_looks_like_success_but_stores_nothing(client, session) -> None:
    response = post(client, answers_for(website="http://spam.example/"), "confirm")
    assert response.status_code == 200
    assert "<h1>报名已提交</h1>" in response.text
    assert 'id="reference"' not in response.text
    assert count(session, Application) == 0
    assert count(session, Outbox) == 0


def test_oversize_request_gets_the_chinese_413_page(client, session) -> None:
    statement = "述" * 100_000  # 300 KB in UTF-8, over MAX_CONTENT_LENGTH (256 KiB)
    response = post(client, answers_for(statement=statement), "confirm")
    assert response.status_code == 413
    assert "<h1>提交的内容太大</h1>" in response.text
    assert "请精简个人陈述等长文本后再试" in response.text
    assert count(session, Application) == 0


@pytest.mark.parametrize("token", [None, "stale", "from-another-session"])
def test_bad_csrf_token_gives_the_form_back_with_input_and_a_fresh_token(app, client, token) -> None:
    client.get("/apply")
    answers = answers_for(choice2=SECOND_OPEN, society_post="y", society_post_detail="协会干事")
    data = dict(answers, step="review")
    if token == "stale":
        data["csrf_token"] = "IjAwMCI.aaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbb"
    elif token == "from-another-session":
        data["csrf_token"] = csrf_token(app.test_client().get("/apply").text)
    response = client.post("/apply", data=data)
    assert response.status_code == 400
    page = response.text
    assert "<h1>报名见习岗位</h1>" in page
    assert "页面停留时间过长，安全校验已过期。您填写的内容都还在，请检查后再提交一次。" in page
    assert_kept(page, answers)
    fresh = csrf_token(page)
    again = client.post("/apply", data=answers | {"step": "review", "csrf_token": fresh})
    assert again.status_code == 200
    assert "<h1>核对报名信息</h1>" in again.text


@pytest.fixture
def limited_client(app):
    """A second app on the same database whose form posts are limited to 3 a minute."""
    keys = (
        "TESTING",
        "INSTANCE_PATH",
        "SECRET_KEY",
        "MAIL_URL",
        "MAIL_FROM",
        "POSITIONS_ROOT",
        "SITE_DIR",
        "CLOCK",
        "DATABASE_URL",
        "HUEY_URL",
    )
    name = queue.huey.name
    limited = create_app(
        {key: app.config[key] for key in keys}
        | {"RATELIMIT_ENABLED": True, "RATELIMIT_POST": "3 per minute"}
        | {"RATELIMIT_APPLY_STEPS": "6 per minute"}
    )
    queue.use(app.config["HUEY_URL"], name=name)
    yield limited.test_client()
    db.sessions(limited).kw["bind"].dispose()


def test_fourth_confirm_in_a_minute_is_refused_in_chinese(limited_client) -> None:
    """Confirms count against RATELIMIT_POST; the steps before them (search, check) only against the
    looser RATELIMIT_APPLY_STEPS, so one campus address is not stopped by students' searches
    (newcomer finding 2)."""
    token = csrf_token(limited_client.get("/apply").text)
    data = answers_for() | {"csrf_token": token}
    for _ in range(3):  # searching and checking: more than RATELIMIT_POST allows, all answered
        assert limited_client.post("/apply", data=data | {"step": "edit"}).status_code == 200
    for _ in range(3):  # an invalid confirm counts too
        assert limited_client.post("/apply", data=data | {"step": "confirm", "phone": "1"}).status_code == 422
    response = limited_client.post("/apply", data=data | {"step": "confirm", "phone": "1"})
    assert response.status_code == 429
    assert "<h1>操作太频繁</h1>" in response.text
    assert "请稍等一分钟再试" in response.text
    assert limited_client.get("/apply").status_code == 200


def test_every_step_counts_against_the_looser_limit(limited_client) -> None:
    token = csrf_token(limited_client.get("/apply").text)
    data = answers_for() | {"step": "edit", "csrf_token": token}
    for _ in range(6):
        assert limited_client.post("/apply", data=data).status_code == 200
    assert limited_client.post("/apply", data=data).status_code == 429


def test_unknown_url_before_the_catalogue_is_built(client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 503
    assert "<h1>岗位目录尚未生成</h1>" in response.text


@pytest.mark.parametrize("path", ["/no-such-page", "/positions/no-such-position/", "/apply/nothing"])
def test_unknown_url_gives_the_chinese_404_page(app, client, path) -> None:
    site = Path(app.config["SITE_DIR"])
    site.mkdir(parents=True, exist_ok=True)
    (site / "index.html").write_text("<!doctype html><title>岗位目录</title>", encoding="utf-8")
    response = client.get(path)
    assert response.status_code == 404
    assert "<h1>页面不存在</h1>" in response.text
    assert "您访问的页面不存在或已下线。" in response.text


def test_wrong_method_gives_the_chinese_405_page(client) -> None:
    response = client.put("/apply")
    assert response.status_code == 405
    assert "<h1>不支持的操作</h1>" in response.text


def test_control_characters_are_dropped_before_storing(client, session) -> None:
    answers = answers_for(
        name="陈\x00示\x07例", major="计算机\x1b科学与技术", statement="第一行\n\t第二行\x00"
    )
    assert post(client, answers, "confirm").status_code == 303
    session.rollback()
    application = session.scalars(select(Application)).one()
    assert (application.name, application.major) == ("陈示例", "计算机科学与技术")
    assert application.statement == "第一行\n\t第二行"


@pytest.mark.parametrize("body", ["[1]", '"x"', "not json", '{"name": ["陈"]}'])
def test_json_body_is_no_answer(client, body) -> None:
    refused = client.post("/apply", data=body, content_type="application/json")
    assert refused.status_code == 400
    assert "安全校验已过期" in refused.text
    token = csrf_token(client.get("/apply").text)
    response = client.post(
        "/apply", data=body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 422
    assert_error(response.text, "choice1", "请至少选择一个意向岗位")

"""成果展示 (issue 23): the intern's consent on /status, the office's approval, the files the publishing
task commits under showcase/, and what removes them (a revoked consent, a withdrawal, an erasure)."""

import datetime as dt
import html
import re
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from form_worker.accounts.models import AuditEntry
from form_worker.applications.models import Application, Placement
from form_worker.publishing import rebuilds
from form_worker.publishing.models import CatalogueBuild
from form_worker.publishing.showcase import TRAILER, write_showcase
from form_worker.retention import rules as retention_rules
from form_worker.retention import services as retention
from form_worker.showcase import figures, services
from form_worker.showcase.models import ShowcaseFigures
from form_worker.showcase.tasks import publish_showcase
from tests.conftest import TODAY, git
from tests.form_worker.conftest import OPEN_POSITION, SAMPLE_APPLICANT, csrf_token
from tests.helpers.parties import make_parties, party
from tests.helpers.workfiles import intern

TODAY_NOON = dt.datetime(TODAY.year, TODAY.month, TODAY.day, 4)  # naive UTC, as stored
LATER = TODAY_NOON.replace(hour=6)
STORY = "在学术会议筹备中负责嘉宾联络和会务手册，三场会议零差错，获得主办方表扬（示例）。"


@pytest.fixture
def typical(app, session) -> Placement:
    """A completed intern whose unit marked the placement a typical case."""
    make_parties(app, session)
    placement = intern(app, session, state="completed")
    placement.typical_case, placement.case_story = True, STORY
    session.commit()
    return placement


@pytest.fixture
def publishing(app, repo: Path, tmp_path: Path):
    app.config.update(POSITIONS_ROOT=str(repo), SITE_DIR=str(tmp_path / "public" / "site"))
    return app


def reference_of(session, placement: Placement) -> str:
    return session.get(Application, placement.application_id).reference


def status_page(client, reference: str) -> str:
    token = csrf_token(client.get("/status").text)
    data = {"reference": reference, "contact": SAMPLE_APPLICANT["phone"], "csrf_token": token}
    return client.post("/status", data=data).text


def answer(client, page: str, consent: str):
    """Post the consent form the status page shows, with its hidden fields."""
    form = re.search(r'<form method="post" action="/status/case".*?</form>', page, re.S).group(0)
    hidden = re.findall(
        r'<input[^>]*name="(case-(?:reference|contact|csrf_token))"[^>]*value="([^"]*)"', form
    )
    return client.post("/status/case", data=dict(hidden) | {"case-consent": consent})


def approve(app, placement: Placement, title: str = "会务一线的成长（示例）", story: str = STORY):
    return party(app, "reviewer").post(
        f"/staff/showcase/{placement.id}", {"action": "approve", "title": title, "story": story}
    )


def publish(app) -> str | None:
    with app.app_context():
        return publish_showcase.call_local()


def case_file(repo: Path, placement: Placement) -> Path:
    return repo / "showcase" / str(TODAY.year) / f"jianxi-{placement.id}.yaml"


@pytest.mark.backend
def test_status_asks_only_once_the_unit_marked_a_typical_case(app, client, session, typical) -> None:
    typical.typical_case = False
    session.commit()
    reference = reference_of(session, typical)
    assert "典型案例公开" not in status_page(client, reference)
    typical.typical_case = True
    session.commit()
    page = status_page(client, reference)
    assert "典型案例公开" in page and STORY in page
    assert "署名“陈示例”" in page and "署名“陈同学”" in page and "同意公开，但不署名" in page


@pytest.mark.backend
def test_the_answer_is_recorded_with_its_time_audited_and_can_be_taken_back(
    app, client, session, typical
) -> None:
    page = status_page(client, reference_of(session, typical))
    empty = answer(client, page, "")
    assert empty.status_code == 422 and "请选择是否同意公开" in empty.text
    given = answer(client, page, "surname")
    assert given.status_code == 200 and "已记录您的同意" in given.text
    assert re.search(r'<input checked [^>]*value="surname">', given.text)
    session.expire_all()
    placement = session.get(Placement, typical.id)
    assert placement.case_consent == "surname" and placement.case_consent_at is not None
    taken_back = answer(client, given.text, "no")
    assert "不公开您的典型案例" in taken_back.text
    session.expire_all()
    assert session.get(Placement, typical.id).case_consent == "no"
    details = session.scalars(
        select(AuditEntry.detail).where(AuditEntry.action == "showcase_consent").order_by(AuditEntry.id)
    ).all()
    assert ['"surname"' in d for d in details] == [True, False]
    assert all(SAMPLE_APPLICANT["name"] not in d for d in details)


@pytest.mark.backend
def test_granted_and_approved_it_is_published_revoked_it_is_removed(
    publishing, client, session, typical, repo: Path
) -> None:
    app = publishing
    page = status_page(client, reference_of(session, typical))
    answered = answer(client, page, "surname")
    assert approve(app, typical).status_code == 303
    sha = publish(app)
    assert sha and git(repo, "rev-parse", "HEAD").strip() == sha
    text = case_file(repo, typical).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["intern"] == "陈同学" and data["title"] == "会务一线的成长（示例）" and data["story"] == STORY
    assert data["position_type"] == "学术助理"
    for personal in (SAMPLE_APPLICANT["name"], SAMPLE_APPLICANT["phone"], SAMPLE_APPLICANT["email"]):
        assert personal not in text
    assert reference_of(session, typical) not in text
    assert f"{TRAILER}: update" in git(repo, "log", "-1", "--format=%B")
    session.expire_all()
    assert session.get(CatalogueBuild, rebuilds.ROW_ID).requested_at is not None  # the rebuild follows
    assert publish(app) is None  # a rerun changes nothing

    answer(client, answered.text, "no")
    removed = publish(app)
    assert removed and not case_file(repo, typical).exists()
    assert git(repo, "show", "--name-status", "--format=", "HEAD").split() == [
        "D",
        f"showcase/{TODAY.year}/jianxi-{typical.id}.yaml",
    ]


@pytest.mark.backend
@pytest.mark.parametrize(
    ("consent", "byline"), [("named", "陈示例"), ("surname", "陈同学"), ("anonymous", None), ("no", "-")]
)
def test_the_file_names_the_intern_only_as_agreed(app, session, typical, consent, byline) -> None:
    typical.case_consent, typical.case_consent_at = consent, TODAY_NOON
    session.commit()
    with app.app_context():
        positions = app.extensions["jianxi.positions"].get()
        case = services.case_of(session, positions, typical.id)
        if consent == "no":
            with pytest.raises(services.Refused):
                services.approve(session, case, "标题（示例）", STORY, "reviewer", LATER)
            assert services.case_files(session, positions) == {}
            return
        services.approve(session, case, "标题（示例）", STORY, "reviewer", LATER)
        session.commit()
        (text,) = services.case_files(session, positions).values()
    data = yaml.safe_load(text)
    assert data.get("intern") == byline
    if byline is None:
        assert SAMPLE_APPLICANT["name"] not in text and "陈同学" not in text


@pytest.mark.backend
def test_nothing_is_published_without_the_offices_approval_nor_after_a_changed_answer(
    app, client, session, typical
) -> None:
    page = status_page(client, reference_of(session, typical))
    answered = answer(client, page, "named")
    with app.app_context():
        positions = app.extensions["jianxi.positions"].get()
        assert services.case_files(session, positions) == {}
        assert approve(app, typical).status_code == 303
        session.expire_all()
        assert len(services.case_files(session, positions)) == 1
        answer(client, answered.text, "anonymous")  # asked again: the office must read it again
        session.expire_all()
        assert services.case_files(session, positions) == {}
    office = party(app, "reviewer").get(f"/staff/showcase/?year={TODAY.year}").text
    assert "本人已更改选择，待重新审核" in office


@pytest.mark.backend
def test_the_office_withdraws_it_and_an_erasure_removes_it(publishing, session, typical, repo: Path) -> None:
    app = publishing
    typical.case_consent, typical.case_consent_at = "anonymous", TODAY_NOON
    session.commit()
    assert approve(app, typical).status_code == 303
    assert publish(app) and case_file(repo, typical).exists()
    withdrawn = party(app, "admin").post(f"/staff/showcase/{typical.id}", {"action": "withdraw"})
    assert withdrawn.status_code == 303
    assert publish(app) and not case_file(repo, typical).exists()
    assert approve(app, typical).status_code == 303
    assert publish(app) and case_file(repo, typical).exists()

    application = session.get(Application, typical.application_id)
    rules = retention_rules.from_config(app.config)
    retention.erase(session, application, TODAY, LATER, rules)
    session.commit()
    assert publish(app) and not case_file(repo, typical).exists()
    session.expire_all()
    cleared = session.get(Placement, typical.id)
    assert (cleared.typical_case, cleared.case_text, cleared.case_consent) == (False, "", None)


def test_a_case_sent_by_pull_request_is_left_alone(repo: Path) -> None:
    folder = repo / "showcase" / "2026"
    folder.mkdir(parents=True)
    (folder / "kepu-shili.yaml").write_text(
        "title: 示例\nyear: 2026\nunit: 示例科技馆\nposition_type: 科普助理\n"
        "story: 她策划了三场社区科普活动（示例）。\n",
        encoding="utf-8",
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "A case by pull request")
    assert write_showcase(repo, {}, {}, "test", LATER) is None
    assert (folder / "kepu-shili.yaml").exists()


@pytest.mark.backend
def test_bad_text_comes_back_beside_its_field(app, session, typical) -> None:
    typical.case_consent, typical.case_consent_at = "named", TODAY_NOON
    session.commit()
    response = approve(app, typical, title="保留的标题（示例）", story="太短")
    assert response.status_code == 422
    assert re.search(r'<p class="error" id="story-error">[^<]*10 到 800', response.text)
    assert 'value="保留的标题（示例）"' in response.text and "\n太短</textarea>" in response.text
    session.expire_all()
    assert session.get(Placement, typical.id).case_approved_at is None


@pytest.mark.backend
def test_the_office_approves_the_years_figures(publishing, session, typical, repo: Path) -> None:
    app = publishing
    reviewer = party(app, "reviewer")
    page = reviewer.get("/staff/showcase/").text
    seen = re.search(r'name="seen" type="hidden" value="([^"]*)"', page).group(1)
    stale = reviewer.post("/staff/showcase/figures", {"year": str(TODAY.year), "seen": "{}"})
    assert stale.status_code == 409 and "数据在您查看后有变化" in stale.text
    assert session.scalars(select(ShowcaseFigures)).all() == []
    done = reviewer.post("/staff/showcase/figures", {"year": str(TODAY.year), "seen": html.unescape(seen)})
    assert done.status_code == 303
    assert publish(app)
    written = yaml.safe_load(
        (repo / "showcase" / str(TODAY.year) / "figures.yaml").read_text(encoding="utf-8")
    )
    with app.app_context():
        computed = figures.compute(session, app.extensions["jianxi.positions"].get(), TODAY.year)
    assert written == computed.model_dump(mode="json") | {"approved_on": TODAY.isoformat()}
    assert written["interns"] == 1 and written["positions"] > 0
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "showcase_figures")).one()
    assert entry.actor == "reviewer"


@pytest.mark.backend
def test_the_positions_of_a_case_are_those_of_the_catalogue(app, session, typical) -> None:
    with app.app_context():
        case = services.case_of(session, app.extensions["jianxi.positions"].get(), typical.id)
    assert case is not None and case.placement.position_id == OPEN_POSITION and case.unit


@pytest.mark.backend
def test_the_text_may_name_the_intern_only_with_consent_and_never_carries_contact_details(
    app, session, typical
) -> None:
    """The review's find: a byline is not the only place a name can go. The title and the story
    may not name the intern unless they agreed to their full name, nor carry a phone, an email or
    an identity number whatever the consent."""
    name = session.get(Application, typical.application_id).name
    typical.case_consent, typical.case_consent_at = "surname", TODAY_NOON
    session.commit()
    named = approve(app, typical, story=f"{name}在学术会议筹备中负责嘉宾联络，三场会议零差错（示例）。")
    assert (
        named.status_code == 422
        and f"写了见习学生的姓名“{name}”" in named.text
        and f"改称“{name[0]}同学”" in named.text
    )
    phone = approve(app, typical, story="负责嘉宾联络，有事可拨打 13912345678 联系（示例）。")
    assert phone.status_code == 422 and "不能写手机号" in phone.text
    session.expire_all()
    assert session.get(Placement, typical.id).case_approved_at is None
    typical = session.get(Placement, typical.id)
    typical.case_consent = "named"
    session.commit()
    assert approve(
        app, typical, story=f"{name}在学术会议筹备中负责嘉宾联络，三场会议零差错（示例）。"
    ).status_code in (
        200,
        303,
    )
    session.expire_all()
    assert session.get(Placement, typical.id).case_approved_at is not None

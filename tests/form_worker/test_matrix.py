"""Role × route × record: every /staff page and action, and the student's offer page, for every
role, against records of the role's own party and of another one.

An office page refuses a university or unit account with the Chinese 403 page; a university page
refuses the office and the units; a unit page the office and the universities. Within its own
pages a party gets 404 for another party's record, and a bulk action moves none of its rows. No
refusal says whose record it was.
"""

import re
import uuid

import pytest
from sqlalchemy import select, update

from form_worker import create_app
from form_worker.applications.models import Application, Choice, FilingBatch, Placement
from form_worker.core.models import utcnow
from form_worker.feedback.models import Feedback
from form_worker.outbox import services as outbox
from tests.form_worker.conftest import OPEN_POSITION, PASSWORD, recorded_application
from tests.helpers.parties import OTHER_POSITION, make_account, make_parties, party

# Open without a session: the login page and the invitation link.
PUBLIC = ("accounts.login", "accounts.welcome", "accounts.hand_over")
ROLES = ("admin", "reviewer", "cqu", "swu", "unit_a", "unit_b", "yuzhong_hr", "nanan_cast")
OFFICE = ("admin", "reviewer")
DISTRICTS = ("yuzhong_hr", "nanan_cast")
# The office's pages a district account shares, held to its district.
SHARED_WITH_DISTRICTS = ("statistics.stats_page", "statistics.stats_workbook", "statistics.chart_stylesheet")


def staff_routes() -> list[tuple[str, str, str]]:
    probe = create_app({"SECRET_KEY": "probe", "INSTANCE_PATH": "/nonexistent/probe"})
    return sorted(
        (rule.endpoint, method, rule.rule)
        for rule in probe.url_map.iter_rules()
        if rule.rule.startswith("/staff") and rule.endpoint not in PUBLIC
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


ROUTES = staff_routes()
EVERYONE = ("accounts.logout", "accounts.password")


def owner(endpoint: str) -> tuple[str, ...]:
    """The roles a route is for."""
    if endpoint in EVERYONE:
        return ROLES
    if endpoint.startswith("university."):
        return ("cqu", "swu")
    if endpoint.startswith(
        (
            "unit.",
            "unit_agreements.",
            "unit_reports.",
            "unit_attendance.",
            "unit_plans.",
            "unit_logs.",
            "unit_proposals.",
            "unit_interviews.",
            "unit_confirmation.",
            "unit_feedback.",
        )
    ) or (endpoint.startswith("workfile.") and endpoint != "workfile.office_view"):
        return ("unit_a", "unit_b")
    if endpoint.startswith(("accounts.", "account_admin.", "retention.")):
        return ("admin",)
    if endpoint.startswith("district_units."):
        return ("yuzhong_hr",)
    if endpoint.startswith("district."):
        return DISTRICTS
    if (
        endpoint == "units.send_request"
    ):  # the office (or the unit, on its own page) names the bureau's contact
        return OFFICE
    if endpoint.startswith("units.") or endpoint in SHARED_WITH_DISTRICTS:
        return OFFICE + DISTRICTS
    return OFFICE


@pytest.fixture
def records(app, session) -> dict[str, object]:
    """重庆大学's application, filed, with a choice at unit A (offered and accepted) and one at unit B."""
    make_parties(app, session)
    received = recorded_application(app, session, [OPEN_POSITION, OTHER_POSITION], name="陈矩阵")
    batch = FilingBatch(actor="reviewer", count=1, sha256="0" * 64, content=b"")
    session.add(batch)
    session.flush()
    session.execute(
        update(Application)
        .where(Application.id == received.id)
        .values(state="offered", filing_batch_id=batch.id)
    )
    placement = Placement(
        application_id=received.id,
        position_id=OPEN_POSITION,
        mentor="李示例",
        accepted_at=utcnow(),
        deadline=utcnow(),
    )
    session.add(placement)
    failed = outbox.add(
        session, f"t:{uuid.uuid4().hex}", "x@example.com", "application_state", "n@jianxi.test", None,
        application=Application(name="测试", reference="JX2026-999999"), label="测试", reason="",
    )  # fmt: skip
    failed.status = "failed"
    spare = make_account(app, session, "spare", "备用账号", PASSWORD, "reviewer", "spare@jianxi.test")
    # A reader's report on unit A's position, forwarded to unit A (form_worker.feedback).
    report = Feedback(
        position_id=OPEN_POSITION,
        unit_slug=OPEN_POSITION.split("/")[0],
        position_title="学术会议组织助理（示例）",
        problem="wrong",
        description="矩阵反馈：截止日期写错了",
        contact="13800009999",
        share_contact=False,
        state="forwarded",
        forwarded_at=utcnow(),
        forwarded_by="reviewer",
    )
    session.add(report)
    session.commit()
    choices = {c.position_id: c.id for c in session.scalars(select(Choice))}
    return {
        "application_id": received.id,
        "reference": received.reference,
        "choice_id": choices[OPEN_POSITION],
        "other_choice": choices[OTHER_POSITION],
        "placement_id": placement.id,
        "task_id": 1,
        "entry_id": 1,
        "batch_id": batch.id,
        "user_id": spare.id,  # deactivating, resetting or inviting it ends no session of the test
        "outbox_id": failed.id,
        "feedback_id": report.id,
        "submission_id": 999,
        "scope": "position",
        "slug": OPEN_POSITION.split("/")[0],
        "unit": OPEN_POSITION.split("/")[0],
    }


def url_of(rule: str, ids: dict[str, object]) -> str:
    return re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", lambda m: str(ids[m.group(1)]), rule)


def call(client, method: str, url: str, data: dict[str, object] | None = None):
    if method == "GET":
        return client.get(url)
    return client.post(url, data)


def test_each_role_reaches_only_its_own_pages(app, session, records) -> None:
    """One client per role (logged in once), every route: the answers that break the rules."""
    clients = {role: party(app, role) for role in ROLES}
    wrong = []
    for endpoint, method, rule in ROUTES:
        if endpoint == "accounts.logout":
            continue  # ends the session the other routes use; its role check is the same decorator
        url = url_of(rule, records)
        for role, client in clients.items():
            response = call(client, method, url)
            if role in owner(endpoint):
                if response.status_code in (403, 500):
                    wrong.append((role, method, url, response.status_code))
            elif response.status_code != 403 or "没有权限" not in response.text:
                wrong.append((role, method, url, response.status_code))
            elif "陈矩阵" in response.text or str(records["reference"]) in response.text:
                wrong.append((role, method, url, "leaks"))
    assert wrong == []
    assert len(ROUTES) > 40  # the probe found the app's routes


def test_a_party_gets_404_for_another_partys_record_and_moves_none_of_them(app, session, records) -> None:
    application_id, reference = records["application_id"], str(records["reference"])
    swu = party(app, "swu")
    detail = swu.get(f"/staff/university/{application_id}")
    assert detail.status_code == 404 and "陈矩阵" not in detail.text
    assert reference not in swu.get("/staff/university/?state=all").text
    assert reference in party(app, "cqu").get("/staff/university/?state=all").text

    unit_b = party(app, "unit_b")
    for path in (
        f"/staff/unit/candidates/{records['choice_id']}",
        f"/staff/unit/placements/{records['placement_id']}/agreement",
    ):
        response = unit_b.get(path)
        assert response.status_code == 404 and "陈矩阵" not in response.text, path
    for path in (
        f"/staff/unit/candidates/{records['choice_id']}/offer",
        f"/staff/unit/candidates/{records['choice_id']}/shortlist",
        f"/staff/unit/candidates/{records['choice_id']}/pass",
        f"/staff/unit/placements/{records['placement_id']}/start",
        f"/staff/unit/placements/{records['placement_id']}/agreement",
    ):
        assert unit_b.post(path, {"on": "1", "mentor": "李示例", "days": "7"}).status_code == 404, path
    # Unit B sees its own choice of the application, but nothing of unit A's offer.
    own = unit_b.get(f"/staff/unit/candidates/{records['other_choice']}").text
    assert "已不再参加遴选" in own and "李示例" not in own and "学术会议" not in own
    assert "13800001234" not in own
    listing = unit_b.get("/staff/unit/").text
    assert "学术会议" not in listing
    # Reports forwarded about unit A's position reach unit A's page only.
    assert "矩阵反馈" not in unit_b.get("/staff/unit/feedback").text
    own_reports = party(app, "unit_a").get("/staff/unit/feedback").text
    assert "矩阵反馈" in own_reports and "13800009999" not in own_reports

    # Bulk actions only move rows of the acting party's scope.
    session.execute(update(Application).where(Application.id == application_id).values(state="checked"))
    session.commit()
    assert (
        swu.post("/staff/university/act", {"ids": str(application_id), "action": "recommend"}).status_code
        == 303
    )
    session.expire_all()
    assert session.get(Application, application_id).state == "checked"


def test_the_offer_page_needs_its_signed_link(app, session, records) -> None:
    client = app.test_client()
    placement = session.get(Placement, records["placement_id"])
    for forged in ("WzEsMV0.forged", f"[{placement.application_id},{placement.id}]", "x" * 40):
        response = client.get(f"/offer/{forged}")
        assert response.status_code == 404 and "陈矩阵" not in response.text

"""District accounts (issue 23): 区县科协 and 区县人力社保 bound to one district see its units, the
interns placed there and the statistics held to it; never the priority groups or another
district's records. Invited one by one or from a list, like the universities."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select, update

from form_worker.accounts.models import Account
from form_worker.accounts.roster import RosterError, read_roster
from form_worker.applications.models import Application, Placement
from form_worker.outbox.models import Outbox
from tests.form_worker.conftest import OPEN_POSITION
from tests.helpers.offers import filed
from tests.helpers.parties import OTHER_POSITION, make_parties, party


def placed(app, session, position: str, number: int, name: str) -> Application:
    application = filed(app, session, [position], number=number, name=name)
    session.execute(update(Application).where(Application.id == application.id).values(state="active"))
    session.add(
        Placement(
            application_id=application.id,
            position_id=position,
            mentor="李示例",
            agreement_date=dt.date(2026, 11, 1),
            start_date=dt.date(2026, 11, 2),
            end_date=dt.date(2027, 4, 30),
        )
    )
    session.commit()
    return application


@pytest.mark.backend
def test_a_district_sees_its_own_interns_units_and_statistics_only(app, session) -> None:
    make_parties(app, session)
    ours = placed(app, session, OPEN_POSITION, 90, "渝中示例生")  # 渝中区's unit
    theirs = placed(app, session, OTHER_POSITION, 91, "南岸示例生")  # 南岸区's unit
    waiting = filed(app, session, [OPEN_POSITION], number=92, name="未录用示例生")
    yuzhong = party(app, "yuzhong_hr")
    interns = yuzhong.get("/staff/district/interns")
    assert interns.status_code == 200
    assert ours.reference in interns.text and "渝中示例生" in interns.text
    assert theirs.reference not in interns.text and waiting.reference not in interns.text
    assert "2026-11-02 至 2027-04-30" in interns.text
    assert ours.reference not in party(app, "nanan_cast").get("/staff/district/interns").text

    units = yuzhong.get("/staff/units/").text
    assert "重庆市示例青年科技工作者学会" in units and "重庆示例科技馆" not in units
    assert yuzhong.get(f"/staff/units/{OTHER_POSITION.split('/')[0]}").status_code == 404

    stats = yuzhong.get("/staff/stats?district=南岸区")
    assert stats.status_code == 200 and "单位所在 渝中区" in stats.text and "南岸区" not in stats.text
    assert "重庆示例科技馆" not in stats.text and "年度总结评估" not in stats.text
    assert "优先" not in stats.text  # the priority groups are the admins' alone
    # Pages of the office and of the other parties stay closed.
    for path in ("/staff/applications", "/staff/unit/", "/staff/university/", "/staff/accounts"):
        assert yuzhong.get(path).status_code == 403, path


@pytest.mark.backend
def test_district_accounts_are_invited_one_by_one_or_from_a_list(app, session) -> None:
    make_parties(app, session)
    admin = party(app, "admin")
    missing = admin.post(
        "/staff/accounts",
        {"name": "江北科协", "email": "kx@jb.example.org", "role": "district_cast", "district": ""},
    )
    assert missing.status_code == 422 and "请选择区县" in missing.text
    made = admin.post(
        "/staff/accounts",
        {"name": "江北科协", "email": "kx@jb.example.org", "role": "district_cast", "district": "江北区"},
    )
    assert made.status_code == 303
    account = session.scalar(select(Account).where(Account.email == "kx@jb.example.org"))
    assert (account.role, account.district) == ("district_cast", "江北区")
    invite = session.scalar(select(Outbox).where(Outbox.recipient == "kx@jb.example.org"))
    assert "区县科协：江北区" in invite.body_text

    book = Workbook()
    sheet = book.active
    sheet.append(["区县", "角色", "姓名", "电子邮箱"])
    sheet.append(["万州区", "区县人力社保", "万州人社", "hr@wz.example.gov.cn"])
    sheet.append(["綦江区", "区县科协", "綦江科协", "kx@qj.example.org"])
    data = io.BytesIO()
    book.save(data)
    uploaded = admin.post(
        "/staff/accounts/upload",
        {"roster": (io.BytesIO(data.getvalue()), "区县名单.xlsx")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 303
    rows = {
        a.email: (a.role, a.district)
        for a in session.scalars(select(Account).where(Account.district.is_not(None)))
    }
    assert rows["hr@wz.example.gov.cn"] == ("district_hr", "万州区") and rows["kx@qj.example.org"] == (
        "district_cast",
        "綦江区",
    )


def test_a_list_names_the_district_and_role_problems_by_row() -> None:
    text = "区县,角色,姓名,电子邮箱\n渝中,区县科协,甲,a@example.com\n渝中区,区县领导,乙,b@example.com\n"
    with pytest.raises(RosterError) as error:
        read_roster(text.encode(), "名单.csv")
    assert error.value.problems == [
        "第 2 行：区县“渝中”不在区县名单中，请写全称（如“渝中区”）",
        "第 3 行：角色应为“区县科协”或“区县人力社保”",
    ]
    with pytest.raises(RosterError) as error:
        read_roster("区县,姓名,电子邮箱\n".encode(), "名单.csv")
    assert "缺少列“高校（或区县、角色）”" in error.value.problems[0]
    mixed = read_roster("高校,区县,角色,姓名,电子邮箱\n重庆大学,,,丙,c@example.com\n".encode(), "名单.csv")
    assert [(p.role, p.university) for p in mixed] == [("university", "重庆大学")]

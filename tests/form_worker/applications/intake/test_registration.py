"""Registration in the national system (智慧科协见习计划系统, issue 22): /apply asks, the check page,
the done page and the receipt remind those who have not registered, every email to the applicant
links /status, and the office's list, page and export show who has."""

import io

import openpyxl
from sqlalchemy import select

from form_worker.applications import services
from form_worker.applications.models import Application
from form_worker.outbox.models import Outbox
from tests.conftest import TODAY
from tests.form_worker.conftest import StaffClient, answers_for, csrf_token, drain
from tests.helpers.apply_form import field_block

REMINDER = "还差一步"
SYSTEM = "https://kjxjh-kc.cast.org.cn"


def confirm(client, **overrides: str):
    token = csrf_token(client.get("/apply").text)
    return client.post("/apply", data=answers_for(**overrides) | {"step": "confirm", "csrf_token": token})


def recorded(session, email: str) -> Application:
    return session.scalar(select(Application).where(Application.email == email))


def test_the_question_is_required_and_the_account_name_is_kept_beside_an_error(client) -> None:
    token = csrf_token(client.get("/apply").text)
    answers = answers_for(registered="", registry_account="chen2026") | {"csrf_token": token}
    page = client.post("/apply", data=answers).text
    assert "请选择是否已在智慧科协见习计划系统注册" in field_block(page, "registered")
    assert 'value="chen2026"' in field_block(page, "registry_account")
    assert f'href="{SYSTEM}"' in page
    too_long = client.post("/apply", data=answers_for(registry_account="x" * 51) | {"csrf_token": token})
    assert too_long.status_code == 422 and "账号最多 50 个字符" in too_long.text


def test_the_check_page_reminds_only_those_who_have_not_registered(client) -> None:
    token = csrf_token(client.get("/apply").text)
    page = client.post("/apply", data=answers_for(registered="no") | {"csrf_token": token}).text
    assert "还没有注册" in page and f'href="{SYSTEM}"' in page and 'name="registered" value="no"' in page
    page = client.post(
        "/apply", data=answers_for(registered="yes", registry_account="chen2026") | {"csrf_token": token}
    ).text
    assert "已注册（账号：chen2026）" in page and SYSTEM not in page.split("<h1>")[1]


def test_an_unregistered_applicant_is_reminded_on_the_done_page_and_in_the_receipt(
    app, client, session
) -> None:
    app.config["WORKER_URL"] = "https://forms.example.cn/"
    done = client.get(confirm(client, registered="no").headers["Location"]).text
    assert REMINDER in done and f'href="{SYSTEM}"' in done
    application = recorded(session, "chen@example.com")
    assert not application.registered and application.registry_account == ""
    receipt = session.scalar(select(Outbox).where(Outbox.key == f"received:{application.id}"))
    assert REMINDER in receipt.body_text and SYSTEM in receipt.body_text and SYSTEM in receipt.body_html
    assert "https://forms.example.cn/status" in receipt.body_text
    assert 'href="https://forms.example.cn/status"' in receipt.body_html


def test_a_registered_applicant_is_not_reminded_and_the_account_is_kept(app, client, session) -> None:
    done = client.get(
        confirm(client, registered="yes", registry_account=" chen2026 ").headers["Location"]
    ).text
    assert REMINDER not in done
    application = recorded(session, "chen@example.com")
    assert application.registered and application.registry_account == "chen2026"
    receipt = session.scalar(select(Outbox).where(Outbox.key == f"received:{application.id}"))
    assert REMINDER not in receipt.body_text and "/status" in receipt.body_text


def test_every_state_email_links_status(app, client, session) -> None:
    app.config["WORKER_URL"] = "https://forms.example.cn"
    confirm(client)
    drain(app)  # the check moves it to checked, which the applicant hears about
    application = recorded(session, "chen@example.com")
    with app.app_context():
        services.transition(
            session, application, "rejected", "office", "材料不全", app.config["MAIL_FROM"], today=TODAY
        )
    session.commit()
    states = session.scalars(select(Outbox).where(Outbox.key.startswith(f"state:{application.id}:"))).all()
    assert len(states) == 2
    for email in states:
        assert "https://forms.example.cn/status" in email.body_text
        assert 'href="https://forms.example.cn/status"' in email.body_html


def test_the_office_lists_filters_shows_and_exports_who_registered(
    app, client, session, staff_client: StaffClient
) -> None:
    confirm(client, registered="yes", registry_account="chen2026")
    confirm(client, registered="no", phone="13800004321", email="wang@example.com", name="王示例")
    staff_client.login("admin")
    listing = staff_client.get("/staff/applications").text
    assert listing.count("<td>已注册</td>") == 1 and listing.count("<td>未注册</td>") == 1
    unregistered = staff_client.get("/staff/applications?unregistered=1").text
    assert "王示例" in unregistered and "陈示例" not in unregistered
    chen = recorded(session, "chen@example.com")
    detail = staff_client.get(f"/staff/applications/{chen.id}").text
    assert "已注册（账号 chen2026）" in detail
    data = {"university-scope": "university", "university-key": "重庆大学", "university-format": "xlsx"}
    response = staff_client.post("/staff/exports/applications/university", data)
    rows = list(openpyxl.load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    column = rows[0].index("已在智慧科协见习计划系统注册")
    assert sorted(row[column] for row in rows[1:]) == ["否", "是（账号 chen2026）"]

"""A confirmation reaches the files: the unit's unit.yaml says approved, with the bureau's document
number and date, in one commit by the task; the catalogue then drops the 见习单位认定中 mark."""

import datetime as dt

import pytest
from sqlalchemy import select

from form_worker.publishing.files import CONFIRMATION_TRAILER, confirm_unit
from form_worker.units import tasks
from form_worker.units.models import UnitConfirmation
from site_builder.model.catalogue import load_catalogue
from site_builder.model.writer import read_unit
from tests.conftest import git

UNIT = "shili-intelligent-equipment-institute"
NOW = dt.datetime(2026, 11, 27, 3)


def test_the_confirmation_is_written_into_unit_yaml_once(repo) -> None:
    sha = confirm_unit(repo, UNIT, dt.date(2026, 11, 20), "永川人社见〔2026〕8号", 7, NOW)
    unit = read_unit(repo / "positions" / UNIT / "unit.yaml")
    assert unit is not None and unit.hr_approval.status == "approved"
    assert (unit.hr_approval.date, unit.hr_approval.document) == (
        dt.date(2026, 11, 20),
        "永川人社见〔2026〕8号",
    )
    assert unit.hr_approval.bureau == "重庆市永川区人力资源和社会保障局"
    assert f"{CONFIRMATION_TRAILER}: 7" in git(repo, "log", "-1", "--format=%B")
    assert git(repo, "rev-parse", "HEAD").strip() == sha
    # A rerun writes nothing: the file already says approved.
    assert confirm_unit(repo, UNIT, dt.date(2026, 11, 20), "永川人社见〔2026〕8号", 7, NOW) == ""
    assert git(repo, "rev-parse", "HEAD").strip() == sha
    assert load_catalogue(repo).problems == []


@pytest.mark.backend
def test_the_task_writes_each_confirmation_and_marks_it(app, session, repo) -> None:
    app.config["POSITIONS_ROOT"] = str(repo)
    row = UnitConfirmation(
        unit=UNIT,
        district="永川区",
        contact_name="刘示例",
        contact_email="hr@yc.example.gov.cn",
        requested_by="reviewer",
        outcome="confirmed",
        document="永川人社见〔2026〕8号",
        decided_on=dt.date(2026, 11, 20),
        decided_by="刘示例",
    )
    waiting = UnitConfirmation(
        unit="shili-wanzhou-scitech-service-centre",
        district="万州区",
        contact_name="王示例",
        contact_email="hr@wz.example.gov.cn",
        requested_by="reviewer",
    )
    session.add_all([row, waiting])
    session.commit()
    with app.app_context():
        assert tasks.publish_confirmations.call_local() == [UNIT]
        assert tasks.publish_confirmations.call_local() == []
    session.expire_all()
    assert len(session.get(UnitConfirmation, row.id).published_sha) == 40
    assert session.get(UnitConfirmation, waiting.id).published_sha == ""
    assert session.scalars(select(UnitConfirmation.unit)).all()

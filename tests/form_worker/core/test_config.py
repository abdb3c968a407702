"""The worker's configuration (form_worker.core.config): the collection window's setting is read
there with the catalogue's own parser, and a bad value stops the worker at start-up."""

import datetime as dt
from pathlib import Path

import pytest

from form_worker import create_app
from form_worker.core import config


def test_the_collection_closes_on_30_june_of_the_programme_year_by_default() -> None:
    assert config.load({})["COLLECTION_CLOSES"] == dt.date(2026, 6, 30)
    settings = config.load({"PROGRAMME_YEAR": "2027"})
    assert settings["PROGRAMME_YEAR"] == 2027 and settings["COLLECTION_CLOSES"] == dt.date(2027, 6, 30)


def test_a_configured_collection_date_is_read() -> None:
    assert config.load({"COLLECTION_CLOSES": "2026-07-10"})["COLLECTION_CLOSES"] == dt.date(2026, 7, 10)


@pytest.mark.parametrize(("name", "value"), [("COLLECTION_CLOSES", "6/30"), ("PROGRAMME_YEAR", "next")])
def test_a_bad_value_stops_the_worker_at_start_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=f"{name} must be"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "test"})

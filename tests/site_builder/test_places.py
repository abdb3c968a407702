"""剩余名额: a position page built by the worker shows the places still free at an open position;
one built from the files alone (`jianxi build`) shows none rather than a guess."""

from site_builder.pages import PageRenderer, Site
from tests.conftest import TODAY

OPEN = "shili-youth-scitech-society/academic-conference-assistant"  # headcount 4, open at TODAY


def position_body(catalogue, places_held) -> str:
    renderer = PageRenderer(catalogue, Site("http://127.0.0.1:8000/", "", TODAY, places_held))
    return renderer.position(next(e for e in catalogue.positions if e.id == OPEN)).body


def test_an_open_position_shows_the_places_left(sample_catalogue) -> None:
    body = position_body(sample_catalogue, {OPEN: 3, "other/position": 2})
    assert f'<dd id="places-left"><strong>1</strong> 人（截至 {TODAY.isoformat()}）</dd>' in body
    full = position_body(sample_catalogue, {OPEN: 5})
    assert f"<strong>0</strong> 人（截至 {TODAY.isoformat()}），均已发出录用" in full


def test_a_build_from_the_files_alone_shows_no_places_left(sample_catalogue) -> None:
    assert 'id="places-left"' not in position_body(sample_catalogue, None)

"""The Pagefind records: pinyin that finds the Chinese, filters that are the catalogue's own fields,
meta the results page shows, and documents that keep hostile text inert."""

import dataclasses

from site_builder.model.pinyin import pinyin_words, place_pinyin
from site_builder.pages import EVERY, PageRenderer, Site
from site_builder.search import FILTERS, degrees_accepted, document, position_record, records
from tests.conftest import TODAY


def renderer(catalogue) -> PageRenderer:
    return PageRenderer(catalogue, Site("http://127.0.0.1:8000/", "", TODAY))


def test_pinyin_words_find_a_run_from_any_syllable() -> None:
    words = pinyin_words("科普助理（渝中区）")
    assert {"kepuzhuli", "kpzl", "zhuli", "zl", "yuzhongqu", "yzq", "zhongqu"} <= set(words)
    assert all(len(word) > 1 for word in words) and len(words) == len(set(words))
    # the phrase dictionary reads 重庆 as chongqing, not zhongqing
    assert "chongqing" in pinyin_words("重庆") and "zhongqing" not in pinyin_words("重庆")
    assert pinyin_words("ABC 123") == []


def test_a_degree_filter_takes_the_minimum_and_every_higher_degree() -> None:
    assert degrees_accepted("专科") == ["专科", "本科", "硕士", "博士"]
    assert degrees_accepted("硕士") == ["硕士", "博士"]


def test_every_position_has_one_record_with_its_fields_as_filters(sample_catalogue) -> None:
    pages = renderer(sample_catalogue)
    found = {r.url: r for r in records(pages)}
    assert len(found) == len(sample_catalogue.positions)
    for entry in sample_catalogue.positions:
        p = entry.position
        unit = sample_catalogue.units[entry.unit_slug].unit
        record = found[f"positions/{entry.id}/"]
        assert set(record.filters) == set(FILTERS)
        assert record.filters["区县"] == [p.workplace.district]
        assert record.filters["类型"] == [p.type] and record.filters["性质"] == [p.track]
        assert record.filters["单位类别"] == [unit.category]
        assert record.filters["学历"][0] == p.education
        assert record.meta["title"] == p.title and record.meta["unit"] == unit.name
        assert record.meta["deadline"] == p.deadline.isoformat()
        assert record.meta["state"] == p.state(TODAY)
        assert EVERY in record.content.split()


def test_closed_and_expired_positions_carry_their_state(sample_catalogue) -> None:
    pages = renderer(sample_catalogue)
    states = {pages.state(e): position_record(pages, e).filters["状态"] for e in pages.positions}
    assert states["open"] == ["招募中"] and states["expired"] == ["已截止"] and states["closed"] == ["已关闭"]


def test_the_indexed_document_escapes_every_field(sample_catalogue) -> None:
    pages = renderer(sample_catalogue)
    record = position_record(pages, pages.positions[0])
    hostile = '<script>alert(1)</script>"&'
    html = document(
        dataclasses.replace(
            record, meta={**record.meta, "title": hostile, "unit": hostile}, filters={"区县": [hostile]}
        )
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count('data-pagefind-filter="区县"') == 1
    assert 'data-pagefind-sort="deadline:' in html


def test_a_district_is_spelt_without_its_suffix() -> None:
    """What the search page matches a Latin word against to read it as a district (issue 21)."""
    assert place_pinyin("渝中区") == ["yuzhong", "yz"]
    assert place_pinyin("石柱土家族自治县") == ["shizhu", "sz"]
    assert place_pinyin("忠县") == ["zhong"]  # one letter would match too much


def test_a_unit_not_yet_confirmed_is_marked_and_filterable(sample_catalogue) -> None:
    """Issue 23: a unit 认定中 publishes, marked 见习单位认定中, and the search can choose either standing."""
    pages = renderer(sample_catalogue)
    found = {r.url: r for r in records(pages)}
    standings = set()
    for entry in sample_catalogue.positions:
        pending = sample_catalogue.units[entry.unit_slug].unit.hr_approval.status == "pending"
        record = found[f"positions/{entry.id}/"]
        assert record.filters["单位认定"] == ["见习单位认定中" if pending else "已认定"]
        assert record.meta["pending"] == ("1" if pending else "")
        badges = pages.position(entry).body.split("</p>", 1)[0]  # the page's first line: its badges
        assert ("见习单位认定中" in badges) == pending, entry.id
        standings.add(pending)
    assert standings == {True, False}  # the samples hold both
    assert pages.filter_values()["standing"] == ["已认定", "见习单位认定中"]

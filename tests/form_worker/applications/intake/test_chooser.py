"""Choosing positions on /apply by searching: results, picking, removing, the answers kept, and a
page that no longer lists every open position."""

import re

from form_worker.applications.intake import chooser
from tests.conftest import TODAY
from tests.form_worker.conftest import OPEN_POSITION, answers_for, csrf_token
from tests.helpers.apply_form import field_block

SCIENCE_MUSEUM = "shili-science-museum/exhibit-guide-assistant"  # 科普助理 in 南岸区


def act(client, action: str, **answers: str):
    token = csrf_token(client.get("/apply").text)
    return client.post("/apply", data=answers | {"act": action, "csrf_token": token, "step": "review"})


def chosen(page: str) -> list[str]:
    return [
        value
        for name in ("choice1", "choice2", "choice3")
        for value in re.findall(rf'name="{name}" value="([^"]*)"', field_block(page, name))
        if value
    ]


def test_the_form_lists_no_positions_until_asked(client) -> None:
    page = client.get("/apply").text
    assert '<option value="shili-' not in page and 'name="act" value="pick:' not in page
    assert "还没有选择：请在上面搜索" in page


def test_a_search_finds_open_positions_by_word_and_district(app, client) -> None:
    positions = app.extensions["jianxi.positions"].get()
    page = act(client, "find", find="科普").text
    picks = re.findall(r'name="act" value="pick:([^"]+)"', page)
    assert SCIENCE_MUSEUM in picks
    assert all(positions.is_open(p, TODAY) for p in picks)
    assert all("科普" in chooser.words(positions, positions.by_id[p]) for p in picks)
    district = positions.by_id[SCIENCE_MUSEUM].position.workplace.district
    only = re.findall(r'name="act" value="pick:([^"]+)"', act(client, "find", find_district=district).text)
    assert only and all(positions.by_id[p].position.workplace.district == district for p in only)
    none = act(client, "find", find="没有这种岗位").text
    assert "找到 0 个正在招募的岗位" in none and "没有找到，请换个关键词" in none


def test_pinyin_finds_what_the_catalogue_finds(app, client) -> None:
    """Issue 21: `kepu` found 7 positions in the catalogue and none in the finder. Pinyin matches as
    the catalogue's records do (the same words: site_builder.model.pinyin), initials included."""
    positions = app.extensions["jianxi.positions"].get()
    science = {e.id for e in positions.open_entries(TODAY) if "科普" in e.position.title + e.position.type}
    assert SCIENCE_MUSEUM in science and len(science) <= chooser.SHOWN
    for query in ("kepu", "KePu", "kp"):
        found = set(re.findall(r'name="act" value="pick:([^"]+)"', act(client, "find", find=query).text))
        assert science <= found
    district = positions.by_id[SCIENCE_MUSEUM].position.workplace.district  # 南岸区
    both = re.findall(r'name="act" value="pick:([^"]+)"', act(client, "find", find="kepu nanan").text)
    assert SCIENCE_MUSEUM in both
    assert all(positions.by_id[p].position.workplace.district == district for p in both)


def test_picking_and_removing_keep_every_answer(client) -> None:
    answers = answers_for(choice1="", name="王小明", statement="我想做科普。")
    page = act(client, f"pick:{SCIENCE_MUSEUM}", **answers).text
    assert chosen(page) == [SCIENCE_MUSEUM]
    assert 'value="王小明"' in page and "我想做科普。" in page
    page = act(client, f"pick:{OPEN_POSITION}", **(answers | {"choice1": SCIENCE_MUSEUM})).text
    assert chosen(page) == [SCIENCE_MUSEUM, OPEN_POSITION]
    again = act(
        client, f"pick:{OPEN_POSITION}", **(answers | {"choice1": SCIENCE_MUSEUM, "choice2": OPEN_POSITION})
    )
    assert "这个岗位已经选过了" in again.text and chosen(again.text) == [SCIENCE_MUSEUM, OPEN_POSITION]
    removed = act(
        client, "remove:0", **(answers | {"choice1": SCIENCE_MUSEUM, "choice2": OPEN_POSITION})
    ).text
    assert chosen(removed) == [OPEN_POSITION]  # the second moves up
    closed = act(client, "pick:shili-engineering-journal/english-abstract-editing-assistant", **answers).text
    assert "已截止或不存在" in closed and chosen(closed) == []


def test_a_picked_position_goes_on_to_the_check_page(app, client) -> None:
    page = act(client, f"pick:{SCIENCE_MUSEUM}", **answers_for(choice1=OPEN_POSITION)).text
    token = csrf_token(page)
    data = answers_for(choice1=OPEN_POSITION, choice2=SCIENCE_MUSEUM) | {
        "csrf_token": token,
        "step": "review",
    }
    response = client.post("/apply", data=data)
    title = app.extensions["jianxi.positions"].get().by_id[SCIENCE_MUSEUM].position.title
    assert "<h1>核对报名信息</h1>" in response.text and title in response.text


def test_at_most_three(app) -> None:
    assert chooser.pick(["a", "b", "c"], "d", 3) == (
        ["a", "b", "c"],
        "最多选 3 个岗位；要换一个，请先移除一个已选的岗位",
    )
    assert chooser.pick(["a"], "b", 3) == (["a", "b"], "")


def test_search_and_suggestions_rank_as_a_full_sort_would(app) -> None:
    """Issue 24: the search scans the day's kept texts and the suggestions stop early; both return
    what sorting every open position would: newest first, the suggestions by closeness first."""
    positions = app.extensions["jianxi.positions"].get()
    everything = sorted(
        (e for e in positions.by_id.values() if positions.is_open(e.id, TODAY)),
        key=lambda e: (e.position.published, e.id),
        reverse=True,
    )
    for query in ("", "科普", "kepu", "助理 南岸"):
        terms = query.lower().split()
        pinyin = any(t.isascii() for t in terms)
        expected = [e for e in everything if all(t in chooser.words(positions, e, pinyin) for t in terms)]
        found = chooser.search(positions, TODAY, query)
        assert (found.entries, found.total) == (expected[: chooser.SHOWN], len(expected))
    wanted = positions.by_id[SCIENCE_MUSEUM]

    def closeness(e) -> int:
        same_type = e.position.type == wanted.position.type
        same_district = e.position.workplace.district == wanted.position.workplace.district
        return 0 if same_type and same_district else 1 if same_type else 2 if same_district else 3

    ranked = sorted((e for e in everything if e.id != wanted.id and closeness(e) < 3), key=closeness)
    assert chooser.similar(positions, wanted, TODAY) == ranked[:3] and len(ranked) >= 3

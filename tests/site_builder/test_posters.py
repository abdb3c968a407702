"""Posters: one printable page per position and per unit, without script, whose QR code holds the
page's address (read back from the published SVG's modules)."""

import re
from pathlib import Path

import segno

from site_builder import qr
from site_builder.pages import page_url, position_page, unit_page
from site_builder.qr import QrCodes

SITE_URL = "http://127.0.0.1:8000/"  # mkdocs.yml's site_url, which the sample site is built with


def modules(svg: str) -> list[list[bool]]:
    """The dark modules of segno's SVG path (M x y, then h n and relative m dx dy), border removed;
    one unit a module, the size from the viewBox (no width or height, so CSS scales the code)."""
    assert " width=" not in svg.split(">", 1)[0] and "transform" not in svg
    size = round(float(re.search(r'viewBox="0 0 ([\d.]+) [\d.]+"', svg).group(1)))
    path = re.search(r' d="([^"]+)"', svg).group(1)
    dark = [[False] * size for _ in range(size)]
    x = y = 0.0
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:[ ,](-?[\d.]+))?", path):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            for column in range(int(x), int(x + float(a))):
                dark[int(y)][column] = True
            x += float(a)
    border = 2
    return [row[border : size - border] for row in dark[border : size - border]]


def encoded(url: str) -> list[list[bool]]:
    """The modules a QR code of url has (the same error level and mask as site_builder.qr)."""
    return [[bool(v) for v in row] for row in segno.make(url, error=qr.ERROR, mask=qr.MASK).matrix]


def test_every_position_and_unit_has_a_poster_whose_qr_code_is_its_page(
    sample_site: Path, sample_catalogue
) -> None:
    for entry in sample_catalogue.positions:
        address = SITE_URL + page_url(position_page(entry))
        poster = (sample_site / page_url(position_page(entry)) / "poster.html").read_text(encoding="utf-8")
        p = entry.position
        for text in (
            p.title,
            p.workplace.district,
            f"{p.allowance} 元",
            p.start_date.isoformat(),
            p.deadline.isoformat(),
            "怎样报名",
        ):
            assert text in poster, (entry.id, text)
        assert "<script" not in poster and " style=" not in poster
        stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)">', poster).group(1)
        assert (sample_site / page_url(position_page(entry)) / stylesheet).resolve().is_file()
        svg = re.search(r"<svg .*?</svg>", poster, re.S).group(0)
        assert modules(svg) == encoded(address), entry.id
        page = (sample_site / page_url(position_page(entry)) / "index.html").read_text(encoding="utf-8")
        assert '<a href="poster.html">打印海报</a>' in page and 'class="jx-qr"' in page
    for slug, unit in sample_catalogue.units.items():
        poster = (sample_site / page_url(unit_page(slug)) / "poster.html").read_text(encoding="utf-8")
        assert unit.unit.name in poster
        svg = re.search(r"<svg .*?</svg>", poster, re.S).group(0)
        assert modules(svg) == encoded(SITE_URL + page_url(unit_page(slug)))


def test_a_sample_is_marked_once(sample_site: Path, sample_catalogue) -> None:
    """Issue 21: a sample position's poster read "（示例）（示例）": its title already says so."""
    for entry in sample_catalogue.positions:
        poster = (sample_site / page_url(position_page(entry)) / "poster.html").read_text(encoding="utf-8")
        heading = re.search(r"<h1>(.*?)</h1>", poster).group(1)
        assert heading.count("（示例）") == (1 if entry.position.sample else 0), heading
    for slug in sample_catalogue.units:
        poster = (sample_site / page_url(unit_page(slug)) / "poster.html").read_text(encoding="utf-8")
        assert re.search(r"<h1>(.*?)</h1>", poster).group(1).count("（示例）") == 1  # all samples


def test_the_reader_is_no_rubber_stamp() -> None:
    """The module reader tells two addresses apart (else the test above could not fail)."""
    svg = str(QrCodes().svg("http://127.0.0.1:8000/positions/a/b/", "x"))
    assert modules(svg) == encoded("http://127.0.0.1:8000/positions/a/b/")
    assert modules(svg) != encoded("http://127.0.0.1:8000/positions/a/c/")

"""Machine-readable outputs beside the pages: positions.json and an Atom feed of new positions."""

import datetime as dt
import heapq
import json
from pathlib import Path
from xml.etree import ElementTree as ET  # nosec B405  # writes XML, never parses any

from .clock import CHONGQING
from .model.catalogue import Catalogue, PositionEntry
from .model.schema import SCHEMA_VERSION
from .pages import page_url, position_page

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50


def _position_url(site_url: str, entry: PositionEntry) -> str:
    return site_url.rstrip("/") + "/" + page_url(position_page(entry))


def write_positions_json(catalogue: Catalogue, site_url: str, today: dt.date, target: Path) -> None:
    """Every position with its unit, as published data that other systems can read.

    Written one position at a time: built whole, the document at 10,000 positions held about
    100 MB of dicts and its 25 MB text at once. The bytes are json.dumps' of the whole document.
    """
    units = {
        slug: {"slug": slug, **entry.unit.model_dump(mode="json")} for slug, entry in catalogue.units.items()
    }
    head = _compact({"schema_version": SCHEMA_VERSION, "generated": today.isoformat()})
    with target.open("w", encoding="utf-8") as out:
        out.write(head.removesuffix("}") + ',"positions":[')
        for number, e in enumerate(sorted(catalogue.positions, key=lambda e: e.id)):
            position = {
                "id": e.id,
                "url": _position_url(site_url, e),
                "state": e.position.state(today),
                "unit": units[e.unit_slug],
                **e.position.model_dump(mode="json"),
            }
            out.write(("," if number else "") + _compact(position))
        out.write("]}")


def _compact(data: object) -> str:
    # Without indent the json module's C encoder runs, 10 times faster at 5,000 positions.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _midnight(day: dt.date) -> str:
    return dt.datetime.combine(day, dt.time(), CHONGQING).isoformat()


def atom_feed(catalogue: Catalogue, site_url: str, site_name: str) -> str:
    """The newest positions as an Atom 1.0 feed, for feed readers and partner sites."""
    ET.register_namespace("", ATOM)
    newest = heapq.nlargest(FEED_SIZE, catalogue.positions, key=lambda e: (e.position.published, e.id))
    base = site_url.rstrip("/") + "/"
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "zh-CN"})
    ET.SubElement(feed, f"{{{ATOM}}}id").text = base
    ET.SubElement(feed, f"{{{ATOM}}}title").text = f"{site_name} · 最新岗位"
    ET.SubElement(feed, f"{{{ATOM}}}link", href=base + "feed.xml", rel="self")
    ET.SubElement(feed, f"{{{ATOM}}}link", href=base)
    updated = max((e.position.published for e in newest), default=dt.date(2026, 1, 1))
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _midnight(updated)
    for e in newest:
        p, unit = e.position, catalogue.units[e.unit_slug].unit
        item = ET.SubElement(feed, f"{{{ATOM}}}entry")
        url = _position_url(site_url, e)
        ET.SubElement(item, f"{{{ATOM}}}id").text = url
        ET.SubElement(item, f"{{{ATOM}}}title").text = f"{p.title}（{unit.name}）"
        ET.SubElement(item, f"{{{ATOM}}}link", href=url)
        ET.SubElement(item, f"{{{ATOM}}}updated").text = _midnight(p.published)
        ET.SubElement(item, f"{{{ATOM}}}published").text = _midnight(p.published)
        author = ET.SubElement(item, f"{{{ATOM}}}author")
        ET.SubElement(author, f"{{{ATOM}}}name").text = unit.name
        ET.SubElement(item, f"{{{ATOM}}}category", term=p.type)
        summary = (
            f"{p.type} · {p.track} · {p.workplace.district} · 每月 {p.allowance} 元 · "
            f"招收 {p.headcount} 人 · 报名截止 {p.deadline.isoformat()}\n{p.duties}"
        )
        ET.SubElement(item, f"{{{ATOM}}}summary").text = summary
    return ET.tostring(feed, encoding="unicode", xml_declaration=True)

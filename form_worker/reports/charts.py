"""Charts for the statistics page and the summary report: pygal SVG, inlined by the server.

Worker pages run under a Content-Security-Policy with no script and no inline style (core/headers.py:
`default-src 'none'; style-src 'self'`). pygal writes a <script> with its config (even with js=[])
and a <style> into every SVG, and a style attribute on its tooltip. An XML filter, run by pygal
before it serialises, removes all three, the comments and the ids (so two charts on one page share
none); the rules of the <style> are served once as a stylesheet from 'self' (`stylesheet()`), their
per-chart `#chart-<uuid>` prefix replaced by the class every chart carries. The table beside each
chart holds its figures, so the SVG is one image to a screen reader: role="img" and a label.
"""

import functools
import html
import re
import threading
from collections.abc import Callable, Hashable, Sequence
from xml.etree.ElementTree import Element  # nosec B405  # builds our own tree, parses nothing

import pygal  # type: ignore[import-untyped]  # pygal ships no py.typed marker
from cachetools import LRUCache, cached
from markupsafe import Markup
from pygal.style import Style  # type: ignore[import-untyped]

from .statistics import Count, Group, Statistics

FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif'
# Dark colours, each at least 4.5:1 against the white plot; the table beside a chart names its figures.
COLOURS = ("#1b5e20", "#283593", "#8a3c00", "#6a1b9a", "#00695c", "#4d4d4d", "#b00020", "#5d4037")
STYLE = Style(
    font_family=FONT,
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1a1a1a",
    foreground_strong="#1a1a1a",
    foreground_subtle="#757575",
    opacity=".9",
    opacity_hover="1",
    colors=COLOURS,
    label_font_size=12,
    major_label_font_size=12,
    value_font_size=12,
    legend_font_size=13,
    title_font_size=14,
)
CLASS = "pygal-chart"
WIDTH = 560
# Labels longer than this are cut with an ellipsis: the table beside the chart has them in full.
LABEL_CHARS = 14
CJK_EXTRA = 6  # pixels per character beyond pygal's estimate, at the 12 px label size


def _config(**options: object) -> dict[str, object]:
    return {
        "js": [],
        "style": STYLE,
        "disable_xml_declaration": True,
        "width": WIDTH,
        "truncate_label": LABEL_CHARS,
        "truncate_legend": LABEL_CHARS,
        "margin": 8,
        **options,
    }


def _accessible(label: str) -> Callable[[Element], Element]:
    """pygal's XML filter: what the CSP would refuse out, one accessible name in."""

    def strip(root: Element) -> Element:
        for parent in list(root.iter()):
            if not isinstance(parent.tag, str):
                continue  # a comment, removed from its parent below
            for child in list(parent):
                if not isinstance(child.tag, str) or child.tag.rsplit("}", 1)[-1] in ("style", "script"):
                    parent.remove(child)  # comments, and what the CSP refuses
            parent.attrib.pop("style", None)
            parent.attrib.pop("id", None)
            if parent.tag.rsplit("}", 1)[-1] == "title" and parent.text == "Pygal":
                parent.text = label
        root.set("role", "img")
        root.set("aria-label", label)
        return root

    return strip


def _render(chart: pygal.graph.graph.Graph, label: str) -> Markup:
    chart.add_xml_filter(_accessible(label))
    # The tree pygal built is escaped by ElementTree on serialising: labels are text nodes.
    return Markup(chart.render(is_unicode=True))  # nosec B704  # ElementTree-serialised SVG


def _figures(label: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]) -> Hashable:
    return label, tuple(categories), tuple((name, tuple(values)) for name, values in series)


# A chart is a function of its label and figures, so one drawn before with the same is used again:
# when the data changes, only the charts whose figures moved are drawn anew (pygal takes some 3 to
# 10 ms a chart; a page has a dozen). The statistics page keeps its own charts beside (cache.py).
CHARTS_KEPT = 256


@cached(LRUCache(maxsize=CHARTS_KEPT), key=_figures, lock=threading.Lock())
def bars(label: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]) -> Markup:
    """Horizontal bars, one row per category (top to bottom in the given order), one colour per
    series; values printed on single-series charts, a legend on the others."""
    single = len(series) == 1
    longest = min(LABEL_CHARS, max((len(c) for c in categories), default=0))
    chart = pygal.HorizontalBar(
        **_config(
            # pygal sizes the label column for Latin letters; a Chinese character is twice as wide.
            margin_left=8 + CJK_EXTRA * longest,
            height=max(160, 64 + len(categories) * (24 if single else 16 * len(series) + 8)),
            show_legend=not single,
            legend_at_bottom=True,
            print_values=single,
            print_values_position="top",
            show_x_guides=True,
            show_y_guides=False,
            value_formatter=lambda v: f"{v:.0f}",  # counts: never 1.2e+04
        )
    )
    # pygal draws the first label at the bottom: reversed, the chart reads like the table.
    chart.x_labels = list(reversed(categories))
    for name, values in series:
        chart.add(name, list(reversed(values)))
    return _render(chart, label)


@functools.cache
def stylesheet() -> str:
    """The rules pygal would inline in each chart, written once for every chart of the page."""
    chart = pygal.HorizontalBar(**_config(show_legend=True, print_values=True))
    chart.uuid = "reference"
    chart.x_labels = ["a"]
    for i in range(len(COLOURS)):
        chart.add(str(i), [i])
    svg = chart.render(is_unicode=True)
    found = re.search(r"<style[^>]*>(.*?)</style>", svg, re.S)
    css = found.group(1) if found else ""
    css = html.unescape(css).replace("#chart-reference", f".{CLASS}")
    # The tooltip needs pygal's script, which the page never runs: keep it out of sight.
    return f"{css}\n.{CLASS} .tooltip{{opacity:0}}\n"


UNIVERSITIES_SHOWN = 15


def _groups(label: str, groups: Sequence[Group], two: bool = True) -> list[Markup]:
    if not groups:
        return []
    keys = [g.key for g in groups]
    series = [("报名人次", [g.applications for g in groups])]
    if two:
        series.insert(0, ("招收人数", [g.headcount for g in groups]))
    return [bars(label, keys, series)]


def _counts(label: str, counts: Sequence[Count]) -> list[Markup]:
    if not counts:
        return []
    return [bars(label, [c.key for c in counts], [("报名数", [c.applications for c in counts])])]


def statistics_charts(stats: Statistics) -> dict[str, list[Markup]]:
    """The charts beside the tables, by table key. None beside the priority groups: a bar's length
    would give away the counts the table shows only as "<5"."""
    f, p, a, o = stats.funnel, stats.positions, stats.applicants, stats.outcome
    universities = a.by_university[:UNIVERSITIES_SHOWN]
    charts = {
        "funnel": [
            bars(
                "柱状图：到达各环节的报名数",
                [s.label for s in f.steps],
                [("到达人数", [s.reached for s in f.steps])],
            )
        ],
        "by-type": _groups("柱状图：各岗位类型的招收人数与报名人次", p.by_type),
        "by-track": _groups("柱状图：各岗位性质的招收人数与报名人次", p.by_track),
        "by-district": _groups("柱状图：各工作地点的报名人次", p.by_district, two=False),
        "by-category": _groups("柱状图：各单位类别的招收人数与报名人次", p.by_category),
        "by-university": _counts(f"柱状图：报名数最多的 {len(universities)} 所学校", universities),
        "by-degree": _counts("柱状图：各学历的报名数", a.by_degree),
        "by-major-group": _counts("柱状图：各学科门类的报名数", a.by_major_group),
        "outcome": [
            bars(
                "柱状图：见习完成情况",
                ["在岗", "按期完成", "提前结束"],
                [("人数", [o.on_site, o.completed, o.ended_early])],
            ),
            bars("柱状图：导师评价等级", list(o.grades), [("人数", list(o.grades.values()))]),
        ],
    }
    if p.most_wanted and p.most_wanted[0].applications:
        wanted = [w for w in p.most_wanted if w.applications]
        charts["most-wanted"] = [
            bars(
                "柱状图：报名最多的岗位",
                [w.title for w in wanted],
                [("报名人次", [w.applications for w in wanted])],
            )
        ]
    return charts

"""The office's statistics page (/staff/stats), the summary evaluation (/staff/reports/summary),
their workbooks, and the stylesheet of their charts.

The pages are GETs with their filters in the query string, so a view can be bookmarked and sent.
The workbooks are posted forms, like every export of the office (office/export_views.py): a download is
an action with a CSRF token and an audit entry (stats_export, report_summary), which a link another
site embeds cannot trigger. The priority-group figures are computed only for admins; every page
or workbook that shows them is logged as stats_view_sensitive, as a look at an application's
answers is (view_sensitive). A district account sees the statistics page and its workbook held
to its own district, never the priority groups.

The figures, their tables and charts are kept per process until the applications' data changes
(reports/cache.py), keyed by everything they are computed from: the report, its filters (a
district's units among them) and whether the priority groups are in. The audit entries are written
on every view, kept figures or not.
"""

import io
from dataclasses import dataclass, field, replace
from functools import cached_property

from flask import Blueprint, Response, current_app, render_template, request, send_file
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import Session

from site_builder.model.vocab import DISTRICTS, POSITION_TYPES

from ..accounts import audit
from ..accounts.auth import OFFICE, office_only, role_required
from ..accounts.services import DISTRICT_ROLES
from ..catalogue.positions import Positions, current_positions
from ..core import clock
from ..core.db import get_session
from ..core.downloads import XLSX_TYPE, Cell, write_xlsx
from . import charts, statistics
from .cache import cached
from .filters import Filters, parse_filters, years
from .statistics import Statistics
from .summary import Summary, summary, summary_tables
from .tables import Section, tables

bp = Blueprint("statistics", __name__, url_prefix="/staff")
FILTER_NOTE = (
    "年度筛选适用于全部统计。岗位类型和工作地点：按报名统计的表（报名环节、报名人员等）统计的是至少有一个"
    "志愿选了符合条件岗位的报名；岗位统计只列符合条件的岗位；见习完成情况统计的是录用在符合条件岗位的见习生。"
)


def _filters(values) -> tuple[Filters, list[str]]:
    """The filters asked for; a district account's are held to its own district."""
    filters, ignored = parse_filters(values, current_app.config["PROGRAMME_YEAR"])
    if current_user.role in DISTRICT_ROLES:
        district = current_user.district
        units = current_positions().catalogue.units.values()
        ours = frozenset(u.slug for u in units if u.unit.district == district)
        filters = replace(filters, district="", unit_district=district, units=ours)
    return filters, ignored


def _audit_sensitive(target: str, filters: Filters) -> None:
    audit.record(get_session(), current_user.username, "stats_view_sensitive", target, **filters.query())


def _workbook(sections: list[Section], about: list[tuple[str, str]]) -> bytes:
    """One sheet of explanations, then one sheet per table."""
    notes: list[list[Cell]] = [[title, text] for title, text in about]
    notes += [[t.title, t.note] for s in sections for t in s.tables if t.note]
    sheets = [("说明", ["项目", "内容"], notes)]
    sheets += [(t.sheet_title, t.headers, t.rows) for s in sections for t in s.tables]
    return write_xlsx(sheets)


def _download(data: bytes, name: str) -> Response:
    day = clock.today().strftime("%Y%m%d")
    return send_file(
        io.BytesIO(data), mimetype=XLSX_TYPE, as_attachment=True, download_name=f"{name}-{day}.xlsx"
    )


@dataclass
class Figures:
    """What a statistics page or workbook shows, as the cache keeps it: the figures, their tables,
    the year filter's choices and the workplaces of the catalogue; the charts drawn on first use
    (the workbook has none)."""

    stats: Statistics
    years: list[int]
    districts: list[str]
    sections: list[Section] = field(init=False)

    def __post_init__(self) -> None:
        self.sections = tables(self.stats)

    @cached_property
    def charts(self) -> dict[str, list[Markup]]:
        return charts.statistics_charts(self.stats)


def _figures(db: Session, positions: Positions, filters: Filters, sensitive: bool) -> Figures:
    """The statistics of these filters, computed once per change of the data (reports/cache.py)."""

    def compute() -> Figures:
        workplaces = {e.position.workplace.district for e in positions.by_id.values()}
        return Figures(
            statistics.gather(db, positions, filters, sensitive),
            years(db, current_app.config["PROGRAMME_YEAR"], filters.year),
            sorted(workplaces, key=list(DISTRICTS).index),
        )

    return cached(db, positions, ("statistics", filters, sensitive), compute)


@bp.get("/stats")
@role_required(*OFFICE, *DISTRICT_ROLES)
def stats_page():
    db = get_session()
    filters, ignored = _filters(request.args)
    sensitive = current_user.is_admin
    figures = _figures(db, current_positions(), filters, sensitive)
    if sensitive:
        _audit_sensitive("stats", filters)
        db.commit()
    # A district account is held to its own units already; a workplace filter would only narrow further.
    districts = [] if current_user.role in DISTRICT_ROLES else figures.districts
    return render_template(
        "staff/stats.html",
        filters=filters,
        ignored=ignored,
        sections=figures.sections,
        charts=figures.charts,
        years=figures.years,
        types=[(t, t) for t in POSITION_TYPES],
        districts=[(d, d) for d in districts],
        filter_note=FILTER_NOTE,
    )


@bp.post("/stats.xlsx")
@role_required(*OFFICE, *DISTRICT_ROLES)
def stats_workbook():
    db = get_session()
    filters, ignored = _filters(request.form)
    sensitive = current_user.is_admin
    sections = _figures(db, current_positions(), filters, sensitive).sections
    about = [("统计范围", filters.describe()), ("筛选说明", FILTER_NOTE), *(("已忽略", i) for i in ignored)]
    data = _workbook(sections, about)
    audit.record(db, current_user.username, "stats_export", "stats", sensitive=sensitive, **filters.query())
    if sensitive:
        _audit_sensitive("stats.xlsx", filters)
    db.commit()
    return _download(data, f"见习计划统计-{filters.describe().replace('，', '-').replace(' ', '')}")


@bp.get("/charts.css")
@role_required(*OFFICE, *DISTRICT_ROLES)
def chart_stylesheet():
    """The charts' rules, served from 'self' because the policy refuses inline styles."""
    return Response(charts.stylesheet(), mimetype="text/css")


@dataclass
class SummaryFigures:
    """The summary evaluation as the cache keeps it (see Figures)."""

    report: Summary
    years: list[int]
    sections: list[Section] = field(init=False)

    def __post_init__(self) -> None:
        self.sections = summary_tables(self.report)

    @cached_property
    def charts(self) -> dict[str, list[Markup]]:
        return charts.statistics_charts(self.report.stats)


def _summary(year: int) -> tuple[Session, SummaryFigures, bool]:
    db, positions = get_session(), current_positions()
    sensitive = current_user.is_admin

    def compute() -> SummaryFigures:
        report = summary(db, positions, year, sensitive)
        return SummaryFigures(report, years(db, current_app.config["PROGRAMME_YEAR"], year))

    return db, cached(db, positions, ("summary", year, sensitive), compute), sensitive


@bp.get("/reports/summary")
@office_only
def summary_report():
    filters, ignored = _filters({"year": request.args.get("year", "")})
    db, figures, sensitive = _summary(filters.year)
    if sensitive:
        _audit_sensitive("summary", filters)
        db.commit()
    return render_template(
        "staff/summary.html",
        filters=filters,
        ignored=ignored,
        report=figures.report,
        sections=figures.sections,
        charts=figures.charts,
        years=figures.years,
        today=clock.today(),
    )


@bp.post("/reports/summary.xlsx")
@office_only
def summary_workbook():
    filters, ignored = _filters({"year": request.form.get("year", "")})
    db, figures, sensitive = _summary(filters.year)
    about = [("总结评估", f"{filters.year} 年度重庆市大学生科技见习计划"), *(("已忽略", i) for i in ignored)]
    data = _workbook(figures.sections, about)
    audit.record(
        db,
        current_user.username,
        "report_summary",
        f"summary:{filters.year}",
        sensitive=sensitive,
        **filters.query(),
    )
    if sensitive:
        _audit_sensitive("summary.xlsx", filters)
    db.commit()
    return _download(data, f"见习计划总结评估-{filters.year}年度")

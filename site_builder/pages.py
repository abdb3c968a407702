"""Render the generated catalogue pages as Markdown files with raw, autoescaped HTML bodies.

Everything that came from YAML passes through Jinja's autoescaping inside raw HTML blocks, which
Python-Markdown leaves alone, so no Markdown or HTML in a field can take effect. Front matter is
written with yaml.safe_dump; its title is pre-escaped because Material prints it unescaped.
Pages are plain files, so the build needs no MkDocs plugin API.
"""

import datetime as dt
import json
import re
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlencode

import yaml
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from .model.catalogue import Catalogue, PositionEntry, UnitEntry
from .model.pinyin import place_pinyin
from .model.showcase import DESTINATIONS
from .model.vocab import (
    DISTRICTS,
    EDUCATION_LEVELS,
    POSITION_TYPES,
    TAG_GROUPS,
    TAGS,
    TRACK_SUMMARIES,
    TRACKS,
    TYPE_SUMMARIES,
    UNIT_CATEGORIES,
)
from .model.window import closes_text, collection_closes, collection_sentence
from .qr import QrCodes, in_memory

SHOWCASE_PAGE = "showcase/index.md"
STATE_LABELS = {"open": "招募中", "expired": "已截止", "closed": "已关闭", "filled": "已招满"}
# A unit's standing as 就业见习单位 (hr_approval.status), as the search filter names it: a unit still
# 认定中 may publish, but may not offer a place until its district's HR bureau confirms it.
UNIT_STANDING = {"approved": "已认定", "pending": "见习单位认定中"}
SIMILAR_LIMIT = 6


@dataclass(frozen=True)
class GeneratedPage:
    """A page's path in the docs folder, its front matter and how to render its finished HTML body.

    The body is rendered each time it is asked for, not kept: a build holds every page's front
    matter from the start (MkDocs reads them all first) but renders the bodies one at a time.
    """

    path: str
    front: str
    render: Callable[[], str]

    @property
    def body(self) -> str:
        return self.render()


@dataclass(frozen=True)
class Site:
    """What the pages need to know about where they are published, and, from the worker that
    builds them, the places already held at each position (for 剩余名额; None when built from
    the files alone, as `jianxi build` does)."""

    site_url: str
    worker_url: str
    today: dt.date
    places_held: Mapping[str, int] | None = None
    # The collection's last day (COLLECTION_CLOSES), which the written pages name.
    collection_closes: dt.date = field(default_factory=collection_closes)

    def settings(self) -> dict[str, str]:
        """What `{{ name }}` in the written pages (content/*.md) stands for: see fill_settings."""
        return {
            "collection_closes": closes_text(self.collection_closes),
            "collection_window": collection_sentence(self.today, self.collection_closes),
        }

    def places_left(self, entry: PositionEntry) -> int | None:
        """Places still free at an open position, or None when the build does not know."""
        if self.places_held is None:
            return None
        return max(0, entry.position.headcount - self.places_held.get(entry.id, 0))


SETTING = re.compile(r"\{\{ (\w+) \}\}")


def fill_settings(markdown: str, settings: Mapping[str, str], name: str = "") -> str:
    """A written page with each `{{ name }}` replaced by its setting's text (Site.settings), so the
    guide names the configured deadline; an unknown name stops the build, naming the page."""

    def value(match: re.Match[str]) -> str:
        if match[1] not in settings:
            raise ValueError(f"{name}: unknown setting {{{{ {match[1]} }}}}; known: {', '.join(settings)}")
        return settings[match[1]]

    return SETTING.sub(value, markdown)


def page_url(path: str) -> str:
    """The directory URL MkDocs gives a Markdown file: units/a.md -> units/a/, index.md -> ''."""
    stem = path.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        stem = stem.removesuffix("index")
        return stem
    return stem + "/"


def relative_path(target: str, start: str) -> str:
    """posixpath.relpath for paths inside the site (relative, no `.` or `..` parts; "" is the
    root), by their parts alone: relpath makes both absolute first, a getcwd call each, and a
    build asks this 100,000 times."""
    to, here = target.strip("/").split("/"), start.strip("/").split("/")
    to, here = [part for part in to if part], [part for part in here if part]
    common = 0
    while common < min(len(to), len(here)) and to[common] == here[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + to[common:]) or "."


def relative_link(source: str, target: str) -> str:
    """A link from one generated page to another that works under any site prefix."""
    link = relative_path(page_url(target), page_url(source))
    return "./" if link == "." else link + "/"


def position_page(entry: PositionEntry) -> str:
    return f"positions/{entry.id}.md"


def unit_page(slug: str) -> str:
    return f"units/{slug}.md"


def listing_page(kind: str, value: str) -> str:
    slugs = {"types": POSITION_TYPES, "tracks": TRACKS, "districts": DISTRICTS, "tags": TAGS}
    return f"{kind}/{slugs[kind][value]}.md"


def _paragraphs(text: str) -> Markup:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return Markup("").join(Markup("<p>{}</p>").format(line) for line in lines)


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("site_builder", "templates"),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a build's templates do not change under it: no stat per page
    )
    env.filters["paragraphs"] = _paragraphs
    env.globals.update(
        STATE_LABELS=STATE_LABELS,
        EDUCATION_LEVELS=EDUCATION_LEVELS,
        TYPE_SUMMARIES=TYPE_SUMMARIES,
        TRACK_SUMMARIES=TRACK_SUMMARIES,
        POSITION_TYPES=POSITION_TYPES,
        TRACKS=TRACKS,
        DISTRICTS=DISTRICTS,
        TAG_GROUPS=TAG_GROUPS,
        UNIT_CATEGORIES=UNIT_CATEGORIES,
        listing_page=listing_page,
        unit_page=unit_page,
        position_page=position_page,
        place_pinyin=place_pinyin,
    )
    return env


def _front_matter(title: str, description: str, **extra: object) -> str:
    meta = {"title": str(escape(title)), "description": str(escape(description)), **extra}
    text = yaml.dump(meta, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
    return "---\n" + text + "---\n\n"


def _json_script(data: object) -> str:
    """JSON that cannot close its <script> element whatever the text inside it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _summary(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def job_posting(entry: PositionEntry, unit: UnitEntry, url: str) -> dict:
    """The schema.org JobPosting of a position, for search engines and WeChat link cards."""
    p, u = entry.position, unit.unit
    organization: dict = {"@type": "Organization", "name": u.name}
    if u.website:
        organization["sameAs"] = u.website
    return {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": p.title,
        "description": f"{p.duties}\n{p.learning}",
        "datePosted": p.published.isoformat(),
        "validThrough": f"{p.deadline.isoformat()}T23:59:59+08:00",
        "employmentType": "INTERN",
        "url": url,
        "identifier": {"@type": "PropertyValue", "name": u.name, "value": entry.id},
        "hiringOrganization": organization,
        "jobLocation": {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "streetAddress": p.workplace.address,
                "addressLocality": p.workplace.district,
                "addressRegion": "重庆市",
                "addressCountry": "CN",
            },
        },
        "baseSalary": {
            "@type": "MonetaryAmount",
            "currency": "CNY",
            "value": {"@type": "QuantitativeValue", "value": p.allowance, "unitText": "MONTH"},
        },
        "educationRequirements": p.education,
        "totalJobOpenings": p.headcount,
    }


def _sort_key(site: Site) -> Callable[[PositionEntry], tuple]:
    """Open positions first by nearest deadline; closed, filled and expired ones after them."""
    order = {"open": 0, "expired": 1, "filled": 2, "closed": 3}

    def key(entry: PositionEntry) -> tuple:
        p = entry.position
        return (order[p.state(site.today)], p.deadline, entry.id)

    return key


# Positions on one page of a type, track, district or tag listing.
LISTING_PAGE = 50
# A word every search record holds (site_builder.search): the search page asks for it when only
# filters are chosen, because Pagefind answers a search without words by loading every index chunk
# (1.7 MB at 5,000 positions) where this word needs one.
EVERY = "jxall"
# The home page's board: how many positions each list shows, and what "closing soon" means.
BOARD_SIZE = 8
CLOSING_DAYS = 7


def listing_chunks(path: str, entries: list[PositionEntry]) -> tuple[list[list[PositionEntry]], list[str]]:
    """A listing's positions by page, and each page's path (page 1 at path, page n at …/page-n)."""
    chunks = [entries[i : i + LISTING_PAGE] for i in range(0, len(entries), LISTING_PAGE)] or [[]]
    paths = [path] + [f"{path.removesuffix('.md')}/page-{n}.md" for n in range(2, len(chunks) + 1)]
    return chunks, paths


@dataclass(frozen=True)
class Pager:
    """Where a listing page stands among its pages (each page's docs path), and the listing's counts."""

    number: int
    pages: int
    paths: list[str]
    total: int
    open: int

    def path(self, number: int) -> str:
        return self.paths[number - 1]

    def window(self, around: int = 2) -> list[int | None]:
        """The page numbers the pager links: the first, the last and `around` either side of this
        one, None where pages are skipped (a hundred links would outweigh the list on a phone)."""
        shown = {1, self.pages, *range(self.number - around, self.number + around + 1)}
        numbers: list[int | None] = []
        for n in sorted(n for n in shown if 1 <= n <= self.pages):
            if numbers and n - (numbers[-1] or 0) > 1:
                numbers.append(None)
            numbers.append(n)
        return numbers


class PageRenderer:
    """Renders every generated page of a validated catalogue.

    Everything a page needs from other positions (states, groups, similar positions) is indexed
    once here, so rendering stays linear in the number of positions.
    """

    def __init__(self, catalogue: Catalogue, site: Site, codes: QrCodes | None = None) -> None:
        """codes: a build's QR codes, every page's and poster's prepared here (kept ones read,
        the others encoded on every core); None for a live update (site_builder.live), which
        renders a few pages and encodes only theirs, in this process's codes."""
        self.catalogue = catalogue
        self.site = site
        self.codes = codes or in_memory
        self.env = _environment()
        self.positions = sorted(catalogue.positions, key=_sort_key(site))
        self.states = {e.id: e.position.state(site.today) for e in self.positions}
        self.by_unit: dict[str, list[PositionEntry]] = {slug: [] for slug in catalogue.units}
        self.groups: dict[str, dict[str, list[PositionEntry]]] = {
            "types": {v: [] for v in POSITION_TYPES},
            "tracks": {v: [] for v in TRACKS},
            "districts": {},
            "tags": {},
        }
        for e in self.positions:
            p = e.position
            self.by_unit[e.unit_slug].append(e)
            self.groups["types"][p.type].append(e)
            self.groups["tracks"][p.track].append(e)
            self.groups["districts"].setdefault(p.workplace.district, []).append(e)
            for tag in p.tags:
                self.groups["tags"].setdefault(tag, []).append(e)
        self._rank = {e.id: i for i, e in enumerate(self.positions)}
        if codes is not None:
            pages = [position_page(e) for e in self.positions] + [unit_page(s) for s in catalogue.units]
            codes.prepare(self.page_address(page) for page in pages)

    def _render(self, template: str, path: str, front: str, **context: object) -> GeneratedPage:
        return GeneratedPage(path, front, partial(self._body, template, path, **context))

    def _body(self, template: str, path: str, **context: object) -> str:
        return self.env.get_template(template).render(
            link=lambda target: relative_link(path, target),
            asset=lambda target: relative_path(target, page_url(path)),
            today=self.site.today,
            **context,
        )

    def page_address(self, page: str) -> str:
        """The absolute address of a generated page (what a QR code holds)."""
        return self.site.site_url.rstrip("/") + "/" + page_url(page)

    def state(self, entry: PositionEntry) -> str:
        return self.states[entry.id]

    def count_open(self, entries: Iterable[PositionEntry]) -> int:
        return sum(1 for e in entries if self.states[e.id] == "open")

    def apply_url(self, entry: PositionEntry) -> str:
        return f"{self.site.worker_url.rstrip('/')}/apply?{urlencode({'position': entry.id})}"

    def feedback_url(self, entry: PositionEntry) -> str:
        """The worker's form to report a problem with the position (form_worker.feedback); like
        the apply link, it depends only on the position and the worker's address."""
        return f"{self.site.worker_url.rstrip('/')}/feedback/{entry.id}"

    def similar(self, entry: PositionEntry) -> list[PositionEntry]:
        """Open positions of the same type or district, in catalogue order."""
        p = entry.position
        candidates: dict[str, PositionEntry] = {}
        for group in (self.groups["types"][p.type], self.groups["districts"][p.workplace.district]):
            found = 0
            for other in group:
                if self.states[other.id] != "open":
                    break
                if other.id != entry.id:
                    candidates[other.id] = other
                    found += 1
                    if found == SIMILAR_LIMIT:
                        break
        return sorted(candidates.values(), key=lambda e: self._rank[e.id])[:SIMILAR_LIMIT]

    def position(self, entry: PositionEntry) -> GeneratedPage:
        path = position_page(entry)
        unit = self.catalogue.units[entry.unit_slug]
        p = entry.position
        front = _front_matter(
            f"{p.title} - {unit.unit.name}",
            _summary(p.duties),
            jsonld=_json_script(job_posting(entry, unit, self.page_address(path))),
            og_type="article",
        )
        return GeneratedPage(path, front, partial(self._position_body, entry))

    def _position_body(self, entry: PositionEntry) -> str:
        path = position_page(entry)
        p = entry.position
        return self._body(
            "position.html",
            path,
            entry=entry,
            p=p,
            unit=self.catalogue.units[entry.unit_slug],
            state=self.state(entry),
            places_left=self.site.places_left(entry),
            apply_url=self.apply_url(entry),
            feedback_url=self.feedback_url(entry),
            similar=self.similar(entry),
            state_of=self.state,
            qr=self.codes.svg(self.page_address(path), f"扫码在手机上查看：{p.title}"),
        )

    def listings(
        self,
        path: str,
        title: str,
        intro: str,
        entries: list[PositionEntry],
        search: bool = False,
        only: Container[str] | None = None,
    ) -> Iterator[GeneratedPage]:
        """A listing in pages of LISTING_PAGE positions (page 1 at path, page n at …/page-n), so it
        stays small at any size and every page works without JavaScript.

        search: the all-positions listing, whose pages carry the search form over the Pagefind
        index (site_builder.search) above the plain list. only: the paths wanted, None for all.
        """
        chunks, paths = listing_chunks(path, entries)
        open_count = self.count_open(entries)
        for number, (chunk, here) in enumerate(zip(chunks, paths, strict=True), start=1):
            if only is not None and here not in only:
                continue
            pager = Pager(number, len(chunks), paths, len(entries), open_count)
            heading = title if number == 1 else f"{title}（第 {number} 页）"
            # Totals only on page 1: a new position then rewrites the pages it lands on, not all.
            summary = f"共 {pager.total} 个岗位，其中 {pager.open} 个正在招募。" if number == 1 else intro
            front = _front_matter(heading, f"{title}：{summary}")
            yield self._render(
                "listing.html",
                here,
                front,
                title=heading,
                intro=intro,
                entries=chunk,
                pager=pager,
                units=self.catalogue.units,
                state_of=self.state,
                search=search,
                filter_values=self.filter_values() if search else {},
                every_word=EVERY,
            )

    def filter_values(self) -> dict[str, list[str]]:
        """The search form's choices: every value of each filter, in the vocabularies' order."""
        return {
            "type": list(POSITION_TYPES),
            "track": list(TRACKS),
            "district": [v for v in DISTRICTS if v in self.groups["districts"]],
            "kind": list(UNIT_CATEGORIES),
            "degree": list(EDUCATION_LEVELS),
            "state": list(STATE_LABELS.values()),
            "standing": list(UNIT_STANDING.values()),
        }

    def unit(self, slug: str) -> GeneratedPage:
        path = unit_page(slug)
        unit = self.catalogue.units[slug]
        front = _front_matter(unit.unit.name, f"{unit.unit.name}提供的见习岗位")
        return self._render(
            "unit.html", path, front, unit=unit, u=unit.unit, entries=self.by_unit[slug], state_of=self.state
        )

    def units_index(self) -> GeneratedPage:
        path = "units/index.md"
        units = sorted(self.catalogue.units.values(), key=lambda u: (u.unit.category, u.slug))
        counts = {slug: self.count_open(entries) for slug, entries in self.by_unit.items()}
        front = _front_matter("设岗单位", "参与重庆市大学生科技见习计划的设岗单位")
        return self._render("units.html", path, front, units=units, open_counts=counts)

    def home_board(self) -> str:
        """The job board above the home page's text: counts, the newest open positions, those
        closing within CLOSING_DAYS, and the ways in by type and district (open counts)."""
        open_entries = [e for e in self.positions if self.states[e.id] == "open"]
        soon = self.site.today + dt.timedelta(days=CLOSING_DAYS)
        by = {
            kind: sorted(
                ((value, self.count_open(entries)) for value, entries in self.groups[kind].items()),
                key=lambda item: (-item[1], item[0]),
            )
            for kind in ("types", "districts")
        }
        return self._render(
            "home.html",
            "index.md",
            "",
            open_count=len(open_entries),
            unit_count=len(self.catalogue.units),
            district_count=len(self.groups["districts"]),
            newest=sorted(open_entries, key=lambda e: (e.position.published, e.id), reverse=True)[
                :BOARD_SIZE
            ],
            closing=sorted(
                (e for e in open_entries if e.position.deadline <= soon), key=lambda e: e.position.deadline
            )[:BOARD_SIZE],
            types=[(v, n) for v, n in by["types"] if n],
            districts=[(v, n) for v, n in by["districts"] if n],
            units=self.catalogue.units,
        ).body

    def browse(self) -> GeneratedPage:
        path = "browse.md"
        front = _front_matter("分类浏览", "按岗位类型、岗位性质、区县和产业领域浏览见习岗位")
        return self._render("browse.html", path, front, groups=self.groups, count_open=self.count_open)

    def showcase(self) -> GeneratedPage:
        """成果展示: the typical cases and each year's figures (site_builder.model.showcase)."""
        shown = self.catalogue.showcase
        front = _front_matter("成果展示", "重庆市大学生科技见习计划的典型案例和年度数据")
        years = [
            (y, shown.figures.get(y), [c.case for c in shown.cases if c.case.year == y])
            for y in shown.years()
        ]
        return self._render("showcase.html", SHOWCASE_PAGE, front, years=years, DESTINATIONS=DESTINATIONS)

    def pages(self, only: Container[str] | None = None) -> Iterator[GeneratedPage]:
        """Every generated page with its path inside the docs folder, one at a time; only: the
        paths wanted (a live update's), None for every page."""
        for entry in self.positions:
            if only is None or position_page(entry) in only:
                yield self.position(entry)
        for slug in self.catalogue.units:
            if only is None or unit_page(slug) in only:
                yield self.unit(slug)
        if only is None or "units/index.md" in only:
            yield self.units_index()
        for listing in self.listing_specs():
            yield from self.listings(*listing, only=only)
        if only is None or "browse.md" in only:
            yield self.browse()
        if only is None or SHOWCASE_PAGE in only:
            yield self.showcase()

    def listing_specs(self) -> Iterator[tuple[str, str, str, list[PositionEntry], bool]]:
        """(path, title, intro, entries, search) of every listing: all positions, then each type,
        track, district and tag."""
        yield (
            "positions/index.md",
            "全部岗位",
            "正在招募的岗位排在前面，已截止、已关闭和已招满的岗位列在后面。",
            self.positions,
            True,
        )
        intros = {
            "types": lambda v: f"{v}：{TYPE_SUMMARIES[v]}",
            "tracks": lambda v: f"{v}岗位{TRACK_SUMMARIES[v]}",
            "districts": lambda v: f"工作地点在{v}的见习岗位。",
            "tags": lambda v: f"与“{v}”领域相关的见习岗位。",
        }
        for kind, values in self.groups.items():
            for value, entries in values.items():
                title = f"{value}岗位" if kind != "districts" else f"{value}的岗位"
                yield listing_page(kind, value), title, intros[kind](value), entries, False

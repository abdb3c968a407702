"""The catalogue's search index: Pagefind records written straight from the validated catalogue.

Pagefind splits the index into chunks, so a phone downloads only the chunks a query touches
instead of one whole-site index. Records come from the catalogue rather than from the built HTML:
no page is parsed twice, the filters are the catalogue's own fields (choosing 渝中区 returns only
渝中区 positions), and each record carries the pinyin of its title, unit, district and type, so
`kepu` finds 科普助理 and `yz` finds 渝中区. The search page renders results from the records' meta, so
the pinyin is never shown.
"""

import gzip
import json
import os
import shutil
import subprocess  # nosec B404  # runs the Pagefind binary with a fixed argument list
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import escape
from pagefind.service import get_executable

from .model.catalogue import PositionEntry
from .model.pinyin import pinyin_words
from .model.vocab import EDUCATION_LEVELS
from .pages import EVERY, STATE_LABELS, UNIT_STANDING, PageRenderer, page_url, position_page

# Where the bundle goes inside the site; the search page loads {base}/pagefind/pagefind.js.
BUNDLE = "pagefind"
# A live update's small extra bundle, and the file that tells the search page about it: the bundle
# to merge (Pagefind's mergeIndex) and the main index's records it replaces (changed or removed
# positions), by Pagefind's page id. A full build writes the file with neither.
LIVE_BUNDLE = "pagefind-live"
LIVE_MANIFEST = "search-live.json"
# The filters' names as the search page shows them, each with the record's values.
FILTERS = ("类型", "性质", "区县", "单位类别", "学历", "状态", "单位认定")


@dataclass(frozen=True)
class Record:
    """One position as Pagefind indexes it."""

    url: str
    content: str
    meta: dict[str, str]
    filters: dict[str, list[str]]
    sort: dict[str, str] = field(default_factory=dict)


def degrees_accepted(minimum: str) -> list[str]:
    """The degrees a position takes: its minimum and every higher one, so the filter 我的学历
    = 本科 finds every position open to a 本科 graduate."""
    levels = list(EDUCATION_LEVELS)
    return levels[levels.index(minimum) :]


def position_record(renderer: PageRenderer, entry: PositionEntry) -> Record:
    p = entry.position
    unit = renderer.catalogue.units[entry.unit_slug].unit
    state = renderer.state(entry)
    words = " ".join(pinyin_words(f"{p.title} {unit.name} {p.workplace.district} {p.type}"))
    text = " ".join(
        [p.title, unit.name, p.workplace.district, p.type, p.track, *p.majors, *p.tags, p.duties, p.learning]
    )
    return Record(
        url=page_url(position_page(entry)),
        content=f"{text} {words} {EVERY}",
        meta={
            "title": p.title,
            "unit": unit.name,
            "district": p.workplace.district,
            "track": p.track,
            "allowance": str(p.allowance),
            "deadline": p.deadline.isoformat(),
            "state": state,
            "sample": "1" if p.sample else "",
            "pending": "1" if unit.hr_approval.status == "pending" else "",
        },
        filters=dict(
            zip(
                FILTERS,
                (
                    [p.type],
                    [p.track],
                    [p.workplace.district],
                    [unit.category],
                    degrees_accepted(p.education),
                    [STATE_LABELS[state]],
                    [UNIT_STANDING[unit.hr_approval.status]],
                ),
                strict=True,
            )
        ),
        sort={"deadline": p.deadline.isoformat(), "published": p.published.isoformat()},
    )


def records(renderer: PageRenderer) -> Iterator[Record]:
    """Every position's record, in the catalogue's order (open ones first, nearest deadline)."""
    for entry in renderer.positions:
        yield position_record(renderer, entry)


def document(record: Record) -> str:
    """The record as the small HTML page Pagefind's command line indexes (meta and filters as
    elements, so no value needs quoting inside an attribute's `name:value`); every value escaped
    (plain f-strings over markupsafe's escape: Markup.format cost a build a second)."""
    meta = "".join(
        f'<span data-pagefind-meta="{escape(k)}">{escape(v)}</span>'
        for k, v in record.meta.items()
        if k != "title"
    )
    filters = "".join(
        f'<span data-pagefind-filter="{escape(k)}">{escape(v)}</span>'
        for k, values in record.filters.items()
        for v in values
    )
    title = escape(record.meta["title"])
    deadline, published = escape(record.sort["deadline"]), escape(record.sort["published"])
    return (
        f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{title}</title></head>'
        f'<body data-pagefind-body><h1 data-pagefind-meta="title">{title}</h1><p>{escape(record.content)}</p>'
        f"<div data-pagefind-ignore>{meta}{filters}</div>"
        f'<span data-pagefind-sort="deadline:{deadline}" data-pagefind-sort-published="{published}"></span>'
        "</body></html>"
    )


# Linux's memory-backed file system: the records' documents are staged there when it has room,
# because on disk, writing and removing 5,000 small files cost seconds of system time (about as
# much as Pagefind's own indexing). Pagefind's Python API takes records without files, but its
# service spent half as much CPU again as the command line on the same records (README, "How the
# catalogue is built").
MEMORY = Path("/dev/shm")  # nosec B108  # only as the parent of a private mkdtemp folder
ROOM = 16 * 1024  # per document: a tmpfs file takes a page at least, and each has its own folder


def _documents_folder(count: int) -> Path | None:
    """Where count documents are staged: in memory when there is room, else in the usual place."""
    try:
        return MEMORY if shutil.disk_usage(MEMORY).free > 2 * ROOM * count else None
    except OSError:  # no such file system here
        return None


@contextmanager
def _documents(found: list[Record]) -> Iterator[Path]:
    """A temporary folder of found as the pages Pagefind's command line indexes."""
    with tempfile.TemporaryDirectory(prefix="jianxi-search-", dir=_documents_folder(len(found))) as folder:
        for record in found:
            target = Path(folder, record.url, "index.html")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(document(record), encoding="utf-8")
        yield Path(folder)


def _pagefind(documents: Path, bundle: Path) -> list[str]:
    return [str(get_executable()), "--site", str(documents), "--output-path", str(bundle), "--silent"]


@contextmanager
def index_alongside(renderer: PageRenderer, out: Path) -> Iterator[int]:
    """Start Pagefind on every position's record, let the caller go on (MkDocs builds the pages
    meanwhile, on the other core), then wait for it and put the bundle at out/pagefind.

    The bundle is moved in only at the end because MkDocs empties its site folder when it starts;
    it is written beside out, so the move is a rename. Yields the number of records.
    """
    found = list(records(renderer))
    out.parent.mkdir(parents=True, exist_ok=True)
    with (
        _documents(found) as documents,
        tempfile.TemporaryDirectory(prefix=f".{out.name}-search-", dir=out.parent) as staging,
    ):
        bundle = Path(staging, BUNDLE)
        command = _pagefind(documents, bundle)
        process = subprocess.Popen(command)  # nosec B603  # our binary, our temporary folders
        try:
            yield len(found)
        except BaseException:
            process.kill()
            process.wait()
            raise
        if process.wait() != 0:
            raise subprocess.CalledProcessError(process.returncode, command)
        shutil.rmtree(out / BUNDLE, ignore_errors=True)
        os.rename(bundle, out / BUNDLE)


def write_index(renderer: PageRenderer, out: Path) -> int:
    """Write the Pagefind bundle into out/pagefind; return the number of records."""
    with index_alongside(renderer, out) as count:
        return count


def live_manifest(bundle: bool, replaced: Iterable[str] = ()) -> str:
    """The search page's note of a live bundle to merge and the main records it replaces."""
    data = {"bundle": f"{LIVE_BUNDLE}/" if bundle else None, "replaced": sorted(replaced)}
    return json.dumps(data, separators=(",", ":")) + "\n"


def page_ids(bundle: Path) -> dict[str, str]:
    """Each indexed page's URL (as records give it, without the leading slash) and its Pagefind
    page id, which the search page's results carry: read from the bundle's fragments."""
    ids = {}
    for fragment in (bundle / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd")
        ids[json.loads(data)["url"].lstrip("/")] = fragment.stem
    return ids


def write_live_index(found: list[Record], replaced: Iterable[str], out: Path) -> None:
    """The live bundle of found at out/LIVE_BUNDLE (none when found is empty) and its manifest."""
    if found:
        with _documents(found) as documents:
            subprocess.run(_pagefind(documents, out / LIVE_BUNDLE), check=True)  # nosec B603
    (out / LIVE_MANIFEST).write_text(live_manifest(bool(found), replaced), encoding="utf-8")

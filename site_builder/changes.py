"""What each generated file shows, as a value compared between two states of the catalogue.

A live update (site_builder.live) renders only the files whose key differs between the state the
site was built from and the new one. A key holds everything its template reads, and nothing more,
so a key that did not change means a file that would come out byte for byte the same: a position's
page shows its unit, its state, its places left and its similar positions; a listing page shows its
positions and where it stands among its pages (the totals on page 1 only). The home page, the units
index and the browse page are cheap, so they are always rendered; the showcase page (成果展示)
shows the showcase files alone. The property test behind this
(tests/site_builder/test_live.py) compares every file a live update writes with a full build's.
"""

from .model.catalogue import PositionEntry, UnitEntry
from .pages import SHOWCASE_PAGE, PageRenderer, listing_chunks, position_page, unit_page
from .posters import poster_path


class _Nothing:
    """Equal to nothing, itself included: the key of a page rendered on every update (home, units
    index, browse: they show counts over the whole catalogue and are cheap), and of a missing one."""

    def __eq__(self, other: object) -> bool:
        return False

    __hash__ = None  # type: ignore[assignment]


NOTHING = _Nothing()

View = tuple[PositionEntry, UnitEntry, str]


def view(renderer: PageRenderer, entry: PositionEntry) -> View:
    """A position as a listing, a poster or a search record shows it: itself, its unit, its state."""
    return entry, renderer.catalogue.units[entry.unit_slug], renderer.state(entry)


def page_keys(renderer: PageRenderer) -> dict[str, object]:
    """Every generated page and poster (its path in the docs folder) with what it shows, in the
    order a full build generates the pages (MkDocs' sitemap lists them in that order)."""
    keys: dict[str, object] = {"index.md": NOTHING}
    views = {entry.id: view(renderer, entry) for entry in renderer.positions}
    for entry in renderer.positions:
        shown = views[entry.id]
        similar = tuple(views[other.id] for other in renderer.similar(entry))
        keys[position_page(entry)] = (shown, renderer.site.places_left(entry), similar)
        keys[poster_path(position_page(entry))] = shown
    for slug, unit in renderer.catalogue.units.items():
        key = (unit, tuple(views[entry.id] for entry in renderer.by_unit[slug]))
        keys[unit_page(slug)] = key
        keys[poster_path(unit_page(slug))] = key
    keys["units/index.md"] = NOTHING
    for path, title, intro, entries, search in renderer.listing_specs():
        chunks, paths = listing_chunks(path, entries)
        totals = (len(entries), renderer.count_open(entries))
        filters = tuple(map(tuple, renderer.filter_values().values())) if search else ()
        for number, (chunk, here) in enumerate(zip(chunks, paths, strict=True), start=1):
            shown_chunk = tuple(views[entry.id] for entry in chunk)
            first = totals if number == 1 else ()
            keys[here] = (title, intro, number, len(chunks), first, filters, shown_chunk)
    keys["browse.md"] = NOTHING
    keys[SHOWCASE_PAGE] = renderer.catalogue.showcase.key()
    return keys


def record_keys(renderer: PageRenderer) -> dict[str, View]:
    """Every position's search record (by position id) as what it is made from."""
    return {entry.id: view(renderer, entry) for entry in renderer.positions}

"""Pages of a query for the staff lists, with links that keep the list's filters."""

from dataclasses import dataclass
from typing import Any

from flask import request, url_for
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

PAGE_SIZE = 50


@dataclass(frozen=True)
class Page:
    items: list
    number: int
    total: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    def url(self, number: int) -> str:
        """This list's URL with the same filters, at another page."""
        # Set for every request routed to a view; the assert narrows the type for mypy.
        assert request.endpoint is not None  # nosec B101
        return url_for(request.endpoint, **(request.view_args or {}), **query_args(page=str(number)))


def query_args(**changed: str) -> dict[str, Any]:
    """The request's query string as url_for arguments, without names url_for keeps for itself
    (`endpoint`, `_external` …) or the view's own: a crafted ?endpoint=x must not break the page."""
    reserved = set(request.view_args or {}) | {"endpoint", "values"}
    args = {k: v for k, v in request.args.items() if k not in reserved and not k.startswith("_")}
    return args | changed


def page_number() -> int:
    value = request.args.get("page", "1")
    return max(1, int(value)) if value.isdigit() else 1


def paginate(session: Session, query: Select, size: int = PAGE_SIZE) -> Page:
    """One page of query's rows (scalars), numbered from the request's ?page=."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    number = min(page_number(), max(1, -(-total // size)))
    items = list(session.scalars(query.limit(size).offset((number - 1) * size)))
    return Page(items, number, total, size)

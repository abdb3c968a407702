"""The catalogue's search box, driven as a visitor types into it."""

import re

from playwright.sync_api import Page, expect


def search(page: Page, query: str = "", **filters: str) -> list[dict[str, str]]:
    """Search the way a phone user does on the all-positions page (typing, then choosing filters by
    their labels) and return every result shown, loading more until all are."""
    form = page.locator("#jx-search")
    expect(form).to_be_visible()
    status = form.locator(".jx-filters__result")
    if query:
        form.get_by_label("关键词").press_sequentially(query)
    for label, value in filters.items():
        form.get_by_label(label).select_option(value)
    form.get_by_role("button", name="搜索").click()
    expect(status).to_have_text(re.compile("找到|没有找到"))
    more = page.locator(".jx-results__more")
    items = page.locator("#jx-results li")
    while more.is_visible():
        shown = items.count()
        more.click()
        expect(items).not_to_have_count(shown)
    return items.evaluate_all(
        """els => els.map(li => ({
            path: new URL(li.querySelector('a').href).pathname,
            title: li.querySelector('a').textContent,
            badge: li.querySelector('.jx-badge').textContent,
            facts: li.querySelector('small').textContent,
        }))"""
    )

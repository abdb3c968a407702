"""Werkzeug's URL builders, compiled once per session instead of once per app.

Each app the tests create compiles two small Python functions per route (werkzeug's
Rule._compile_builder, through `compile()`): some 0.1 s of every app, and the tests make an app
for nearly every test. A builder of a rule without defaults is made from the rule's parsed parts
alone (its _trace), so rules alike in every app can share one; a rule with defaults is left to
werkzeug, as its builder also bakes in converted default values.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from werkzeug.routing import Rule

Builder = Callable[..., tuple[str, str]]


@contextmanager
def shared_url_builders() -> Iterator[None]:
    """Within the block, rules alike share their compiled builders."""
    compile_builder = Rule._compile_builder
    builders: dict[tuple[str, tuple[tuple[bool, str], ...], bool], Builder] = {}

    def shared(rule: Rule, append_unknown: bool = True) -> Builder:
        if rule.defaults:
            return compile_builder(rule, append_unknown)
        key = (rule.rule, tuple(rule._trace), append_unknown)
        if key not in builders:
            builders[key] = compile_builder(rule, append_unknown)
        return builders[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Rule, "_compile_builder", shared)
        yield

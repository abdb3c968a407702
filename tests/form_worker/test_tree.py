"""The worker's tree stays one a reader can find their way in (issue 19's limits): no folder of
more than 16 modules side by side, no module over 400 lines, no function over 100 lines and at
most 10 over 50. A change that breaks one should regroup, not raise the limit."""

import ast
from collections import Counter
from pathlib import Path

from tests.conftest import ROOT

WORKER = ROOT / "form_worker"
MODULES = sorted(p for p in WORKER.rglob("*.py") if "migrations" not in p.relative_to(WORKER).parts)


def functions(path: Path) -> list[tuple[str, int]]:
    """(name, lines) of every function in the module, decorators included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([d.lineno for d in node.decorator_list] + [node.lineno])
            found.append((f"{path.relative_to(ROOT)}:{node.name}", (node.end_lineno or start) - start + 1))
    return found


def test_no_folder_holds_more_than_16_modules() -> None:
    crowded = {str(f.relative_to(ROOT)): n for f, n in Counter(p.parent for p in MODULES).items() if n > 16}
    assert crowded == {}


def test_no_module_is_over_400_lines() -> None:
    sizes = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines()) for p in MODULES}
    assert {name: size for name, size in sizes.items() if size > 400} == {}


def test_functions_read_in_a_screen_or_two() -> None:
    lengths = [f for path in MODULES for f in functions(path)]
    assert [f for f in lengths if f[1] > 100] == []
    over_50 = sorted((f for f in lengths if f[1] > 50), key=lambda f: -f[1])
    assert len(over_50) <= 10, over_50

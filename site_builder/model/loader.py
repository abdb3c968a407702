"""Read one YAML document strictly, keeping its node tree so errors can name line and column.

PyYAML's C safe loader does the parsing. On top of it this module refuses what YAML allows but a
clerk never means: duplicate keys (PyYAML keeps the last silently), tabs, anchors and aliases,
non-UTF-8 bytes. Dates stay text here so the schema can say which date does not exist.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from .problem import Problem

_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class StrictLoader(yaml.CSafeLoader):
    """The C safe loader without implicit timestamps."""


StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class Document:
    """A parsed file: its data, the node tree it came from, and what was wrong with it."""

    path: str
    data: Any
    node: yaml.Node | None
    problems: list[Problem]

    def locate(self, loc: Sequence[str | int]) -> tuple[int, int]:
        """Return the 1-based line and column of the key or item that a pydantic loc names.

        When the path leaves the tree (a missing field), the deepest node reached is used.
        """
        node = self.node
        if node is None:
            return 1, 1
        mark = node.start_mark
        for part in loc:
            child = None
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if key.value == part:
                        mark, child = key.start_mark, value
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part < len(node.value):
                    child = node.value[part]
                    mark = child.start_mark
            if child is None:
                break
            node = child
        return mark.line + 1, mark.column + 1


def _decode(path: str, raw: bytes) -> tuple[str | None, list[Problem]]:
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        message = "文件不是 UTF-8 编码，请用 UTF-8 保存（可能是 GBK 编码）"
        return None, [Problem(path, line, column, "-", message)]


def _tab_problems(path: str, text: str) -> list[Problem]:
    return [
        Problem(path, number, line.index("\t") + 1, "-", "含有制表符（Tab），请改用空格")
        for number, line in enumerate(text.split("\n"), start=1)
        if "\t" in line
    ]


def _anchor_problems(path: str, text: str) -> list[Problem]:
    problems = []
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            mark = event.start_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            message = "不支持锚点（&）和别名（*），请把内容直接写出来"
            problems.append(Problem(path, line, column, "-", message))
    return problems


def _duplicate_keys(path: str, node: yaml.Node) -> list[Problem]:
    problems = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: set[Any] = set()
            for key, value in current.value:
                if key.value in seen:
                    mark = key.start_mark
                    message = "字段重复出现，同一字段只能写一次"
                    problems.append(Problem(path, mark.line + 1, mark.column + 1, key.value, message))
                seen.add(key.value)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return problems


def read_document(path: str, raw: bytes) -> Document:
    """Parse raw file bytes; on any problem the document's data is None."""
    text, problems = _decode(path, raw)
    if text is None:
        return Document(path, None, None, problems)
    problems = _tab_problems(path, text)
    if problems:
        return Document(path, None, None, problems)
    try:
        if "&" in text or "*" in text:
            problems = _anchor_problems(path, text)
            if problems:
                return Document(path, None, None, problems)
        loader = StrictLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return Document(path, None, None, [Problem(path, 1, 1, "-", "文件是空的")])
            problems = _duplicate_keys(path, node)
            if not isinstance(node, yaml.MappingNode):
                mark = node.start_mark
                message = "文件内容应为一组“字段: 值”"
                problems.append(Problem(path, mark.line + 1, mark.column + 1, "-", message))
            if problems:
                return Document(path, None, node, problems)
            return Document(path, loader.construct_document(node), node, [])
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"YAML 格式错误：{error.problem or error.context}（常见原因：缩进不齐、冒号后缺空格）"
        return Document(path, None, None, [Problem(path, line, column, "-", message)])

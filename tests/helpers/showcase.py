"""Showcase (成果展示) files for tests: a fictional case and a year's figures, marked 示例."""

from pathlib import Path

CASE = """\
title: 在科普一线成长（示例）
year: 2026
unit: 示例科技馆
position_type: 科普助理
intern: 王同学
story: |
  她在见习期间策划了三场社区科普活动，参与观众超过五百人。
  导师评价她“能把复杂的知识讲得有趣”。
sample: true
"""

FIGURES = """\
year: 2026
positions: 30
headcount: 60
units: 12
interns: 40
completed: 36
destinations:
  kept: 10
  employed: 15
  study: 5
  seeking: 4
  other: 2
approved_on: 2026-11-27
"""


def write_showcase(repo: Path, case: str = CASE, figures: str | None = FIGURES) -> set[str]:
    """Write the sample case (and figures) into repo/showcase/2026; return the paths written."""
    folder = repo / "showcase" / "2026"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kepu-shili.yaml").write_text(case, encoding="utf-8")
    written = {"showcase/2026/kepu-shili.yaml"}
    if figures is not None:
        (folder / "figures.yaml").write_text(figures, encoding="utf-8")
        written.add("showcase/2026/figures.yaml")
    return written

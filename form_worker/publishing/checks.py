"""What publishing would refuse, found in memory: the approve request's dry run.

Staff approving a submission see a validation problem at once, in their request, without a file
written, a git command run or a wait for the publisher: the files the approval would write are
validated over the working copy as it is (site_builder's loader with an overlay), reading under
the publishing lock shared with other readers, never waiting for a writer. The publishing task
checks again under the lock, since the repository may change in between.
"""

import os
from pathlib import Path

from site_builder.model.catalogue import SLUG, SYMLINK_MESSAGE, UNIT_FILE, load_catalogue, symlink_on_the_way
from site_builder.model.loader import read_document
from site_builder.model.schema import Position, Unit
from site_builder.model.writer import find_unit_folder, unit_files

from .lock import read_lock


class PublishError(Exception):
    """Validation refused the files; problems are Chinese lines (path:line:column: field: message)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def ownership_problems(repo: Path, unit_slug: str, unit: Unit) -> list[str]:
    """A unit folder belongs to one credit code, and a credit code to one folder; neither is a link."""
    shown = f"positions/{unit_slug}/{UNIT_FILE}"
    link = symlink_on_the_way(repo / shown, repo)
    if link is not None:
        return [f"{os.path.relpath(link, os.path.abspath(repo))}:1:1: -: {SYMLINK_MESSAGE}"]
    if not SLUG.fullmatch(unit_slug):
        return [f"{shown}:1:1: -: 单位目录名“{unit_slug}”不合规：只能用小写英文字母、数字和连字符（-）"]
    code = unit.credit_code.strip().upper()
    problems = []
    other = find_unit_folder(repo, code)
    if other is not None and other != unit_slug:
        problems.append(
            f"{shown}:1:1: credit_code: 统一社会信用代码 {code} 已属于单位目录 {other}，"
            "应作为对该单位的修改提交"
        )
    existing = repo / shown
    if existing.is_file():
        data = read_document(shown, existing.read_bytes()).data
        if not isinstance(data, dict) or str(data.get("credit_code", "")).strip().upper() != code:
            problems.append(f"{shown}:1:1: -: 单位目录 {unit_slug} 已属于另一家单位，请换一个目录名")
    return problems


SLUG_KEY = "_slug"


def submission_positions(positions_data: list[dict]) -> list[tuple[str | None, Position]]:
    """The positions of a stored submission, each with the file it replaces.

    Each dict of Submission.positions_data is Position data; an edit of a published position also
    carries SLUG_KEY ("_slug"), the name of its file without .yaml. Without it the position is new.
    """
    result = []
    for data in positions_data:
        fields = {key: value for key, value in data.items() if key != SLUG_KEY}
        result.append((data.get(SLUG_KEY) or None, Position.model_validate(fields)))
    return result


def check_submission(
    repo: Path, unit_slug: str, unit: Unit, positions: list[tuple[str | None, Position]]
) -> list[str]:
    """The problems write_submission would refuse these files for, found without writing anything.

    Raises lock.PublisherBusy at once while a publisher holds the lock (the working copy may be
    half-way through a commit), rather than making the request wait for it.
    """
    with read_lock(repo):
        problems = ownership_problems(repo, unit_slug, unit)
        if problems:
            return problems
        files = unit_files(repo, unit_slug, unit, positions)
        links = [relative for relative in sorted(files) if symlink_on_the_way(repo / relative, repo)]
        if links:
            return [f"{relative}:1:1: -: {SYMLINK_MESSAGE}" for relative in links]
        if not files:
            return []
        overlay = {repo / relative: text.encode() for relative, text in files.items()}
        checked = load_catalogue(repo, [repo / "positions" / unit_slug], overlay)
        return [str(problem) for problem in checked.problems]

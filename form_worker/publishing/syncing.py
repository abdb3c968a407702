"""Following the forge: pull what was merged there (a unit's pull request, an edit by hand), push
what is here, check the files that arrived, and record the look for the office.

A file that arrived invalid is not published: the caller asks for no rebuild, so the catalogue
online stays as it was, and the office is told once, with each `file:line: field: message`.
"""

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from site_builder.clock import local_time
from site_builder.model.catalogue import load_catalogue

from ..accounts.services import email_office
from .forge import Forge, head, pull, push
from .git import git
from .lock import repo_lock
from .models import FORGE_SYNC_ROW as ROW_ID
from .models import ForgeSync

ERROR_CHARS = 4000


@dataclass(frozen=True)
class Synced:
    """What a look at the forge found: the commit before and after, and problems in what arrived."""

    before: str
    after: str
    problems: list[str] = field(default_factory=list)

    @property
    def moved(self) -> bool:
        return self.before != self.after


def sync(repo: Path, forge: Forge) -> Synced:
    """Pull the forge's branch and push whatever is here and not there; check what arrived.

    Raises ForgeError (the working copy left as it was) when the forge is down, refuses, rewrote its
    history or conflicts with a commit made here.
    """
    with repo_lock(repo):
        before = head(repo)
        remote = pull(repo, forge)
        if head(repo) != remote:
            push(repo, forge)
        after = head(repo)
    return Synced(before, after, arrived_problems(repo, before, after) if before != after else [])


def arrived_problems(repo: Path, before: str, after: str) -> list[str]:
    """The validator's problems in the position, unit and showcase files that changed between two commits."""
    changed = set(
        git(repo, "diff", "--name-only", f"{before}..{after}", "--", "positions", "showcase").split()
    )
    # The unit folders they lie in, not all 5,000 files: ids and the unit file are per folder.
    folders = sorted({(repo / name).parent for name in changed if (repo / name).parent.is_dir()})
    if not folders:
        return []
    problems = load_catalogue(repo, folders).problems
    return [str(problem) for problem in problems if str(problem).split(":", 1)[0] in changed]


def record(session: Session, now: dt.datetime, at: str, error: str, branch: str, mail_from: str) -> list[int]:
    """Record a look at the forge and stage an email to the office for a problem not yet emailed;
    commit; return the outbox ids."""
    row = session.get(ForgeSync, ROW_ID)
    if row is None:
        row = ForgeSync(id=ROW_ID, head="", status="ok", error="", alerted="")
        session.add(row)
    error = error[:ERROR_CHARS]
    row.synced_at, row.head, row.error = now, at, error
    row.status = "failed" if error else "ok"
    ids: list[int] = []
    if error and error != row.alerted:
        shown = local_time(now, seconds=True)
        rows = email_office(
            session,
            f"forge-sync:{now.isoformat()}",
            "forge_sync_failed",
            mail_from,
            at=shown,
            branch=branch,
            error=error,
        )
        ids = [r.id for r in rows]
    row.alerted = error
    session.commit()
    return ids


def due(session: Session, now: dt.datetime, interval: int) -> bool:
    """Whether the last look at the forge is at least `interval` seconds old (or there was none)."""
    row = session.get(ForgeSync, ROW_ID)
    return row is None or row.synced_at is None or row.synced_at <= now - dt.timedelta(seconds=interval)

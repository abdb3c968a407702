"""The forge: the shared repository (POSITIONS_REMOTE) that the worker's working copy pulls from
and pushes to, so that approvals made here and pull requests merged there meet in one history.

Unset, publishing stays in the local working copy (`make run`). Set, every commit publishing makes
sits between a pull (fetch, then rebase onto the remote branch: a fast-forward when nothing is
waiting here) and a push; a push refused because the remote moved meanwhile is retried after another
pull, a bounded number of times, and never forced. A push that fails for good takes its commit back
out (`git reset --keep`), so the working copy never keeps what the forge lacks.

The remote head last integrated is kept as `refs/jianxi/forge`. A remote whose head no longer
contains it rewrote its history: that is refused, never followed by resetting the working copy.
Every function here runs git; the caller holds lock.repo_lock.
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path

from .checks import PublishError
from .git import DEFAULT_AUTHOR, GitError, git, git_succeeds

logger = logging.getLogger(__name__)

FETCHED = "refs/jianxi/remote"  # the remote branch as last fetched
INTEGRATED = "refs/jianxi/forge"  # the remote head the working copy last pulled or pushed
PUSH_ATTEMPTS = 5


@dataclass(frozen=True)
class Forge:
    """Where to pull from and push to, and who commits the commits a rebase replays."""

    url: str
    branch: str = "main"
    author: str = DEFAULT_AUTHOR

    @classmethod
    def configured(cls, config: Mapping[str, object]) -> "Forge | None":
        """The forge the settings name, or None when POSITIONS_REMOTE is unset."""
        url = str(config.get("POSITIONS_REMOTE") or "")
        if not url:
            return None
        branch = str(config.get("POSITIONS_BRANCH") or "main")
        return cls(url, branch, str(config.get("PUBLISH_AUTHOR") or DEFAULT_AUTHOR))

    def identity(self) -> list[str]:
        """git's -c options that make the author the committer of replayed commits."""
        name, address = parseaddr(self.author)
        if not address:
            name, address = parseaddr(DEFAULT_AUTHOR)
        return ["-c", f"user.name={name or address}", "-c", f"user.email={address}"]


class ForgeError(PublishError):
    """The forge could not be reached or followed; the message is Chinese and says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__([message])


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def _ref(repo: Path, name: str) -> str:
    """The sha a ref names, or "" when there is no such ref."""
    return git(repo, "for-each-ref", "--format=%(objectname)", name).strip()


def fetch(repo: Path, forge: Forge) -> str:
    """Fetch the remote branch into FETCHED; return its head ("" while the branch does not exist)."""
    try:
        git(repo, "fetch", "--quiet", "--no-tags", forge.url, f"+refs/heads/{forge.branch}:{FETCHED}")
    except GitError as failure:
        if "couldn't find remote ref" in str(failure):
            return ""
        reason = _last_line(failure)
        message = f"无法从代码仓库获取更新（{forge.branch} 分支）：{reason}。请稍后重试。"
        raise ForgeError(message) from failure
    remote = _ref(repo, FETCHED)
    integrated = _ref(repo, INTEGRATED)
    if integrated and not git_succeeds(repo, "merge-base", "--is-ancestor", integrated, remote):
        raise ForgeError(
            f"代码仓库 {forge.branch} 分支的历史被改写了：上次同步的提交 {integrated[:10]} 已不在其中。"
            "为免丢失任何岗位，本次没有同步也没有发布；请管理员核对代码仓库后再处理。"
        )
    return remote


def pull(repo: Path, forge: Forge) -> str:
    """Bring the working copy onto the remote branch: a fast-forward, or commits made here rebased
    on top. Returns the remote head ("" for a branch not yet created)."""
    remote = fetch(repo, forge)
    if not remote:
        return ""
    if not git_succeeds(repo, "merge-base", "HEAD", remote):
        raise ForgeError("工作副本与代码仓库没有共同的历史，无法同步。请从代码仓库重新克隆 POSITIONS_ROOT。")
    _rebase_onto(repo, forge, remote)
    git(repo, "update-ref", INTEGRATED, remote)
    return remote


def _rebase_onto(repo: Path, forge: Forge, remote: str) -> None:
    """Rebase what is here onto remote; on a conflict, leave everything as it was and say which files."""
    try:
        git(repo, *forge.identity(), "rebase", "--quiet", "--autostash", remote)
    except GitError as failure:
        files = git(repo, "diff", "--name-only", "--diff-filter=U").split()
        if git_succeeds(repo, "rev-parse", "--verify", "--quiet", "REBASE_HEAD"):
            git(repo, "rebase", "--abort")
        if not files:
            raise ForgeError(f"无法与代码仓库合并：{_last_line(failure)}") from failure
        raise ForgeError(
            "代码仓库里有人同时修改了同一文件：" + "、".join(files) + "。本次没有写入任何内容；"
            "请在代码仓库确认这些文件的内容后点“重新发布”。"
        ) from failure


def push(repo: Path, forge: Forge) -> None:
    """Push HEAD to the remote branch; when refused because it moved, pull and try again (bounded)."""
    for attempt in range(PUSH_ATTEMPTS):
        try:
            git(repo, "push", "--quiet", forge.url, f"HEAD:refs/heads/{forge.branch}")
        except GitError as failure:
            if not _moved_meanwhile(failure) or attempt == PUSH_ATTEMPTS - 1:
                reason = _last_line(failure)
                raise ForgeError(
                    f"无法推送到代码仓库（{forge.branch} 分支）：{reason}。请稍后点“重新发布”。"
                ) from failure
            logger.info("push to %s refused, the remote moved: pulling and trying again", forge.branch)
            pull(repo, forge)
            continue
        git(repo, "update-ref", INTEGRATED, head(repo))
        return


def _moved_meanwhile(failure: GitError) -> bool:
    """Whether the forge refused the push because its branch moved, or was moving as we pushed
    (another publisher held the ref's lock), rather than for a reason a retry cannot mend."""
    text = str(failure)
    signs = (
        "[rejected]",
        "fetch first",
        "non-fast-forward",
        "stale info",
        "failed to update ref",
        "cannot lock ref",
    )
    return any(sign in text for sign in signs)


def _last_line(failure: GitError) -> str:
    """git's own reason: its first fatal or error line (hints follow it), else its last line."""
    lines = [line.strip() for line in str(failure).splitlines() if line.strip()]
    reasons = [line for line in lines if line.startswith(("fatal:", "error:", "! "))]
    return (reasons or lines or [type(failure).__name__])[0 if reasons else -1]


def shared_commit(repo: Path, forge: Forge | None, commit: Callable[[], str | None]) -> str | None:
    """Pull, run `commit` (which returns the new commit's sha, or None when it made none), push.

    When the push fails for good the new commit is taken back out, so the working copy holds
    nothing the forge lacks, and the ForgeError says why; the sha returned is the one pushed
    (a rebase before a retried push gives the commit a new one).
    """
    if forge is None:
        return commit()
    pull(repo, forge)
    before = head(repo)
    sha = commit()
    try:
        push(repo, forge)
    except BaseException:
        if sha is not None and head(repo) != before:
            git(repo, "reset", "--quiet", "--keep", "HEAD~1")
        raise
    return head(repo) if sha is not None else None

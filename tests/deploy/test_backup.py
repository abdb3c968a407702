"""deploy/backup and deploy/restore for real: a PostgreSQL database of the test's own, a positions
repository with a forge and a commit not pushed yet, the instance's secret key. After a disaster
(the database empty, the repository and the key gone) the restore brings back the same rows, refs
and key, so a staff member's session from before still works; a damaged backup changes nothing."""

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from form_worker.accounts.models import Account
from form_worker.core import db
from tests.conftest import git, make_git_project, skip_or_fail
from tests.form_worker.conftest import PASSWORD, POSTGRES_URL, app_config, require_services, worker_app
from tests.helpers.deployment import DEPLOY, ENV_EXAMPLE
from tests.helpers.parties import make_account, party

pytestmark = pytest.mark.deploy


def admin_engine():
    """A connection to the server outside any transaction, as CREATE and DROP DATABASE need."""
    return create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")


def recreate(name: str) -> None:
    """The database dropped (its connections ended) and created again, empty."""
    engine = admin_engine()
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


@pytest.fixture
def database() -> Iterator[str]:
    """The URL of a PostgreSQL database of this test's own, dropped afterwards."""
    require_services()
    for tool in ("pg_dump", "pg_restore"):
        if not shutil.which(tool):
            skip_or_fail(f"{tool} is not installed (postgresql-client; .ci/run installs it)")
    name = f"jianxi_backup_{uuid.uuid4().hex[:12]}"
    recreate(name)
    try:
        yield f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        engine = admin_engine()
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture
def positions(tmp_path: Path) -> Path:
    """The worker's working copy: pushed to its forge once, then a commit the forge has not seen."""
    repo = make_git_project(tmp_path / "positions")
    git(tmp_path, "clone", "--quiet", "--bare", str(repo), str(tmp_path / "forge.git"))
    git(repo, "remote", "add", "origin", str(tmp_path / "forge.git"))
    git(repo, "update-ref", "refs/jianxi/forge", "HEAD")
    (repo / "positions" / "note.txt").write_text("尚未推送的提交\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "Not pushed yet")
    return repo


def run(script: str, environment: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(DEPLOY / script), *args], env=environment, capture_output=True, text=True, timeout=300
    )


def environment(tmp_path: Path, database: str, positions: Path, **more: str) -> dict[str, str]:
    """What the backup service gives the script: the worker's settings and the backup's own."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DATABASE_URL": database,
        "POSITIONS_ROOT": str(positions),
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "BACKUP_DIR": str(tmp_path / "backups"),
        **more,
    }


def rows(url: str) -> dict[str, object]:
    """Every table's rows, in a stable order: what the database holds."""
    engine = create_engine(url)
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
        held = {
            table: sorted(map(repr, connection.execute(text(f'SELECT * FROM "{table}"')).all()))
            for table in tables
        }
    engine.dispose()
    return held


def refs(repo: Path) -> str:
    return git(repo, "show-ref", "--head")


def test_a_restore_brings_back_the_database_the_repository_and_the_key(
    tmp_path: Path, database: str, positions: Path
) -> None:
    config = app_config(
        {"DATABASE_URL": database, "HUEY_URL": f"sqlite:///{tmp_path / 'huey.sqlite3'}"}, tmp_path
    )
    config["SECRET_KEY"] = None  # kept in the instance folder, as on a server
    with worker_app(config) as app:
        make_account(app, db.sessions(app)(), "office", "王办公", PASSWORD, "admin", "o@jianxi.test")
        staff = party(app, "office")
        assert staff.get("/staff/").status_code == 200
        key = app.config["SECRET_KEY"]
    before, refs_before = rows(database), refs(positions)
    assert before[Account.__tablename__] and before["alembic_version"]

    settings = environment(tmp_path, database, positions, JIANXI_ENV_FILE=str(ENV_EXAMPLE))
    made = run("backup", settings)
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip())
    assert sorted(p.name for p in backup.iterdir()) == [
        "SHA256SUMS",
        "database.dump",
        "jianxi.env",
        "positions.branch",
        "positions.bundle",
        "positions.origin",
        "secret_key",
    ]

    # The disaster: a new, empty database; the working copy and the key gone.
    recreate(database.rsplit("/", 1)[1])
    shutil.rmtree(positions)
    (tmp_path / "instance" / "secret_key").unlink()
    restored = run("restore", settings, str(backup))
    assert restored.returncode == 0, restored.stderr

    assert rows(database) == before
    assert refs(positions) == refs_before
    assert git(positions, "status", "--porcelain") == ""
    assert git(positions, "remote", "get-url", "origin").strip() == str(tmp_path / "forge.git")
    assert (backup / "jianxi.env").read_bytes() == ENV_EXAMPLE.read_bytes()
    with worker_app(config) as app:
        assert app.config["SECRET_KEY"] == key
        # The session signed before the disaster is still good: same key, same account row.
        client = app.test_client()
        client.set_cookie("session", staff.client.get_cookie("session").value)
        assert client.get("/staff/").status_code == 200


def test_backups_are_kept_to_their_number_and_a_damaged_one_changes_nothing(
    tmp_path: Path, database: str, positions: Path
) -> None:
    engine = create_engine(database)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE kept (word text)"))
        connection.execute(text("INSERT INTO kept VALUES ('见习')"))
    engine.dispose()
    settings = environment(tmp_path, database, positions, BACKUP_KEEP="2")
    made = [run("backup", settings) for _ in range(3)]
    assert [m.returncode for m in made] == [0, 0, 0], [m.stderr for m in made]
    folders = sorted((tmp_path / "backups").iterdir())
    assert [str(f) for f in folders] == [m.stdout.strip() for m in made[1:]]

    newest = folders[-1]
    with (newest / "database.dump").open("ab") as dump:
        dump.write(b"\0")
    shutil.rmtree(positions / "positions")  # what a restore would put back, were the backup good
    refused = run("restore", settings, str(newest))

    assert refused.returncode == 1
    assert "does not match its checksums; nothing was changed" in refused.stderr
    assert rows(database)["kept"] == ["('见习',)"]
    assert not (positions / "positions").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("positions")) == ["positions"]

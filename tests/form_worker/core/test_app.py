"""What create_app wires from configuration: proxies it trusts, nothing done at import time, and the
positions it offers, reloaded when they change."""

import shutil
import subprocess
import sys
import time as clock
from pathlib import Path

import pytest

from form_worker.accounts import audit
from form_worker.catalogue.positions import PositionSource
from form_worker.core import config
from tests.conftest import ROOT, make_project
from tests.form_worker.conftest import app_config, worker_app


def _remote_address(app) -> str:
    @app.get("/_probe/remote")
    def remote() -> str:
        from flask import request

        return request.remote_addr or ""

    response = app.test_client().get(
        "/_probe/remote", headers={"X-Forwarded-For": "203.0.113.9"}, environ_base={"REMOTE_ADDR": "10.0.0.2"}
    )
    return response.text


@pytest.mark.parametrize(("proxies", "seen"), [(0, "10.0.0.2"), (1, "203.0.113.9")])
def test_forwarded_addresses_count_only_behind_trusted_proxies(
    backend: dict[str, str], tmp_path: Path, proxies: int, seen: str
) -> None:
    """With TRUSTED_PROXIES=0 anyone could forge X-Forwarded-For, so the rate limit keys on the
    socket's address; behind one proxy (nginx) it keys on the address the proxy saw."""
    with worker_app(app_config(backend, tmp_path, TRUSTED_PROXIES=proxies)) as app:
        assert _remote_address(app) == seen


def test_trusted_proxies_comes_from_the_environment() -> None:
    assert config.load({})["TRUSTED_PROXIES"] == 0
    assert config.load({"TRUSTED_PROXIES": "2"})["TRUSTED_PROXIES"] == 2


def test_importing_the_worker_creates_no_file_and_loads_no_mkdocs(tmp_path: Path) -> None:
    """A web worker must not pay for MkDocs, and importing a module must not make instance/."""
    worker = "import form_worker.worker, form_worker.cli"
    subprocess.run(
        [sys.executable, "-c", worker],
        cwd=tmp_path,
        check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert list(tmp_path.iterdir()) == []
    web = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from form_worker import create_app; print('mkdocs' in sys.modules)",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert web.stdout.strip() == "False"
    assert list(tmp_path.iterdir()) == []


def test_the_audit_log_refuses_an_action_it_could_not_label(session) -> None:
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(session, "admin", "something_new")
    assert all(label and label != action for action, label in audit.ACTIONS.items())


def test_changed_positions_are_reloaded_in_the_background(tmp_path) -> None:
    """No request waits for the look at the files: it gets the tree it has, and the next ones the
    new tree once the background look has loaded it."""
    root = make_project(tmp_path / "project")
    source = PositionSource(root, recheck_seconds=0)
    first = source.get()
    folder = next(p for p in (root / "positions").iterdir() if p.is_dir())
    shutil.rmtree(folder)
    assert source.get() is first  # answered at once with the tree it had
    deadline = clock.monotonic() + 10
    while source.get() is first and clock.monotonic() < deadline:
        clock.sleep(0.05)
    reloaded = source.get()
    assert reloaded is not first
    assert not any(e.unit_slug == folder.name for e in reloaded.by_id.values())
    assert any(e.unit_slug == folder.name for e in first.by_id.values())

    # A file edited in place changes no folder: the look that stats every file finds it.
    source.FULL_EVERY = 1
    edited = next(p for p in (root / "positions").rglob("*.yaml") if p.name != "unit.yaml")
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("title: ", "title: 改过的", 1), encoding="utf-8"
    )
    deadline = clock.monotonic() + 10
    while source.get() is reloaded and clock.monotonic() < deadline:
        clock.sleep(0.05)
    assert any(e.position.title.startswith("改过的") for e in source.get().by_id.values())

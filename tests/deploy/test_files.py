"""deploy/ held to the worker it deploys: the settings file lists the README's settings, the units
run the commands the worker's own code names, and the nginx site proxies every route of the worker
with its body limits and serves the catalogue with its headers. A change on either side that the
other does not follow fails here, before a server finds out."""

import getpass
import re
import shlex
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from gunicorn.glogging import Logger as GunicornBaseLogger
from werkzeug.utils import import_string

from form_worker import create_app
from form_worker.core import config
from form_worker.core.headers import CATALOGUE_POLICY, HEADERS, HSTS, WORKER_POLICY
from form_worker.core.queue import consumer_command
from form_worker.submissions.views import LIMITS
from tests.conftest import ROOT, skip_or_fail
from tests.helpers.deployment import (
    DEPLOY,
    ENV_EXAMPLE,
    SERVER_CODE,
    SERVER_ENV_FILE,
    SITE,
    command,
    env_lines,
    example_environment,
    nginx,
    nginx_main,
    option,
    readme_settings,
    render_site,
    self_signed,
    service,
)

SERVICES = ("jianxi-web.service", "jianxi-consumer.service", "jianxi-backup.service")
SITE_TEXT = SITE.read_text(encoding="utf-8")


def locations() -> dict[str, str]:
    """The nginx site's regex locations of the TLS server: pattern → the block's text."""
    return dict(re.findall(r"^    location ~ (\S+) \{\n(.*?)^    \}", SITE_TEXT, re.M | re.S))


def size(value: str) -> int:
    """An nginx size (256k, 2m) in bytes."""
    number, unit = re.fullmatch(r"(\d+)([km]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit]


def body_limit(block: str | None) -> int:
    """client_max_body_size in a location, else the server's."""
    found = re.search(r"client_max_body_size (\w+);", block or "")
    server = re.search(r"^    client_max_body_size (\w+);", SITE_TEXT, re.M)
    return size((found or server).group(1))


def sample_path(rule: str) -> str:
    """A path the rule matches, its variables filled in."""
    return re.sub(r"<(?:int:)?[^>]+>", "1", rule).replace("<path:", "")


def proxied_by(path: str) -> str | None:
    """The proxied location nginx chooses for a path (regex locations in order), or None."""
    return next((pattern for pattern in locations() if re.search(pattern, path)), None)


def test_the_settings_file_lists_every_setting_of_the_readme_once() -> None:
    names = [name for _, name, _ in env_lines()]
    assert sorted(names) == sorted(set(names)), "a setting is listed twice"
    assert set(names) == set(readme_settings())
    assert set(readme_settings()) >= set(config.SETTINGS), "the README's table misses a setting"


def test_a_shell_reads_the_settings_file_as_systemd_does() -> None:
    """Double quotes around values with spaces: `set -a; . file` (for jianxi commands by hand)
    gives the same values the units get."""
    script = 'set -a; . "$1"; env -0'
    loaded = subprocess.run(
        ["env", "-i", "sh", "-c", script, "sh", str(ENV_EXAMPLE)], check=True, capture_output=True, text=True
    ).stdout
    shell = dict(item.split("=", 1) for item in loaded.split("\0") if item)
    example = example_environment()
    assert {name: shell.get(name) for name in example} == example
    assert example["MAIL_FROM"] == "重庆市大学生科技见习计划 <noreply@jianxi.example.org>"


def test_the_settings_file_makes_a_worker_behind_nginx() -> None:
    settings = config.load(example_environment())
    assert settings["TRUSTED_PROXIES"] == 1
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["TRUSTED_HOSTS"] == ["jianxi.example.org"]
    assert str(settings["RATELIMIT_STORAGE_URI"]).startswith("redis://")
    assert str(settings["DATABASE_URL"]).startswith("postgresql+psycopg://")


@pytest.mark.parametrize("unit", SERVICES)
def test_every_unit_runs_as_jianxi_with_the_settings_file(unit: str) -> None:
    section = service(unit)
    assert (section["User"], section["Group"]) == ("jianxi", "jianxi")
    assert section["EnvironmentFile"] == SERVER_ENV_FILE
    assert section["WorkingDirectory"] == SERVER_CODE
    executable = Path(command(unit)[0])
    assert executable.name in ("gunicorn", "python", "backup")
    if executable.name == "backup":
        assert executable == DEPLOY / "backup" and executable.stat().st_mode & 0o111


def test_systemd_reads_the_units_without_a_complaint(tmp_path: Path) -> None:
    """systemd's own parser: a misspelt key or a bad value is ignored by systemd with a warning,
    which a server's operator might never read."""
    if not shutil.which("systemd-analyze"):
        skip_or_fail("systemd-analyze is not installed (the systemd package; .ci/run installs it)")
    units = []
    for unit in sorted((DEPLOY / "systemd").iterdir()):
        units.append(tmp_path / unit.name)
        units[-1].write_text(
            unit.read_text(encoding="utf-8").replace(SERVER_CODE, str(ROOT)), encoding="utf-8"
        )
    checked = subprocess.run(["systemd-analyze", "verify", *map(str, units)], capture_output=True, text=True)
    assert (checked.returncode, checked.stderr) == (0, "")


def test_gunicorn_runs_the_app_with_the_scrubbing_logger_and_reloads_on_hup() -> None:
    words = command("jianxi-web.service")
    assert import_string(option(words, "--logger-class")).__mro__[1:].count(GunicornBaseLogger) == 1
    assert words[-1] == "form_worker:create_app()"
    assert option(words, "--bind") == "127.0.0.1:8000"
    assert shlex.split(service("jianxi-web.service")["ExecReload"]) == ["/bin/kill", "-s", "HUP", "$MAINPID"]


def test_the_consumer_is_the_workers_own_command_stopped_gracefully() -> None:
    words = command("jianxi-consumer.service")
    assert words[1:] == consumer_command(int(option(words, "-w")))[1:]
    # Huey finishes running tasks on SIGINT and drops them on SIGTERM, systemd's default.
    assert signal.Signals[service("jianxi-consumer.service")["KillSignal"]] == signal.SIGINT


def test_nginx_proxies_every_route_of_the_worker_and_no_file_of_the_catalogue(sample_site: Path) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "test"})
    worker = [r for r in app.url_map.iter_rules() if not r.endpoint.startswith("site.")]
    assert worker and all(proxied_by(sample_path(r.rule)) for r in worker), [
        r.rule for r in worker if not proxied_by(sample_path(r.rule))
    ]
    catalogue = ["/" + p.relative_to(sample_site).as_posix() for p in sample_site.rglob("*") if p.is_file()]
    assert len(catalogue) > 100 and not [p for p in catalogue if proxied_by(p)]
    for block in locations().values():
        assert "proxy_pass http://jianxi_worker;" in block and "gzip off;" in block


def test_nginx_refuses_bodies_the_worker_would_refuse_and_no_smaller_ones() -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "test"})
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("site."):
            continue
        worker = (
            LIMITS["max_content_length"]
            if rule.endpoint.startswith("submit.")
            else app.config["MAX_CONTENT_LENGTH"]
        )
        assert body_limit(locations()[proxied_by(sample_path(rule.rule))]) == worker, rule.rule


def test_nginx_sends_the_catalogue_the_workers_headers() -> None:
    catalogue = SITE_TEXT.split("    location / {", 1)[1]
    headers: dict[str, str] = {}
    for line in catalogue.splitlines():
        if line.strip().startswith("add_header "):
            words = shlex.split(line.strip().rstrip(";"))
            assert words[3:] == ["always"], line
            headers[words[1]] = words[2]
    assert headers.pop("Content-Security-Policy") == CATALOGUE_POLICY.format(hashes=" 'unsafe-inline'")
    assert headers.pop("Strict-Transport-Security") == HSTS
    assert headers.pop("Cache-Control") == "$jianxi_cache"
    assert headers == HEADERS
    # The worker's own pages keep their stricter policy: nginx adds nothing to them.
    assert all("add_header" not in block for block in locations().values())
    assert "script-src" not in WORKER_POLICY


def cache_control(path: str) -> str:
    """The Cache-Control the site's map gives a catalogue file."""
    block = SITE_TEXT.split("map $uri $jianxi_cache {", 1)[1].split("\n}", 1)[0]
    for pattern, value in re.findall(r'^    "~(.+)" "(.+)";$', block, re.M):
        if re.search(pattern, path):
            return value
    return re.search(r'^    default "(.+)";$', block, re.M).group(1)


def test_only_files_named_by_their_content_are_cached_for_long(sample_site: Path) -> None:
    files = ["/" + p.relative_to(sample_site).as_posix() for p in sample_site.rglob("*") if p.is_file()]
    long = {path for path in files if "immutable" in cache_control(path)}
    assert all(re.search(r"[._][0-9a-f]{7,}\.", path) for path in long), long
    bundle = {path for path in files if re.fullmatch(r"/assets/.+\.[0-9a-f]{8}\.min\.(js|css)", path)}
    chunks = {path for path in files if re.search(r"/pagefind/.+\.pf_\w+$", path)}
    assert bundle and chunks and bundle | chunks <= long
    for path in (
        "/index.html",
        "/positions/index.html",
        "/pagefind/pagefind-entry.json",
        "/search-live.json",
    ):
        assert path in files and cache_control(path) == "no-cache"


def test_nginx_accepts_the_site_as_rendered_for_a_test(tmp_path: Path) -> None:
    binary = nginx()
    cert, key = self_signed(tmp_path)
    site = tmp_path / "jianxi.conf"
    site.write_text(
        render_site(tls=8443, plain=8080, worker=8000, cert=cert, key=key, site_dir=tmp_path, logs=tmp_path),
        encoding="utf-8",
    )
    main = tmp_path / "nginx.conf"
    main.write_text(nginx_main(tmp_path, site, getpass.getuser()), encoding="utf-8")
    checked = subprocess.run(
        [binary, "-t", "-p", str(tmp_path), "-c", str(main), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr

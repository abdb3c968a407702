"""The files of deploy/ as the tests read them: the systemd units' commands, the settings file, the
README's settings table, and the nginx site rendered for a test's own paths and ports."""

import configparser
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, skip_or_fail

DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "jianxi.conf"
ENV_EXAMPLE = DEPLOY / "jianxi.env.example"
# Where the units expect things on a server (README, "Deploy"); a test puts its own in their place.
SERVER_CODE = "/opt/jianxi"
SERVER_ENV_FILE = "/etc/jianxi/jianxi.env"
# What a unit's process finds in its environment besides the settings file: systemd's PATH, no more.
SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"


def service(name: str) -> configparser.SectionProxy:
    """The [Service] section of deploy/systemd/<name>."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # keys keep their case
    parser.read(DEPLOY / "systemd" / name, encoding="utf-8")
    return parser["Service"]


def command(name: str, key: str = "ExecStart") -> list[str]:
    """A unit's command line, its paths under /opt/jianxi turned into this checkout's (its .venv
    into the running interpreter's folder)."""
    words = shlex.split(service(name)[key])
    venv = f"{SERVER_CODE}/.venv/bin/"
    return [
        str(Path(sys.executable).parent / word.removeprefix(venv))
        if word.startswith(venv)
        else word.replace(SERVER_CODE, str(ROOT))
        for word in words
    ]


def option(words: list[str], name: str) -> str:
    """The value given to a command-line option (`--bind 127.0.0.1:8000` gives 127.0.0.1:8000)."""
    return words[words.index(name) + 1]


def with_option(words: list[str], name: str, value: str) -> list[str]:
    """The command with one option's value replaced."""
    changed = list(words)
    changed[changed.index(name) + 1] = value
    return changed


def env_lines() -> list[tuple[bool, str, str]]:
    """Each setting of the example settings file: (set or commented out, name, value)."""
    settings = []
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if match := re.fullmatch(r"(#?)([A-Z][A-Z0-9_]*)=(.*)", line):
            [value] = shlex.split(match.group(3)) or [""]
            settings.append((not match.group(1), match.group(2), value))
    return settings


def example_environment() -> dict[str, str]:
    """The settings the example sets (commented ones keep their defaults)."""
    return {name: value for active, name, value in env_lines() if active}


def readme_settings() -> list[str]:
    """The variables of the README's settings table (its Configuration section)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Configuration", 1)[1].split("\n#", 1)[0]
    return re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", section, re.M)


def render_site(
    *, tls: int, plain: int, worker: int, cert: Path, key: Path, site_dir: Path, logs: Path
) -> str:
    """deploy/nginx/jianxi.conf with a test's ports and paths in place of the server's. Each
    placeholder must be there: a renamed one would leave the server's path in the test's nginx."""
    text = SITE.read_text(encoding="utf-8")
    replacements = {
        "listen 443 ssl": f"listen 127.0.0.1:{tls} ssl",
        "listen 80;": f"listen 127.0.0.1:{plain};",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{worker};",
        "/etc/letsencrypt/live/jianxi.example.org/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/jianxi.example.org/privkey.pem": str(key),
        "/var/log/nginx/": f"{logs}/",
        "root /var/lib/jianxi/site;": f"root {site_dir};",
    }
    for placeholder, value in replacements.items():
        assert placeholder in text, f"{SITE.name} no longer has {placeholder!r}"
        text = text.replace(placeholder, value)
    # The test listens on IPv4 loopback only.
    return "\n".join(line for line in text.splitlines() if "listen [::]" not in line) + "\n"


def nginx_main(folder: Path, site: Path, user: str) -> str:
    """A main nginx.conf around the site, as Debian's includes sites-enabled/ (gzip on, as Debian
    has it), with every file nginx writes kept in `folder`."""
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temporary = "\n".join(f"    {kind}_temp_path {folder / kind};" for kind in kinds)
    return f"""user {user};
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"};
events {{
    worker_connections 256;
}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    gzip on;
{temporary}
    include {site};
}}
"""


def nginx() -> str:
    """The nginx binary (Debian's package; .ci/run installs it), or skip (fail in CI) without it."""
    found = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin")
    if not found:
        skip_or_fail("nginx is not installed (apt-get install nginx; .ci/run installs it)")
    return str(found)


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made for this test with openssl."""
    if not shutil.which("openssl"):
        skip_or_fail("openssl is not installed (.ci/run installs it)")
    cert, key = folder / "cert.pem", folder / "key.pem"
    new_key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key)]
    subject = ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
    command = ["openssl", "req", "-x509", *new_key, "-out", str(cert), "-days", "2", *subject]
    subprocess.run(command, check=True, capture_output=True)
    return cert, key

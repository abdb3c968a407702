"""Serve the built catalogue beside the forms, so one address runs the whole site on one machine.

The build writes a `.gz` beside each text file (site_builder.compress): a client that accepts gzip
gets that file as it is, the way nginx's `gzip_static` serves it, so nothing is compressed per
request.
"""

import mimetypes
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
)
from werkzeug.security import safe_join

from ..core.headers import CATALOGUE_POLICY, catalogue_policy

bp = Blueprint("site", __name__)


def _send(root: Path, path: str) -> Response:
    """The file, or its pre-compressed copy for a client that accepts gzip."""
    if not (root / f"{path}.gz").is_file():
        return send_from_directory(root, path)
    if request.accept_encodings["gzip"] <= 0:
        response = send_from_directory(root, path)
    else:
        mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
        response = send_from_directory(root, f"{path}.gz", mimetype=mimetype)
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


@bp.get("/", defaults={"path": ""})
@bp.get("/<path:path>")
def page(path: str):
    root = Path(current_app.config["SITE_DIR"])
    if not (root / "index.html").is_file():
        return render_template(
            "error.html", title="岗位目录尚未生成", message="请先运行 jianxi build 生成岗位目录。"
        ), 503
    target = safe_join(str(root), path)
    if target is None:
        abort(404)
    if Path(target).is_dir():
        if path and not path.endswith("/"):
            return redirect("/" + path + "/", code=308)
        path = (path + "index.html") if path else "index.html"
    if not (root / path).is_file():
        path, status = "404.html", 404
    else:
        status = 200
    response = _send(root, path)
    response.status_code = status
    if path.endswith(".html"):
        response.headers["Content-Security-Policy"] = catalogue_policy(root / path)
    else:  # feeds, spreadsheets, scripts: nothing in them may run as a page either
        response.headers["Content-Security-Policy"] = CATALOGUE_POLICY.format(hashes="")
    return response

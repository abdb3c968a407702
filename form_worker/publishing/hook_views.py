"""POST /hooks/git: the forge's push webhook. It only asks for a look at the forge (the
sync_positions task fetches); nothing in its body is trusted or read beyond its signature.

GitHub, Gitea and Forgejo sign the body: `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the body
with the secret>`; GitLab sends the secret itself as `X-Gitlab-Token`. Either must match
GIT_HOOK_SECRET; without that setting the hook does not exist (404). The form's CSRF check does not
apply (create_app exempts this blueprint): the signature is the check.
"""

import hashlib
import hmac

from flask import Blueprint, abort, current_app, request

from ..core.queue import enqueue
from .tasks import sync_positions

bp = Blueprint("hooks", __name__)


@bp.post("/hooks/git")
def git_pushed() -> tuple[str, int]:
    secret = str(current_app.config["GIT_HOOK_SECRET"]).encode()
    if not secret:
        abort(404)
    signature = request.headers.get("X-Hub-Signature-256", "")
    token = request.headers.get("X-Gitlab-Token", "")
    if not signature and not token:
        abort(401)
    if not (_signed(secret, signature) or (token and hmac.compare_digest(token.encode(), secret))):
        abort(403)
    enqueue("a look at the forge", sync_positions)
    return "", 202


def _signed(secret: bytes, signature: str) -> bool:
    """Whether `sha256=<hex>` is the HMAC-SHA256 of this request's body under secret."""
    if not signature.startswith("sha256="):
        return False
    expected = hmac.new(secret, request.get_data(cache=True), hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature.removeprefix("sha256=").encode(), expected.encode())

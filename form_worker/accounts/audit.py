"""The audit log: every staff action, in the same transaction as the change it records."""

import json

from sqlalchemy.orm import Session

from .models import AuditEntry


def record(session: Session, actor: str, action: str, target: str = "", **detail: object) -> AuditEntry:
    entry = AuditEntry(
        actor=actor, action=action, target=target, detail=json.dumps(detail, ensure_ascii=False, default=str)
    )
    session.add(entry)
    return entry

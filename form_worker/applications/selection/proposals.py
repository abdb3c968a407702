"""Selection together (遴选录用, the notice: 市项目办组织高校、设岗单位遴选，确定拟录用人员名单).

A unit proposes a filed candidate for one of its positions; the office confirms the proposed list
(bulk or one by one, on its application queue), each university sees its own students on it; only
then may the unit offer. One proposal at a time per applicant, as one offer at a time: while a unit
holds a proposal, other units' choices wait. The state machine (services.transition) makes each
move; this module keeps the choice the proposal is for.
"""

from sqlalchemy.orm import Session

from ...catalogue.positions import Positions
from .. import services
from ..models import Choice
from ..services import TransitionRefused

WITHDRAWN_BY_UNIT = "单位撤回拟录用"


def propose(
    session: Session, choice: Choice, actor: str, note: str, mail_from: str, positions: Positions
) -> None:
    """Put the candidate on the proposed list for this choice's position; the caller commits."""
    application = choice.application
    if choice.outcome:
        raise TransitionRefused("这个志愿已有结果，不能再列入拟录用名单")
    if application.state != "filed":
        raise TransitionRefused("这位候选人已在其他岗位的拟录用或录用流程中，请等待结果", conflict=True)
    entry = positions.by_id.get(choice.position_id)
    title = entry.position.title if entry is not None else choice.position_id
    reason = "；".join(filter(None, [f"拟录用岗位：{title}", note.strip()]))
    services.transition(session, application, "proposed", actor, reason, mail_from)
    choice.proposed = True


def withdraw(session: Session, choice: Choice, actor: str, mail_from: str) -> None:
    """The unit takes its proposal back before the office confirmed it; the caller commits."""
    if not choice.proposed or choice.application.state != "proposed":
        raise TransitionRefused("这位候选人不在贵单位的待确认拟录用名单上", conflict=True)
    services.transition(session, choice.application, "filed", actor, WITHDRAWN_BY_UNIT, mail_from)


def proposed_choice(choices: list[Choice]) -> Choice | None:
    """The choice the application is proposed (or confirmed) for, if any."""
    return next((c for c in choices if c.proposed), None)

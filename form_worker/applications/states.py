"""The application's states, their Chinese labels, and which move may follow which (DESIGN §4)."""

STATE_LABELS = {
    "submitted": "已提交",
    "checked": "已通过初步核验，等待高校遴选推荐",
    "recommended_by_university": "高校已推荐",
    "approved_by_city_office": "市项目办审核通过",
    "filed": "已报全国项目管理室备案",
    "proposed": "单位拟录用，待市项目办确认",
    "confirmed": "已列入拟录用名单，请留意单位的正式录用邮件",
    "offered": "已获录用",
    "agreement_signed": "已签订见习协议",
    "active": "见习中",
    "completed": "见习结束",
    "withdrawn": "已撤回",
    "rejected": "未通过",
}
# States an applicant hears about by email; "submitted" has its own receipt, and a unit's proposal
# is told once the office has confirmed it (遴选录用: the list is fixed together).
NOTIFY = set(STATE_LABELS) - {"submitted", "proposed"}

# The programme's order (DESIGN §4); each open state may also end in withdrawn or rejected.
CHAIN = (
    "submitted",
    "checked",
    "recommended_by_university",
    "approved_by_city_office",
    "filed",
    "proposed",
    "confirmed",
    "offered",
    "agreement_signed",
    "active",
    "completed",
)
OPEN_STATES = CHAIN[:-1]
CLOSED_STATES = ("completed", "withdrawn", "rejected")
NEEDS_REASON = {"withdrawn", "rejected"}
ALLOWED: dict[str, tuple[str, ...]] = {state: () for state in CLOSED_STATES}
ALLOWED.update((state, (CHAIN[i + 1], "withdrawn", "rejected")) for i, state in enumerate(OPEN_STATES))
# What staff press to reach each state, so buttons name the action rather than the result.
ACTION_LABELS = {
    "checked": "通过初步核验",
    "recommended_by_university": "登记高校推荐",
    "approved_by_city_office": "市项目办审核通过",
    "filed": "登记全国备案",
    "proposed": "列入拟录用名单",
    "confirmed": "确认拟录用",
    "offered": "录用",
    "agreement_signed": "登记已签协议",
    "active": "登记已上岗",
    "completed": "登记见习结束",
    "withdrawn": "撤回报名",
    "rejected": "不予通过",
}

# Which party takes which step (DESIGN §1): a university recommends or declines its students; a
# unit offers, records the agreement and the start and end. The office may take any step, as it
# keys in what arrives by email from a party without an account.
PARTY_MOVES: dict[str, dict[str, tuple[str, ...]]] = {
    "university": {"checked": ("recommended_by_university", "rejected")},
    "unit": {
        "filed": ("proposed",),
        "proposed": ("filed",),
        "confirmed": ("offered",),
        "offered": ("agreement_signed",),
        "agreement_signed": ("active",),
    },
}
# Selection together (遴选录用, the notice): a unit proposes a filed candidate for one of its
# positions (proposed), the office confirms the proposed list (confirmed), and only then may the
# unit offer. A proposal goes back to filed when the unit withdraws it or the office does not
# confirm it (with a reason), as a confirmed one does when the office takes it off the list. The
# office may still offer a filed applicant directly, for a unit without an account it keys in.
ALLOWED["filed"] += ("offered",)
ALLOWED["proposed"] += ("filed",)
ALLOWED["confirmed"] += ("filed",)
BACK_TO_FILED = ("proposed", "confirmed")
# The office sends a recommended application back to its university with a note.
RETURN_TO_UNIVERSITY = ("recommended_by_university", "checked")
ALLOWED["recommended_by_university"] += ("checked",)
# A unit sees an application once it is filed nationally (DESIGN §4): the states from there on.
UNIT_STATES = ("filed", "proposed", "confirmed", "offered", "agreement_signed", "active", "completed")
# How one choice ended at its unit, as the applicant and the unit read it.
CHOICE_OUTCOMES = {
    "not_selected": "未被录用",
    "declined": "申请人已谢绝录用",
    "lapsed": "录用逾期未答复，已失效",
    "accepted": "申请人已接受录用",
    "withdrawn": "申请人已接受其他岗位或撤回",
}


def action_label(from_state: str, to_state: str) -> str:
    """The button's words for this move (sending back reads differently from checking)."""
    if (from_state, to_state) == RETURN_TO_UNIVERSITY:
        return "退回高校重新遴选"
    if from_state in BACK_TO_FILED and to_state == "filed":
        return "不予确认，退回单位" if from_state == "proposed" else "移出拟录用名单"
    return ACTION_LABELS[to_state]


# What a bulk action may do to selected rows: the review steps, confirming the proposed list, and
# ending an application. Filing
# goes through the filing batch (review/filing.py), an offer, the agreement and the start need
# one placement's records each.
BULK_TARGETS = (
    "recommended_by_university",
    "approved_by_city_office",
    "checked",
    "confirmed",
    "rejected",
    "withdrawn",
)

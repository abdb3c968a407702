"""The application's states, their Chinese labels, and which move may follow which (DESIGN §4)."""

STATE_LABELS = {
    "submitted": "已提交",
    "checked": "已通过初步核验，等待高校遴选推荐",
    "recommended_by_university": "高校已推荐",
    "approved_by_city_office": "市项目办审核通过",
    "filed": "已报全国项目管理室备案",
    "offered": "已获录用",
    "agreement_signed": "已签订见习协议",
    "active": "见习中",
    "completed": "见习结束",
    "withdrawn": "已撤回",
    "rejected": "未通过",
}
# States an applicant hears about by email; "submitted" has its own receipt.
NOTIFY = set(STATE_LABELS) - {"submitted"}

# The programme's order (DESIGN §4); each open state may also end in withdrawn or rejected.
CHAIN = (
    "submitted",
    "checked",
    "recommended_by_university",
    "approved_by_city_office",
    "filed",
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
    "offered": "录用",
    "agreement_signed": "登记已签协议",
    "active": "登记已上岗",
    "completed": "登记见习结束",
    "withdrawn": "撤回报名",
    "rejected": "不予通过",
}

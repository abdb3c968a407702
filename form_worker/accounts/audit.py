"""The audit log: every staff action, in the same transaction as the change it records."""

import json

from sqlalchemy import insert
from sqlalchemy.orm import Session

from .models import AuditEntry

# Every action the log may hold, with the label the audit page shows; record() refuses others, so
# the page can name everything it lists.
ACTIONS = {
    "login": "登录",
    "logout": "退出登录",
    "application_transition": "报名状态变更",
    "export": "导出报名名单",
    "filing_export": "导出全国备案名单并登记备案",
    "filing_download": "下载全国备案批次",
    "shortlist": "遴选入围",
    "choice_not_selected": "登记未录用",
    "allowance_approval": "批准生活费低于公布标准",
    "export_sensitive": "导出报名名单（含敏感信息）",
    "view_sensitive": "查看报名的敏感个人信息",
    "view_priority_mark": "查看“同等条件下优先考虑”标记",
    "export_catalogue": "导出岗位征集表",
    "export_national": "导出系统录入对照表",
    "outbox_resend": "重新发送邮件",
    "account_create": "新建账号",
    "account_upload": "按名单新建高校或区县账号",
    "account_invite": "重发设置密码链接",
    "account_hand_over": "单位账号转交新联系人",
    "password_set": "通过邀请链接设置密码",  # nosec B105  # a label, not a password
    "account_deactivate": "停用账号",
    "account_activate": "启用账号",
    "account_password_reset": "重置密码",  # nosec B105  # a label, not a password
    "password_change": "修改自己的密码",  # nosec B105  # a label, not a password
    "account_unlock": "解除登录锁定",
    "submission_approved": "通过岗位申报并发布",
    "submission_publish_retry": "重新发布岗位申报",
    "submission_changes_requested": "请单位修改岗位申报",
    "submission_rejected": "岗位申报不予通过",
    "workfile_attendance": "登记考勤",
    "workfile_attendance_upload": "上传月度考勤表",
    "workfile_task": "登记见习任务",
    "workfile_note": "记录见习表现",
    "workfile_allowance": "登记生活费发放",
    "workfile_evaluation": "提交导师评价",
    "workfile_case": "登记典型案例",
    "workfile_destination": "登记见习学生去向",
    "destination_confirmed": "见习学生确认或更正去向",
    "intern_rating": "见习学生评价本次见习",
    "unit_confirmation_request": "请区县人力社保部门确认见习单位",
    "unit_confirmation_answer": "区县人力社保部门答复见习单位认定",
    "workfile_plan": "填写培养计划",
    "workfile_plan_signed": "登记导师确认培养计划",
    "plan_read": "见习学生确认已阅读培养计划",
    "log_saved": "见习学生保存周志草稿",
    "log_submitted": "见习学生提交周志",
    "report_saved": "见习学生保存见习总结草稿",
    "report_submitted": "见习学生提交见习总结",
    "log_reviewed": "导师审阅周志或见习总结",
    "showcase_consent": "见习学生答复是否公开典型案例",
    "showcase_approved": "批准在成果展示公开典型案例",
    "showcase_withdrawn": "从成果展示撤下典型案例",
    "showcase_figures": "审定成果展示的年度数据",
    "stats_export": "导出统计表",
    "stats_view_sensitive": "查看优先考虑情形统计",
    "report_subsidy": "导出见习补贴申领名单",
    "report_summary": "导出总结评估",
    "certificate_view": "查看见习证明",
    "feedback_forward": "将岗位问题反馈转交设岗单位",
    "feedback_close": "关闭岗位问题反馈",
    "retention_purge": "按保存期限清理个人信息",
    "applicant_export": "应本人请求导出个人信息",
    "applicant_erase": "应本人请求删除个人信息",
}


def _checked(action: str) -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to ACTIONS with its label")
    return action


def record(session: Session, actor: str, action: str, target: str = "", **detail: object) -> AuditEntry:
    """Stage one entry in the caller's transaction, so it lands with the change it records."""
    entry = AuditEntry(
        actor=actor,
        action=_checked(action),
        target=target,
        detail=json.dumps(detail, ensure_ascii=False, default=str),
    )
    session.add(entry)
    return entry


def record_many(session: Session, actor: str, action: str, targets: list[str], **detail: object) -> None:
    """One entry per target of a bulk action, inserted at once in the caller's transaction."""
    text = json.dumps(detail, ensure_ascii=False, default=str)
    rows = [{"actor": actor, "action": _checked(action), "target": t, "detail": text} for t in targets]
    if rows:
        session.execute(insert(AuditEntry.__table__), rows)

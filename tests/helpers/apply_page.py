"""The graduate's application form in a browser: open it for a position and fill it in."""

import json
from pathlib import Path

from playwright.sync_api import Page


def open_graduate_position(site: Path) -> dict:
    """An open 科技见习 position a 本科 graduate of this year may take, as positions.json lists it."""
    positions = json.loads((site / "positions.json").read_text(encoding="utf-8"))["positions"]
    for position in positions:
        eligible = position["track"] == "科技见习" and position["education"] != "硕士"
        if position["state"] == "open" and eligible:
            return position
    raise AssertionError("the sample catalogue has no open 科技见习 position for 本科 graduates")


def fill_applicant(page: Page, name: str, phone: str, email: str) -> None:
    """The /apply form's personal part as a 本科 graduate of this year fills it in, with consent."""
    page.get_by_label("姓名", exact=True).fill(name)
    page.get_by_label("手机号", exact=True).fill(phone)
    page.get_by_label("电子邮箱", exact=True).fill(email)
    page.get_by_label("毕业（就读）学校").fill("重庆大学")
    page.get_by_label("专业", exact=True).fill("机械工程")
    page.get_by_label("专业所属学科门类").select_option("工学")
    page.get_by_label("学历", exact=True).select_option("本科")
    page.get_by_label("毕业时间（在校生填预计毕业时间）").fill("2026-06")
    page.get_by_role("radio", name="应届毕业生").check()
    page.get_by_role("radio", name="已注册").check()
    page.get_by_label("我已阅读并同意《个人信息处理说明》").check()

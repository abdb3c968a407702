"""The office's forms on the showcase pages: a case's published text, and the figures to approve."""

from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Length

from site_builder.model.showcase import STORY_MAX

from ..core.forms import Form, required
from .services import TITLE_MAX


class CaseForm(Form):
    """The text a case publishes: the unit's story, lightly edited by the office."""

    title = StringField(
        "标题", [required("标题"), Length(max=TITLE_MAX, message=f"标题最多 {TITLE_MAX} 个字")],
        render_kw={"maxlength": TITLE_MAX},
    )  # fmt: skip
    story = TextAreaField(
        "公开的案例正文（可略作修改：删去电话、邮箱等个人信息，润色文字）",
        [required("案例正文"), Length(min=10, max=STORY_MAX, message=f"正文应为 10 到 {STORY_MAX} 个字")],
        render_kw={"rows": 8, "maxlength": STORY_MAX},
    )


class FiguresForm(Form):
    """Approving a year's figures exactly as the page showed them."""

    year = HiddenField()
    seen = HiddenField()

"""Forms of the office and the universities moving applications: one at a time, in bulk, and the
office's offer."""

from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length

from ...core.forms import Form

# Staff area. Every form carries the state the staff member saw, so a stale page cannot act.


class TransitionForm(Form):
    """Moves an application; the button pressed names the new state (`to_state`)."""

    state = HiddenField()
    to_state = StringField()
    reason = TextAreaField(
        "原因或说明（不予通过、撤回时必填；会写入邮件告知申请人）",
        [Length(max=1000, message="最多 1000 个字")],
    )


class OfferForm(Form):
    """Offers a place: a position among the applicant's choices and one of its mentors.

    It shares the application's page with TransitionForm, so its ids differ (a label finds its own
    box); the names stay what the offer view reads.
    """

    state = HiddenField(id="offer-state")
    position = SelectField("录用岗位", validate_choice=False)
    mentor = SelectField("见习导师", validate_choice=False)
    reason = TextAreaField(
        "说明（可不填；会写入邮件告知申请人）",
        [Length(max=1000, message="最多 1000 个字")],
        id="offer-reason",
    )


class BulkForm(Form):
    """Selected rows of a work list (checkboxes named `ids`) and what to do with them."""

    state = HiddenField()
    ids = SelectMultipleField(validate_choice=False)  # read through core.forms.row_ids
    action = StringField()
    reason = TextAreaField(
        "原因或说明（不予推荐、退回、不予通过时必填；会写入邮件告知申请人）",
        [Length(max=1000, message="最多 1000 个字")],
        render_kw={"rows": 2},
    )

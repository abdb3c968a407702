"""The /submit pages as the views render them: the form, the check page, where the form posts, and
the office's link in the emails a submission causes."""

import datetime as dt

from flask import current_app, render_template, url_for

from site_builder.model.window import Window

from ..catalogue.positions import current_positions
from ..core import clock
from ..core.urls import external
from . import drafts
from .folders import published_positions
from .forms import SpreadsheetForm, SubmitForm
from .pages import error_list, hidden_pairs
from .services import Draft, late_arrival


def collection_window(now: dt.datetime) -> Window:
    """The collection window at now (COLLECTION_CLOSES), as /submit shows it."""
    return Window.at(now, current_app.config["COLLECTION_CLOSES"])


def render_form(
    form: SubmitForm,
    submission=None,
    notice: str = "",
    upload: SpreadsheetForm | None = None,
    upload_problems: list[str] | None = None,
    status: int = 200,
    link: drafts.Link | None = None,
):
    """The form page, with each mentor row labelled by its number."""
    for entry in form.positions:
        for row, mentor in enumerate(entry.form.mentors, start=1):
            mentor.form.name.label.text = f"导师 {row} 姓名"
            mentor.form.title.label.text = f"导师 {row} 职务或职称"
    return (
        render_template(
            "submit/form.html",
            form=form,
            errors=error_list(form),
            submission=submission,
            action_url=action_url(submission, link),
            draft_link=link,
            notice=notice,
            upload=upload or SpreadsheetForm(formdata=None),
            upload_problems=upload_problems or [],
            window=collection_window(clock.now()),
        ),
        status,
    )


def action_url(submission, link: drafts.Link | None = None) -> str:
    """Where the form posts: the sent-back submission's link, the draft's link, or /submit."""
    if submission is not None:
        return url_for("submit.resubmit", token=submission.token)
    if link is not None:
        return url_for("submit.continue_draft", token=link.token)
    return url_for("submit.step")


def render_check(form: SubmitForm, draft: Draft, submission=None, link: drafts.Link | None = None):
    """The check page: the answers as they will be published, beside what is published now, and
    whether confirming them now would arrive late."""
    current = current_positions()
    published = published_positions(current, draft.unit_slug) if draft.is_edit else {}
    now = clock.now()
    window = collection_window(now)
    return render_template(
        "submit/check.html",
        form=form,
        draft=draft,
        hidden=hidden_pairs(form),
        published=published,
        submission=submission,
        action_url=action_url(submission, link),
        window=window,
        late=late_arrival(draft, now, window.closes, submission) is not None,
    )


def office_url() -> str:
    """The office's detail page of a submission, absolute, with {id} for the submission's id."""
    return external("submission_review.submission", submission_id=0).removesuffix("0") + "{id}"


def plain(problem) -> str:
    """A spreadsheet problem as the clerk reads it (no file:sheet:row:col)."""
    plain = getattr(problem, "plain", None)
    return plain() if callable(plain) else str(problem)

"""A second yardstick for bench/apply.py: the least any /apply built on the chosen libraries must do.

Flask with Flask-WTF's CSRF on every POST, the worker's own ApplyForm filled with today's positions
and validated, one INSERT of the application row through SQLAlchemy with the worker's engine, the
reference kept in the session, a 303 to the done page. No claims, choices, history, emails, queue or
rate limit. Run it in place of the worker to see how close the worker is to this floor, and what
ratio to the bare insert the floor itself reaches:

    .venv/bin/python bench/apply.py --load-only --worker-app 'form_floor:create()'
"""

from pathlib import Path

from flask import Flask, current_app, redirect, render_template_string, request, session
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import insert

from form_worker.applications.intake.forms import ApplyForm
from form_worker.applications.intake.views import fill_choices, today
from form_worker.applications.models import Application
from form_worker.catalogue.positions import PositionSource, current_positions
from form_worker.core import config, db
from site_builder.clock import today_in_chongqing

PAGE = '<input name="csrf_token" type="hidden" value="{{ csrf_token() }}">'
DONE = '<p id="reference">{{ reference }}</p>'


def create() -> Flask:
    app = Flask(__name__)
    app.config.update(config.load(), WTF_I18N_ENABLED=False, CLOCK=today_in_chongqing)
    db.init_app(app)
    CSRFProtect(app)
    app.extensions["jianxi.positions"] = PositionSource(Path(app.config["POSITIONS_ROOT"]))

    @app.get("/apply")
    def start():
        return render_template_string(PAGE)

    @app.post("/apply")
    def step():
        form = ApplyForm()
        fill_choices(form, current_positions(), today())
        if not form.validate():
            return form.errors, 422
        if request.form.get("step") != "confirm":
            return render_template_string(PAGE)
        table = Application.__table__
        fields = ("name", "phone", "email", "university", "major", "degree", "graduation", "current_status")
        row = {name: form[name].data for name in fields} | {"statement": form.statement.data or ""}
        database = db.get_session()
        new_id = database.connection().execute(insert(table).returning(table.c.id), row).scalar_one()
        database.commit()
        session["reference"] = f"JX{current_app.config['PROGRAMME_YEAR']}-{new_id:06d}"
        return redirect("/apply/done", code=303)

    @app.get("/apply/done")
    def done():
        return render_template_string(DONE, reference=session.get("reference", ""))

    return app

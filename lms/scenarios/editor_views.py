"""Form-based authoring of a draft scenario version (the YAML textarea stays as the advanced
editor). Plain forms, no JS. Every save re-serialises the document, validates it as an import
would and stores the draft even with errors; the report is shown at the top of every page.

Routes live on the scenarios blueprint (``blueprint.bp``): this module creates a draft and
edits its overview, metadata and variables; ``editor_node_views`` edits its nodes and choices;
the helpers both use are in ``editor_pages``. views.py imports both route modules.
"""

from __future__ import annotations

import decimal

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from lms.auth.permissions import requires
from lms.db import db
from lms.errors import LmsError
from lms.scenarios import editor, names
from lms.scenarios import services as sv
from lms.scenarios.blueprint import bp, draw, owner_units
from lms.scenarios.editor_pages import _editable_draft, _home, _page, _save
from lms.scenarios.forms import (
    AddNodeForm,
    ConfirmForm,
    MetadataForm,
    NewScenarioForm,
    StartForm,
    StartNodeForm,
    VariablesForm,
    WorkflowForm,
)
from lms.scenarios.models import STATUS_LABELS, Scenario
from lms.scenarios.validate import FIELDS, known_codes
from lms.web import now

# --- create and overview --------------------------------------------------------------------


@bp.route("/manage/new-form", methods=["GET", "POST"])
@requires("scenarios.author")
def create_with_forms():
    form = NewScenarioForm()
    units = owner_units()
    form.owner_unit_id.choices = [SelectChoice(u.id, u.name) for u in units]
    error = None
    if form.validate_on_submit():
        unit = next((u for u in units if u.id == form.owner_unit_id.data), current_user.unit)
        try:
            scenario = sv.create_blank(db.session, current_user, form.code.data, form.title.data, unit, now())
        except LmsError as exc:
            db.session.rollback()
            error = exc.message
        else:
            db.session.commit()
            flash(_("Đã tạo bản nháp. Hãy điền thông tin chung rồi thêm các nút."), "success")
            return redirect(url_for(".author_meta", public_id=scenario.public_id))
    status = 400 if request.method == "POST" else 200
    return render_template("scenarios/author_new.html", form=form, error=error), status


@bp.get("/manage/<public_id>/author")
@requires("scenarios.author")
def author(public_id: str):
    scenario = _editable_draft(public_id)
    return _overview(scenario, AddNodeForm())


def _overview(scenario: Scenario, add_form: AddNodeForm, error: str | None = None, status: int = 200):
    doc = scenario.doc
    start_form = StartNodeForm()
    start_form.start.choices = [SelectChoice(i) for i in editor.node_ids(doc)]
    start_form.start.data = doc.get("start")
    rows = [
        {"node": n, "targets": editor.outgoing(n), "referrers": editor.referrers(doc, n["id"])}
        for n in doc.get("nodes") or []
    ]
    return _page(
        "scenarios/author.html",
        scenario,
        status,
        rows=rows,
        graph=draw(doc, scenario),
        add_form=add_form,
        add_error=error,
        start_form=start_form,
        confirm=ConfirmForm(),
        play_form=StartForm(),
        wf=WorkflowForm(),
        labels=STATUS_LABELS,
    )


@bp.post("/manage/<public_id>/author/nodes")
@requires("scenarios.author")
def author_add_node(public_id: str):
    scenario = _editable_draft(public_id)
    form = AddNodeForm()
    if not form.validate_on_submit():
        return _overview(scenario, form, status=400)
    doc = scenario.doc
    try:
        editor.add_node(doc, form.node_id.data, form.kind.data, form.title.data)
    except LmsError as exc:
        return _overview(scenario, form, error=exc.message, status=400)
    _save(scenario, doc, f"add node {form.node_id.data}")
    return redirect(url_for(".author_node", public_id=public_id, node_id=form.node_id.data.strip()))


@bp.post("/manage/<public_id>/author/start")
@requires("scenarios.author")
def author_start(public_id: str):
    scenario = _editable_draft(public_id)
    form = StartNodeForm()
    doc = scenario.doc
    form.start.choices = [SelectChoice(i) for i in editor.node_ids(doc)]
    if not form.validate_on_submit():
        flash(_("Hãy chọn một nút có trong danh sách làm nút bắt đầu."), "error")
        return _home()
    editor.set_start(doc, form.start.data)
    _save(scenario, doc, f"start {form.start.data}")
    return _home()


# --- metadata and variables -----------------------------------------------------------------


def _meta_choices(form: MetadataForm) -> None:
    from lms.org.services import load_reference_data

    data = load_reference_data()
    known = known_codes()
    form.field.choices = [SelectChoice("", _("— Chọn lĩnh vực —"))] + [
        SelectChoice(f, names.field_name(f)) for f in FIELDS
    ]
    form.titles.choices = [
        SelectChoice(t["code"], t["name"]) for t in data["titles"] if t["code"] in known["titles"]
    ]
    form.target_groups.choices = [
        SelectChoice(g["code"], g["name"])
        for g in data["target_groups"]
        if g["code"] in known["target_groups"]
    ]


@bp.route("/manage/<public_id>/author/meta", methods=["GET", "POST"])
@requires("scenarios.author")
def author_meta(public_id: str):
    scenario = _editable_draft(public_id)
    doc = scenario.doc
    if request.method == "GET":
        values = {k: doc[k] for k in editor.META_KEYS if k in doc}
        form = MetadataForm(formdata=None, data=_meta_form_data(values))
    else:
        form = MetadataForm()
    _meta_choices(form)
    if form.validate_on_submit():
        editor.set_metadata(
            doc,
            {
                "title": form.title.data,
                "field": form.field.data,
                "target_groups": form.target_groups.data,
                "titles": form.titles.data,
                "legal_basis": form.legal_basis.data,
                "as_of": form.as_of.data.isoformat(),
                "estimated_minutes": form.estimated_minutes.data,
                "pass_mark": editor.number(form.pass_mark.data),
                "rubric_weight": editor.number(form.rubric_weight.data),
                "allow_retry": bool(form.allow_retry.data),
                "attempts_allowed": form.attempts_allowed.data,
                "grading_method": form.grading_method.data,
            },
        )
        _save(scenario, doc, "metadata")
        return _home()
    return _page("scenarios/author_meta.html", scenario, 400 if request.method == "POST" else 200, form=form)


def _meta_form_data(values: dict) -> dict:
    import datetime as dt

    data = dict(values)
    if isinstance(data.get("as_of"), str):
        try:
            data["as_of"] = dt.date.fromisoformat(data["as_of"])
        except ValueError:
            data.pop("as_of")
    for key in ("pass_mark", "rubric_weight"):
        if key in data:
            data[key] = decimal.Decimal(str(data[key]))
    return data


@bp.route("/manage/<public_id>/author/variables", methods=["GET", "POST"])
@requires("scenarios.author")
def author_variables(public_id: str):
    scenario = _editable_draft(public_id)
    doc = scenario.doc
    form = VariablesForm()
    error = None
    if request.method == "GET":
        form.variables.data = editor.format_variables(doc)
    elif form.validate_on_submit():
        try:
            editor.set_variables(doc, editor.parse_variables(form.variables.data or ""))
        except LmsError as exc:
            error = exc.message
        else:
            _save(scenario, doc, "variables")
            return _home()
    status = 400 if request.method == "POST" else 200
    return _page("scenarios/author_variables.html", scenario, status, form=form, error=error)

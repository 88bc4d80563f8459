"""Form-based authoring of a draft scenario version (the YAML textarea stays as the advanced
editor). Plain forms, no JS. Every save re-serialises the document, validates it as an import
would and stores the draft even with errors; the report is shown at the top of every page.

Routes live on the scenarios blueprint (``views.bp``); views.py imports this module.
"""

from __future__ import annotations

import decimal
import math
import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from lms.auth.permissions import authorize, requires
from lms.db import db
from lms.errors import LmsError
from lms.scenarios import editor, names
from lms.scenarios import services as sv
from lms.scenarios.forms import (
    AddNodeForm,
    ChoiceForm,
    ConfirmForm,
    MetadataForm,
    NewScenarioForm,
    NodeForm,
    StartForm,
    StartNodeForm,
    VariablesForm,
    WorkflowForm,
)
from lms.scenarios.graph import fmt_points
from lms.scenarios.models import STATUS_LABELS, Scenario
from lms.scenarios.validate import FIELDS, known_codes
from lms.scenarios.views import _owner_units, bp, draw
from lms.web import now

MAX_CRITERIA, MAX_LEVELS = 20, 10


def _draft(public_id: str) -> Scenario:
    scenario = sv.get_scenario(db.session, public_id)
    authorize("scenarios.author", scenario)
    return scenario


def _not_editable(scenario: Scenario):
    flash(_("Phiên bản này không sửa được (đã gửi duyệt hoặc đã ban hành); hãy tạo phiên bản mới."), "error")
    return redirect(url_for(".detail", public_id=scenario.public_id))


def _save(scenario: Scenario, doc: dict, what: str) -> None:
    checked = sv.save_document(db.session, scenario, current_user, doc, now(), what)
    db.session.commit()
    if checked.ok:
        flash(
            _(
                "Đã lưu. Hợp lệ: điểm thấp nhất %(lo)s, cao nhất %(hi)s.",
                lo=fmt_points(checked.min_points),
                hi=fmt_points(checked.max_points),
            ),
            "success",
        )
    else:
        flash(
            _("Đã lưu bản nháp; còn %(n)s lỗi cần sửa trước khi gửi duyệt.", n=len(checked.problems)),
            "warning",
        )


def _report(scenario: Scenario) -> editor.Report:
    doc = scenario.doc
    return editor.report(doc, sv.check_document(scenario))


def _page(template: str, scenario: Scenario, status: int = 200, **context):
    return render_template(
        template,
        scenario=scenario,
        doc=scenario.doc,
        report=_report(scenario),
        kinds=editor.KIND_LABELS,
        fmt_points=fmt_points,
        **context,
    ), status


def _home():
    return redirect(url_for(".author", public_id=request.view_args["public_id"]))


# --- create and overview --------------------------------------------------------------------


@bp.route("/manage/new-form", methods=["GET", "POST"])
@requires("scenarios.author")
def create_with_forms():
    form = NewScenarioForm()
    units = _owner_units()
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
    scenario = _draft(public_id)
    if not scenario.editable:
        return _not_editable(scenario)
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
    scenario = _draft(public_id)
    if not scenario.editable:
        return _not_editable(scenario)
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
    scenario = _draft(public_id)
    if not scenario.editable:
        return _not_editable(scenario)
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
    scenario = _draft(public_id)
    if not scenario.editable:
        return _not_editable(scenario)
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
    scenario = _draft(public_id)
    if not scenario.editable:
        return _not_editable(scenario)
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


# --- nodes ----------------------------------------------------------------------------------


def _targets_for(doc: dict, node_id: str) -> list[SelectChoice]:
    options = [SelectChoice("", _("— Chưa chọn —"))]
    for node in doc.get("nodes") or []:
        if node["id"] != node_id:
            options.append(SelectChoice(node["id"], f"{node['id']} · {node.get('title', '')}"))
    return options


def _number_or_error(raw: str, where: str, errors: list[str]) -> int | float:
    try:
        value = float(raw.strip().replace(",", "."))
    except ValueError:
        errors.append(_("%(w)s: điểm “%(v)s” phải là một số.", w=where, v=raw))
        return 0
    if not math.isfinite(value) or not 0 <= value <= 1000:
        errors.append(_("%(w)s: điểm phải từ 0 đến 1000.", w=where))
        return 0
    return editor.number(value)


def _count(form: MultiDict, key: str, limit: int) -> int:
    try:
        return max(0, min(int(form.get(key, "0")), limit))
    except ValueError:
        return 0


def _rubric_from_form(form: MultiDict) -> tuple[list[dict], list[str]]:
    """The criteria × levels grid: crit-I, lvl-I-J-label, lvl-I-J-points (counts in hidden fields)."""
    rubric, errors = [], []
    for i in range(_count(form, "crit-count", MAX_CRITERIA)):
        levels = []
        for j in range(_count(form, f"lvl-count-{i}", MAX_LEVELS)):
            where = _("Tiêu chí %(i)s, mức %(j)s", i=i + 1, j=j + 1)
            points = _number_or_error(form.get(f"lvl-{i}-{j}-points", "0"), where, errors)
            levels.append({"label": form.get(f"lvl-{i}-{j}-label", "").strip()[:500], "points": points})
        rubric.append({"criterion": form.get(f"crit-{i}", "").strip()[:1000], "levels": levels})
    return rubric, errors


@bp.route("/manage/<public_id>/author/nodes/<node_id>", methods=["GET", "POST"])
@requires("scenarios.author")
def author_node(public_id: str, node_id: str):
    scenario = _draft(public_id)
    if not scenario.editable:
        return _not_editable(scenario)
    doc = scenario.doc
    node = editor.find_node(doc, node_id)  # LmsError → 400 page for an unknown id
    form = NodeForm(formdata=None, data=_node_data(node)) if request.method == "GET" else NodeForm()
    form.next.choices = _targets_for(doc, node_id)
    rubric = [dict(c, levels=[dict(level) for level in c["levels"]]) for c in node.get("rubric") or []]
    errors: list[str] = []
    if request.method == "POST" and node["kind"] == "response":
        rubric, errors = _rubric_from_form(request.form)  # kept on screen even when the form fails
    if form.validate_on_submit():
        op = request.form.get("op", "save")
        if node["kind"] == "response":
            if not errors and op != "save":
                try:
                    if op == "add-criterion" and len(rubric) >= MAX_CRITERIA:
                        raise LmsError(_("Tối đa %(n)s tiêu chí.", n=MAX_CRITERIA))
                    rubric = editor.rubric_op(rubric, op)
                except LmsError as exc:
                    errors.append(exc.message)
        if not errors:
            try:
                editor.update_node(doc, node_id, _node_values(form, node["kind"]))
            except LmsError as exc:
                errors.append(exc.message)
        if not errors:
            if node["kind"] == "response":
                editor.find_node(doc, node_id)["rubric"] = rubric
            _save(scenario, doc, f"edit node {node_id}")
            anchor = "rubric" if op != "save" else ""
            return redirect(url_for(".author_node", public_id=public_id, node_id=node_id, _anchor=anchor))
    status = 400 if request.method == "POST" else 200
    return _page(
        "scenarios/author_node.html",
        scenario,
        status,
        node=node,
        form=form,
        rubric=rubric,
        errors=errors,
        confirm=ConfirmForm(),
        referrers=editor.referrers(doc, node_id),
        effects=editor.format_effects,
    )


def _node_data(node: dict) -> dict:
    data = {k: node.get(k) for k in ("title", "text", "prompt", "model_answer", "outcome", "commentary")}
    data["next"] = node.get("next") or ""
    if node.get("score") is not None:
        data["score"] = decimal.Decimal(str(node["score"]))
    words = node.get("expected_words")
    if words is not None:
        data["expected_words"] = "-".join(str(w) for w in words) if isinstance(words, list) else str(words)
    return data


def _expected_words(raw: str | None) -> int | list[int] | None:
    """"150" → 150, "150-200" → [150, 200], "" → None (the form's Regexp checked the shape)."""
    numbers = [int(n) for n in re.findall(r"\d+", raw or "")]
    if not numbers:
        return None
    return numbers[0] if len(numbers) == 1 or numbers[0] == numbers[1] else numbers[:2]


def _node_values(form: NodeForm, kind: str) -> dict:
    values = {
        "title": form.title.data,
        "text": form.text.data,
        "prompt": form.prompt.data,
        "model_answer": form.model_answer.data,
        "outcome": form.outcome.data,
        "commentary": form.commentary.data,
        "next": form.next.data or None,
        "score": None if form.score.data is None else editor.number(form.score.data),
        "expected_words": _expected_words(form.expected_words.data),
    }
    return {key: values[key] for key in editor.KIND_FIELDS[kind] if key in values}


@bp.post("/manage/<public_id>/author/nodes/<node_id>/delete")
@requires("scenarios.author")
def author_delete_node(public_id: str, node_id: str):
    scenario = _draft(public_id)
    if not scenario.editable:
        return _not_editable(scenario)
    if not ConfirmForm().validate_on_submit():
        return _home()
    doc = scenario.doc
    try:
        editor.delete_node(doc, node_id)
    except LmsError as exc:
        flash(exc.message, "error")
        return _home()
    _save(scenario, doc, f"delete node {node_id}")
    return _home()


# --- choices --------------------------------------------------------------------------------


@bp.route("/manage/<public_id>/author/nodes/<node_id>/choices/new", methods=["GET", "POST"])
@bp.route("/manage/<public_id>/author/nodes/<node_id>/choices/<int:index>", methods=["GET", "POST"])
@requires("scenarios.author")
def author_choice(public_id: str, node_id: str, index: int | None = None):
    scenario = _draft(public_id)
    if not scenario.editable:
        return _not_editable(scenario)
    doc = scenario.doc
    node = editor.find_node(doc, node_id)
    if node["kind"] != "decision":
        flash(_("Chỉ nút quyết định mới có phương án lựa chọn."), "error")
        return redirect(url_for(".author_node", public_id=public_id, node_id=node_id))
    choice = editor.choice_at(doc, node_id, index) if index is not None else None
    if request.method == "GET":
        form = ChoiceForm(formdata=None, data=_choice_data(choice))
    else:
        form = ChoiceForm()
    form.next.choices = _targets_for(doc, node_id)
    error = None
    if index is None and len(node.get("choices") or []) >= editor.MAX_CHOICES:
        error = _("Quyết định này đã có đủ %(n)s phương án (tối đa).", n=editor.MAX_CHOICES)
    elif form.validate_on_submit():
        try:
            editor.save_choice(
                doc,
                node_id,
                index,
                {
                    "label": form.label.data,
                    "points": form.points.data,
                    "feedback": form.feedback.data,
                    "consequence": form.consequence.data,
                    "next": form.next.data or None,
                    "set": form.effects.data,
                    "when": form.when.data,
                },
            )
        except LmsError as exc:
            error = exc.message
        else:
            _save(scenario, doc, f"choice {node_id}/{'new' if index is None else index + 1}")
            return redirect(url_for(".author_node", public_id=public_id, node_id=node_id, _anchor="choices"))
    status = 400 if request.method == "POST" or error else 200
    return _page(
        "scenarios/author_choice.html", scenario, status, node=node, form=form, index=index, error=error
    )


def _choice_data(choice: dict | None) -> dict:
    if choice is None:
        return {"points": decimal.Decimal(0)}
    data = {k: choice.get(k) for k in ("label", "feedback", "consequence", "when")}
    data["points"] = decimal.Decimal(str(choice.get("points", 0)))
    data["next"] = choice.get("next") or ""
    data["effects"] = editor.format_effects(choice)
    return data


@bp.post("/manage/<public_id>/author/nodes/<node_id>/choices/<int:index>/delete")
@requires("scenarios.author")
def author_delete_choice(public_id: str, node_id: str, index: int):
    scenario = _draft(public_id)
    if not scenario.editable:
        return _not_editable(scenario)
    if ConfirmForm().validate_on_submit():
        doc = scenario.doc
        editor.delete_choice(doc, node_id, index)  # LmsError → 400 page for a stale index
        _save(scenario, doc, f"delete choice {node_id}/{index + 1}")
    return redirect(url_for(".author_node", public_id=public_id, node_id=node_id, _anchor="choices"))

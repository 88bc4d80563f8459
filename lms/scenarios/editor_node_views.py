"""The form-based scenario editor's node and choice pages: a node's fields and rubric grid,
deleting a node, and a decision's choices (routes on the scenarios blueprint; the shared
page helpers are in ``editor_pages``)."""

from __future__ import annotations

import decimal
import math
import re

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from lms.auth.permissions import requires
from lms.errors import LmsError
from lms.scenarios import editor
from lms.scenarios.blueprint import bp
from lms.scenarios.editor_pages import _editable_draft, _home, _page, _save
from lms.scenarios.forms import ChoiceForm, ConfirmForm, NodeForm

MAX_CRITERIA, MAX_LEVELS = 20, 10


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
    scenario = _editable_draft(public_id)
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
    scenario = _editable_draft(public_id)
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
    scenario = _editable_draft(public_id)
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
    scenario = _editable_draft(public_id)
    if ConfirmForm().validate_on_submit():
        doc = scenario.doc
        editor.delete_choice(doc, node_id, index)  # LmsError → 400 page for a stale index
        _save(scenario, doc, f"delete choice {node_id}/{index + 1}")
    return redirect(url_for(".author_node", public_id=public_id, node_id=node_id, _anchor="choices"))

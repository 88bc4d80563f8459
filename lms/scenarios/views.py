"""Scenario pages: learners play (one node per page, no JS), staff author, approve, grade
and read analytics. Each view: load → authorize → validate → act → commit → respond."""

from __future__ import annotations

import time

from flask import (
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from lms.auth.models import Role
from lms.auth.permissions import authorize, can, requires, unit_scope
from lms.db import db
from lms.errors import Conflict, InvalidFile, LmsError
from lms.numerals import written
from lms.org.models import Unit
from lms.scenarios import diff as scenario_diff
from lms.scenarios import (
    drafts,
    editor_node_views,  # noqa: F401  (the form-based editor's node and choice routes, on the same blueprint)
    editor_views,  # noqa: F401  (the form-based editor's routes, on the same blueprint)
    learner,  # noqa: F401  (lists scenarios inside the learner's courses)
    names,
    permissions,  # noqa: F401  (registers the rules)
    producers,  # noqa: F401  (registers what scenarios produce for a program)
    stats,
)
from lms.scenarios import services as sv
from lms.scenarios.blueprint import bp, draw, owner_units, scenario_for
from lms.scenarios.forms import GradeForm, PlayForm, RestartForm, SourceForm, StartForm, WorkflowForm
from lms.scenarios.graph import Graph
from lms.scenarios.models import STATUS_LABELS, RunMode, RunStatus, Scenario, ScenarioRun, ScenarioStatus
from lms.web import now

# --- learners -------------------------------------------------------------------------------


@bp.get("/")
@requires("scenarios.play")
def index():
    scenarios = db.session.scalars(sv.playable_query(current_user)).all()
    runs = db.session.scalars(
        select(ScenarioRun)
        .where(ScenarioRun.user_id == current_user.id)
        .order_by(ScenarioRun.updated_at.desc())
        .limit(50)
    ).all()
    open_runs = {r.scenario_id: r for r in runs if r.status == RunStatus.in_progress}
    return render_template(
        "scenarios/index.html",
        scenarios=scenarios,
        open_runs=open_runs,
        finished=[r for r in runs if r.finished],
        has_profile=sv.profile_of(db.session, current_user) is not None,
    )


@bp.get("/<public_id>")
@requires("scenarios.play")
def intro(public_id: str):
    scenario = scenario_for(public_id, "scenarios.play")
    open_runs = {mode: sv.open_run(db.session, scenario, current_user, mode) for mode in RunMode}
    graph = Graph(scenario.doc)
    unfinished = [
        {
            "run": run,
            "node_title": graph.nodes.get(run.current_node, {}).get("title") or run.current_node,
            "blocker": sv.restart_blocker(db.session, run),
        }
        for run in (open_runs[RunMode.assessed], open_runs[RunMode.practice])
        if run is not None
    ]
    return render_template(
        "scenarios/intro.html",
        scenario=scenario,
        form=StartForm(),
        has_profile=sv.profile_of(db.session, current_user) is not None,
        used=sv.assessed_runs_used(db.session, scenario, current_user),
        open_practice=open_runs[RunMode.practice],
        open_assessed=open_runs[RunMode.assessed],
        unfinished=unfinished,
    )


@bp.post("/<public_id>/start")
@requires("scenarios.play")
def start(public_id: str):
    scenario = scenario_for(public_id, "scenarios.play")
    form = StartForm()
    if not form.validate_on_submit():
        abort(400)
    run = sv.start_run(db.session, scenario, current_user, RunMode(form.mode.data), now())
    db.session.commit()
    return redirect(url_for(".play", public_id=run.public_id))


def _own_run(public_id: str) -> ScenarioRun:
    run = sv.get_run(db.session, public_id)
    authorize("scenario_run.view", run)
    return run


def _players_run(public_id: str) -> ScenarioRun:
    """A run only its player may act on (staff may view it, never play or restart it)."""
    run = _own_run(public_id)
    if run.user_id != current_user.id:
        abort(403)
    return run


@bp.post("/runs/<public_id>/restart")
@requires("scenario_run.view")
def restart(public_id: str):
    """The "Làm lại từ đầu" button of the intro page: drop the unfinished run, start a new one."""
    run = _players_run(public_id)
    authorize("scenarios.play", run.scenario)
    if not RestartForm().validate_on_submit():
        abort(400)
    fresh = sv.restart_run(db.session, run, current_user, now())
    db.session.commit()
    return redirect(url_for(".play", public_id=fresh.public_id))


@bp.get("/runs/<public_id>")
@requires("scenario_run.view")
def play(public_id: str):
    run = _own_run(public_id)
    graph = Graph(run.scenario.doc)
    if run.finished:
        return _summary(run, graph)
    if run.user_id != current_user.id:
        abort(403)  # staff see a run's summary, never play someone else's
    if run.status == RunStatus.abandoned:  # an old tab of a run the learner started over
        flash(_("Đồng chí đã bỏ lượt này để làm lại từ đầu."), "info")
        return redirect(url_for(".intro", public_id=run.scenario.public_id))
    return _play_page(run, graph)


def _play_page(run: ScenarioRun, graph: Graph, answer: str | None = None, refused: str | None = None):
    """The current node. A refused answer comes back in the box with the reason (status 400)."""
    node = graph.node(run.current_node)
    choices = graph.available(node["id"], run.vars) if node["kind"] == "decision" else []
    draft = drafts.draft_of(db.session, run, node["id"]) if node["kind"] == "response" else None
    if answer is None:
        answer = draft.text if draft else ""
    return render_template(
        "scenarios/play.html",
        run=run,
        scenario=run.scenario,
        node=node,
        html=run.scenario.html.get(node["id"], {}),
        choices=choices,
        feedback=sv.feedback_for(run),
        can_undo=sv.can_undo(run),
        form=PlayForm(),
        position=len(run.decisions) + 1,
        answer=answer,
        draft=draft,
        refused=refused,
        expected=drafts.expected_words(node),
        max_answer=drafts.MAX_ANSWER,
    ), (400 if refused else 200)


@bp.post("/runs/<public_id>/draft")
@requires("scenario_run.view")
def save_draft(public_id: str):
    """JSON autosave of the answer being written: {"node": id, "text": str, "seq": n}."""
    run = _players_run(public_id)
    payload = request.get_json(silent=True)
    play_url = url_for(".play", public_id=run.public_id)
    try:
        node_id, text, seq = str(payload["node"]), payload["text"], int(payload["seq"])
        if not isinstance(text, str) or not 0 < seq < 2**62:
            raise ValueError
    except (KeyError, TypeError, ValueError):
        return jsonify(error=_("Dữ liệu gửi lên không hợp lệ.")), 400
    try:
        outcome = drafts.save_draft(db.session, run, node_id, text, seq, now())
    except Conflict as exc:
        db.session.rollback()
        return jsonify(state="closed", error=exc.message, review_url=play_url), 409
    except LmsError as exc:
        db.session.rollback()
        return jsonify(error=exc.message), 400
    db.session.commit()
    return jsonify(outcome)


def _summary(run: ScenarioRun, graph: Graph):
    responses = []
    for response in run.responses:
        node = graph.node(response.node_id)
        responses.append(
            {
                "response": response,
                "node": node,
                "html": run.scenario.html.get(node["id"], {}),
                "levels": sv.criterion_levels(node, response) if response.graded else [],
            }
        )
    return render_template(
        "scenarios/summary.html",
        run=run,
        scenario=run.scenario,
        ending=graph.node(run.current_node),
        ending_html=run.scenario.html.get(run.current_node, {}),
        decisions=sv.decisions_detail(run),
        responses=responses,
    )


@bp.post("/runs/<public_id>")
@requires("scenario_run.view")
def act(public_id: str):
    run = _players_run(public_id)
    form = PlayForm()
    if not form.validate_on_submit():
        if form.action.data == "respond" and form.answer.data:
            # never lose typed text: back in the box, and kept as the draft
            return _refused(
                run, form.answer.data, _("Dữ liệu gửi lên không hợp lệ; câu trả lời chưa được gửi.")
            )
        flash(_("Dữ liệu gửi lên không hợp lệ; vui lòng chọn lại."), "error")
        return redirect(url_for(".play", public_id=run.public_id))
    step, action = form.step.data, form.action.data
    if action == "continue":
        sv.advance(db.session, run, step, now())
    elif action == "choose" and form.choice.data is not None:
        sv.choose(db.session, run, step, form.choice.data, now())
    elif action == "respond":
        try:
            sv.respond(db.session, run, step, form.answer.data or "", now())
        except LmsError as exc:
            db.session.rollback()
            return _refused(run, form.answer.data or "", exc.message)
    elif action == "undo":
        sv.undo(db.session, run, step, now())
    else:
        abort(400)
    db.session.commit()
    return redirect(url_for(".play", public_id=run.public_id))


def _refused(run: ScenarioRun, answer: str, message: str):
    """An answer the server did not take: keep it as the run's draft and show it again."""
    graph = Graph(run.scenario.doc)
    if run.in_progress and graph.node(run.current_node)["kind"] == "response" and answer.strip():
        drafts.keep_refused(db.session, run, run.current_node, answer, int(time.time() * 1000), now())
        db.session.commit()
    if not run.in_progress:
        flash(message, "error")
        return redirect(url_for(".play", public_id=run.public_id))
    return _play_page(run, graph, answer=answer, refused=message)


# --- authoring and approval -----------------------------------------------------------------


@bp.get("/manage")
@requires("scenarios.analytics")
def manage():
    # approvers list what they may approve (their unit's subtree), like authors and admins
    scope = unit_scope(current_user)
    if can(current_user, "scenarios.approve") and current_user.unit is not None:
        scope = Unit.path.startswith(current_user.unit.path, autoescape=True)
    query = select(Scenario).join(Unit, Unit.id == Scenario.owner_unit_id).where(scope)
    status = request.args.get("status")
    if status in ScenarioStatus.__members__:
        query = query.where(Scenario.status == ScenarioStatus(status))
    rows = db.session.scalars(query.order_by(Scenario.code, Scenario.version.desc()).limit(500)).all()
    return render_template("scenarios/manage.html", rows=rows, labels=STATUS_LABELS, status=status)


@bp.route("/manage/new", methods=["GET", "POST"])
@requires("scenarios.author")
def create():
    form = SourceForm()
    units = owner_units()
    form.owner_unit_id.choices = [SelectChoice(u.id, u.name) for u in units]
    problems, preview = [], None
    if form.validate_on_submit():
        unit = next((u for u in units if u.id == form.owner_unit_id.data), current_user.unit)
        try:
            scenario = sv.create_scenario(db.session, current_user, form.source.data, unit, now())
        except InvalidFile as exc:
            db.session.rollback()
            problems, preview = exc.problems, _preview(form.source.data)
        else:
            db.session.commit()
            flash(_("Đã tạo bản nháp tình huống."), "success")
            return redirect(url_for(".detail", public_id=scenario.public_id))
    return render_template(
        "scenarios/edit.html", form=form, scenario=None, problems=problems, preview=preview
    )


def _preview(text: str, scenario: Scenario | None = None):
    """Best-effort graph of a document that failed validation (to show what is wrong)."""
    import yaml

    from lms import safe_yaml

    try:
        doc = safe_yaml.load(text)
    except yaml.YAMLError:
        return None
    return draw(doc, scenario) if isinstance(doc, dict) else None


@bp.get("/manage/<public_id>")
@requires("scenarios.analytics")
def detail(public_id: str):
    scenario = scenario_for(public_id, "scenarios.analytics")
    versions = db.session.scalars(
        select(Scenario).where(Scenario.code == scenario.code).order_by(Scenario.version.desc())
    ).all()
    return render_template(
        "scenarios/detail.html",
        scenario=scenario,
        graph=draw(scenario.doc, scenario),
        meta=names.metadata(scenario),
        changes=scenario_diff.changes_for(db.session, scenario),
        versions=versions,
        labels=STATUS_LABELS,
        wf=WorkflowForm(),
        start_form=StartForm(),
    )


@bp.route("/manage/<public_id>/edit", methods=["GET", "POST"])
@requires("scenarios.author")
def edit(public_id: str):
    scenario = scenario_for(public_id, "scenarios.author")
    if not scenario.editable:
        flash(_("Phiên bản này không sửa được; hãy tạo phiên bản mới."), "error")
        return redirect(url_for(".detail", public_id=scenario.public_id))
    form = SourceForm()
    form.owner_unit_id.choices = []
    problems, preview = [], None
    if request.method == "GET":
        form.source.data = sv.export_text(scenario)
    elif form.validate_on_submit():
        try:
            sv.save_draft(db.session, scenario, current_user, form.source.data, now())
        except InvalidFile as exc:
            db.session.rollback()
            problems, preview = exc.problems, _preview(form.source.data, scenario)
        else:
            db.session.commit()
            flash(
                _(
                    "Đã lưu. Hợp lệ: điểm thấp nhất %(lo)s, cao nhất %(hi)s.",
                    lo=written(float(scenario.min_points)),
                    hi=written(float(scenario.max_points)),
                ),
                "success",
            )
            return redirect(url_for(".edit", public_id=scenario.public_id))
    return render_template(
        "scenarios/edit.html",
        form=form,
        scenario=scenario,
        problems=problems,
        preview=preview or draw(scenario.doc, scenario),
    )


@bp.post("/manage/<public_id>/new-version")
@requires("scenarios.author")
def new_version(public_id: str):
    scenario = scenario_for(public_id, "scenarios.author")
    draft = sv.new_version(db.session, scenario, current_user, now())
    db.session.commit()
    return redirect(url_for(".edit", public_id=draft.public_id))


@bp.post("/manage/<public_id>/submit")
@requires("scenarios.author")
def submit(public_id: str):
    scenario = scenario_for(public_id, "scenarios.author")
    try:
        sv.transition(db.session, scenario, current_user, "submit", now())
    except sv.StillInvalid as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".author", public_id=scenario.public_id))
    db.session.commit()
    flash(_("Đã gửi duyệt."), "success")
    return redirect(url_for(".detail", public_id=scenario.public_id))


@bp.post("/manage/<public_id>/review")
@requires("scenarios.approve")
def review(public_id: str):
    scenario = scenario_for(public_id, "scenarios.approve")
    form = WorkflowForm()
    if not form.validate_on_submit() or form.action.data not in ("approve", "return", "publish"):
        abort(400)
    sv.transition(
        db.session, scenario, current_user, form.action.data, now(), comment=form.comment.data or ""
    )
    db.session.commit()
    flash(_("Đã cập nhật trạng thái: %(s)s.", s=STATUS_LABELS[scenario.status]), "success")
    return redirect(url_for(".detail", public_id=scenario.public_id))


@bp.get("/manage/<public_id>/export")
@requires("scenarios.analytics")
def export(public_id: str):
    scenario = scenario_for(public_id, "scenarios.analytics")
    return Response(
        sv.export_text(scenario),
        mimetype="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{scenario.code}-v{scenario.version}.yaml"'},
    )


@bp.get("/manage/<public_id>/analytics")
@requires("scenarios.analytics")
def analytics(public_id: str):
    scenario = scenario_for(public_id, "scenarios.analytics")
    return render_template(
        "scenarios/analytics.html", scenario=scenario, data=stats.analytics(db.session, scenario)
    )


# --- rubric grading -------------------------------------------------------------------------


@bp.get("/grading")
@requires("scenarios.grade")
def grading():
    show_all = request.args.get("all") == "1"
    rows = db.session.scalars(sv.grading_query(current_user, only_open=not show_all).limit(200)).all()
    rows = [r for r in rows if can(current_user, "scenarios.grade", r)]
    return render_template(
        "scenarios/grading.html", rows=rows, titles=sv.node_titles(rows), show_all=show_all
    )


@bp.route("/grading/<public_id>", methods=["GET", "POST"])
@requires("scenarios.grade")
def grade(public_id: str):
    response = sv.get_response(db.session, public_id)
    authorize("scenarios.grade", response)
    node = sv.response_node(response)
    form = GradeForm()
    review_mode = response.graded and response.grader_id != current_user.id
    error = None
    if form.validate_on_submit():
        try:
            levels = [int(request.form[f"level-{i}"]) for i in range(len(node["rubric"]))]
        except (KeyError, ValueError):
            error = _("Hãy chọn một mức cho mỗi tiêu chí.")
        else:
            sv.grade_response(
                db.session, response, current_user, levels, form.comment.data or "", now(), review=review_mode
            )
            db.session.commit()
            flash(_("Đã lưu điểm chấm."), "success")
            return redirect(url_for(".grading"))
    elif request.method == "GET" and response.graded:
        form.comment.data = response.review_comment if review_mode else response.comment
    html = response.run.scenario.html.get(node["id"], {})
    return render_template(
        "scenarios/grade.html",
        response=response,
        node=node,
        html=html,
        form=form,
        review_mode=review_mode,
        error=error,
        chosen=response.chosen_levels,
        word_count=sv.word_count(response.answer),
        is_admin=current_user.role == Role.admin,
    ), (400 if error or form.errors else 200)  # a refused grade never answers 200

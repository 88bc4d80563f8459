"""Board review, dossiers, records, schemes, assessments, reports and the post-training survey.

Each view: load → authorize → validate → act → commit once → respond.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from lms import audit
from lms.auth.permissions import authorize, can, requires, unit_scope
from lms.db import db
from lms.errors import LmsError
from lms.evaluation import (
    inputs,
    permissions,  # noqa: F401  (registers the rules)
    services,
)
from lms.evaluation.board import BoardFilters, board_count, board_query, with_records_in
from lms.evaluation.dossier import dossier_data, dossier_xlsx
from lms.evaluation.forms import (
    AssessmentForm,
    BoardFilterForm,
    CorrectionForm,
    DecisionForm,
    FinalizeForm,
    SchemeForm,
)
from lms.evaluation.models import (
    ASSESSMENT_KIND_LABELS,
    COMPONENT_NAMES,
    COMPONENTS,
    DECISION_LABELS,
    DEFAULT_PROGRAM,
    Assessment,
    EvaluationRecord,
    EvaluationScheme,
    EvaluationSnapshot,
)
from lms.org.models import (
    GENDER_LABELS,
    PLANNING_STATUS_LABELS,
    QUALIFICATION_KIND_LABELS,
    CadreProfile,
    PlanningStatus,
    TargetGroup,
    Title,
    Unit,
)
from lms.org.services import get_profile
from lms.results.models import PURPOSE_LABELS
from lms.web import checked_filters, page_arg

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")
PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _today() -> dt.date:
    return dt.date.today()


def scoped_units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(unit_scope(current_user)).order_by(Unit.path)))


def indent(unit: Unit) -> str:
    return "— " * (unit.path.count("/") - 2) + unit.name


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename={filename}", "Cache-Control": "no-store"},
    )


# --- board ---------------------------------------------------------------------------------


@bp.get("/board")
@requires("evaluation.board")
def board():
    form = BoardFilterForm(request.args)
    units = scoped_units()
    form.unit_id.choices = [SelectChoice(0, _("— Tất cả —"))] + [SelectChoice(u.id, indent(u)) for u in units]
    titles = db.session.scalars(select(Title).order_by(Title.sort_order)).all()
    form.title_id.choices = [SelectChoice(0, _("— Tất cả —"))] + [SelectChoice(t.id, t.name) for t in titles]
    groups = db.session.scalars(select(TargetGroup).order_by(TargetGroup.code)).all()
    form.target_group_id.choices = [SelectChoice(0, _("— Tất cả —"))] + [
        SelectChoice(g.id, g.name) for g in groups
    ]
    bands = [name for name, _minimum in services.DEFAULT_BANDS]
    form.band.choices = [SelectChoice("", _("— Tất cả —"))] + [SelectChoice(b) for b in bands]
    valid = checked_filters(form)
    form.cohort_id.set_cohorts(
        inputs.cohort_rows(db.session, with_records_in(unit_scope(current_user))), _("— Tất cả —")
    )
    filters = BoardFilters()
    if valid:
        filters = BoardFilters(
            unit_id=form.unit_id.data or None,
            title_id=form.title_id.data or None,
            target_group_id=form.target_group_id.data or None,
            planning_status=form.planning_status.data or None,
            band=form.band.data or None,
            gap=form.gap.data or None,
            cohort_id=form.cohort_id.data or None,
            year=form.year.data or None,
        )
    query = board_query(unit_scope(current_user), filters, _today())
    page = page_arg()
    total = db.session.scalar(board_count(unit_scope(current_user), filters, _today()))
    rows = db.session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    from lms.evaluation.models import _loads

    return render_template(
        "evaluation/board.html",
        form=form,
        rows=[(row, _loads(row.recommendation, None)) for row in rows],
        total=total,
        page=page,
        page_size=PAGE_SIZE,
        planning_labels=PLANNING_STATUS_LABELS,
    )


# --- dossier -------------------------------------------------------------------------------


def _load_profile(public_id: str, action: str) -> CadreProfile:
    profile = get_profile(db.session, public_id)
    authorize(action, profile)
    return profile


def _render_dossier(profile: CadreProfile, form: DecisionForm, status: int = 200):
    data = dossier_data(db.session, profile, _today())
    return (
        render_template(
            "evaluation/dossier.html",
            form=form,
            gender_labels=GENDER_LABELS,
            planning_labels=PLANNING_STATUS_LABELS,
            kind_labels=QUALIFICATION_KIND_LABELS,
            decision_labels=DECISION_LABELS,
            purpose_labels=PURPOSE_LABELS,
            PlanningStatus=PlanningStatus,
            **data,
        ),
        status,
    )


@bp.get("/dossier/<public_id>")
@requires("evaluation.dossier")
def dossier(public_id: str):
    profile = _load_profile(public_id, "evaluation.dossier")
    form = DecisionForm()
    records = db.session.scalars(
        select(EvaluationRecord)
        .where(EvaluationRecord.cadre_id == profile.id)
        .order_by(EvaluationRecord.year.desc(), EvaluationRecord.id.desc())
        .limit(1)
    ).all()
    advice = records[0].recommendation_data if records else None
    if advice and not form.is_submitted():
        form.decision.data = advice["decision"]
        form.policy_reference.data = advice["reference"]
    audit.record(db.session, current_user, "dossier.view", "cadre_profile", profile.id)
    response = _render_dossier(profile, form)
    db.session.commit()
    return response


@bp.get("/dossier/<public_id>/export.xlsx")
@requires("evaluation.export")
def dossier_export(public_id: str):
    profile = _load_profile(public_id, "evaluation.export")
    data = dossier_xlsx(dossier_data(db.session, profile, _today()))
    audit.record(db.session, current_user, "dossier.export", "cadre_profile", profile.id)
    db.session.commit()
    return _download(data, f"ho-so-{profile.public_id}.xlsx", XLSX)


@bp.post("/dossier/<public_id>/decide")
@requires("evaluation.decide")
def decide(public_id: str):
    profile = _load_profile(public_id, "evaluation.decide")
    form = DecisionForm()
    if not form.validate():
        return _render_dossier(profile, form, 400)
    try:
        row = services.decide(
            db.session,
            current_user,
            profile,
            form.decision.data,
            form.reason.data,
            form.policy_reference.data,
        )
    except LmsError as exc:
        db.session.rollback()
        form.reason.errors = [exc.message]
        return _render_dossier(get_profile(db.session, public_id), form, 400)
    db.session.commit()
    flash(_("Đã ghi quyết định: %(d)s.", d=DECISION_LABELS[row.decision]), "success")
    if row.limit_warning:
        flash(_("Lưu ý: %(w)s", w=row.limit_warning), "warning")
    return redirect(url_for("evaluation.dossier", public_id=public_id) + "#quy-hoach")


@bp.get("/dossier/<public_id>/reads")
@requires("audit.view")
def dossier_reads(public_id: str):
    profile = get_profile(db.session, public_id)
    from lms.audit import AuditEntry
    from lms.auth.models import User

    rows = db.session.execute(
        select(AuditEntry, User)
        .outerjoin(User, AuditEntry.actor_id == User.id)
        .where(
            AuditEntry.object_type == "cadre_profile",
            AuditEntry.object_id == str(profile.id),
            AuditEntry.action.in_(("dossier.view", "dossier.export")),
        )
        .order_by(AuditEntry.id.desc())
        .limit(500)
    ).all()
    return render_template("evaluation/reads.html", profile=profile, rows=rows)


# --- records, finalization, corrections -----------------------------------------------------


def _load_record(public_id: str, action: str) -> EvaluationRecord:
    record = db.session.scalar(select(EvaluationRecord).where(EvaluationRecord.public_id == public_id))
    if record is None:
        abort(404)
    authorize(action, record.cadre)
    return record


def _render_record(row: EvaluationRecord, form: CorrectionForm, status: int = 200):
    snapshots = db.session.scalars(
        select(EvaluationSnapshot)
        .where(EvaluationSnapshot.record_id == row.id)
        .order_by(EvaluationSnapshot.id)
    ).all()
    return render_template(
        "evaluation/record.html",
        record=row,
        snapshots=snapshots,
        components=COMPONENTS,
        form=form,
    ), status


@bp.get("/records/<public_id>")
@requires("evaluation.dossier")
def record(public_id: str):
    return _render_record(_load_record(public_id, "evaluation.dossier"), CorrectionForm())


@bp.post("/records/<public_id>/correct")
@requires("evaluation.schemes")
def correct(public_id: str):
    row = _load_record(public_id, "evaluation.schemes")
    form = CorrectionForm()
    if not form.validate():  # rendered in place with the typed reason, never a redirect
        return _render_record(row, form, 400)
    services.correct(db.session, row, current_user, form.reason.data)
    db.session.commit()
    flash(_("Đã lưu bản đính chính."), "success")
    return redirect(url_for("evaluation.record", public_id=public_id))


@bp.get("/cohorts/<int(max=2147483647):cohort_id>")
@requires("evaluation.board")
def cohort(cohort_id: int):
    rows = db.session.scalars(
        select(EvaluationRecord)
        .join(CadreProfile, EvaluationRecord.cadre_id == CadreProfile.id)
        .join(Unit, CadreProfile.unit_id == Unit.id)
        .where(EvaluationRecord.cohort_id == cohort_id, unit_scope(current_user))
        .order_by(CadreProfile.name_key)
    ).all()

    info = inputs.cohort_info(db.session, cohort_id)
    # Scoped like every other object: a cohort is shown when it is run in the member's subtree
    # or holds records of cadres in it; anything else (a guessed id) is a 404 that says nothing.
    in_scope = bool(rows) or (
        info is not None and can(current_user, "evaluation.board", db.session.get(Unit, info["unit_id"]))
    )
    if not in_scope:
        abort(404)
    return render_template(
        "evaluation/cohort.html",
        cohort_id=cohort_id,
        info=info,
        rows=rows,
        form=FinalizeForm(),
    )


@bp.get("/cohorts/<int(max=2147483647):cohort_id>/gradebook")
@requires("evaluation.board")
def gradebook(cohort_id: int):
    from lms.evaluation import gradebook as book
    from lms.evaluation import inputs

    info = inputs.cohort_info(db.session, cohort_id)
    if info is None:
        abort(404)
    return render_template(
        "evaluation/gradebook.html",
        info=info,
        rows=book.gradebook(db.session, cohort_id, unit_scope(current_user)),
        components=book.GRADEBOOK_COMPONENTS,
    )


@bp.get("/cohorts/<int(max=2147483647):cohort_id>/gradebook.csv")
@requires("evaluation.board")
def gradebook_csv(cohort_id: int):
    from lms.evaluation import gradebook as book
    from lms.evaluation import inputs

    info = inputs.cohort_info(db.session, cohort_id)
    if info is None:
        abort(404)
    body = book.to_csv(book.gradebook(db.session, cohort_id, unit_scope(current_user)))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{info["code"]}-bang-diem.csv"'},
    )


@bp.post("/cohorts/<int(max=2147483647):cohort_id>/finalize")
@requires("evaluation.schemes")
def finalize(cohort_id: int):
    form = FinalizeForm()
    if not form.validate():
        abort(400)
    count = services.finalize(db.session, cohort_id, current_user)
    db.session.commit()
    flash(_("Đã chốt %(n)s kết quả đánh giá.", n=count), "success")
    return redirect(url_for("evaluation.cohort", cohort_id=cohort_id))


# --- schemes -------------------------------------------------------------------------------


@bp.get("/schemes")
@requires("evaluation.schemes")
def schemes():
    rows = db.session.scalars(
        select(EvaluationScheme).order_by(EvaluationScheme.program_code, EvaluationScheme.version.desc())
    ).all()
    return render_template(
        "evaluation/schemes.html", rows=rows, labels=COMPONENT_NAMES, default=DEFAULT_PROGRAM
    )


def _lines_to_bands(text: str) -> list[list]:
    bands = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 2:
            raise LmsError(f"Dòng {number} của bảng xếp loại: cần “tên mức | điểm tối thiểu”.")
        bands.append([parts[0], parts[1].replace(",", ".")])
    return bands


def _lines_to_rules(text: str) -> list[dict]:
    rules = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 5:
            raise LmsError(f"Dòng {number} của quy tắc: cần 5 phần ngăn bởi “|”.")
        when, value, recommend, text_, reference = parts
        rules.append(
            {
                "when": when,
                "value": value.replace(",", ".") or None,
                "recommend": recommend,
                "text": text_,
                "reference": reference,
            }
        )
    return rules


@bp.route("/schemes/<program_code>/edit", methods=["GET", "POST"])
@requires("evaluation.schemes")
def scheme_edit(program_code: str):
    if len(program_code) > 80:
        abort(404)
    current = services.scheme_for(db.session, program_code)
    form = SchemeForm()
    if not form.is_submitted():
        content = services.scheme_content(current)
        form.pass_mark.data, form.component_min.data = content["pass_mark"], content["component_min"]
        form.attendance_min_pct.data = content["attendance_min_pct"]
        for component in COMPONENTS:
            getattr(form, f"w_{component}").data = content["weights"].get(component, 0)
        form.bands.data = "\n".join(f"{name} | {minimum:g}" for name, minimum in content["bands"])
        form.rules.data = "\n".join(
            f"{r['when']} | {'' if r.get('value') is None else r['value']} | {r['recommend']} | "
            f"{r['text']} | {r['reference']}"
            for r in content["rules"]
        )
    elif form.validate():
        try:
            block = {
                "pass_mark": float(form.pass_mark.data),
                "component_min": float(form.component_min.data),
                "attendance_min_pct": form.attendance_min_pct.data,
                "weights": {c: float(getattr(form, f"w_{c}").data) for c in COMPONENTS},
                "bands": _lines_to_bands(form.bands.data),
                "rules": _lines_to_rules(form.rules.data or ""),
            }
            scheme = services.ensure_scheme(
                db.session, program_code, block, current_user, note=form.note.data
            )
        except LmsError as exc:
            db.session.rollback()
            form.note.errors = [exc.message]
        else:
            db.session.commit()
            flash(_("Đã lưu phiên bản %(v)s của cách đánh giá.", v=scheme.version), "success")
            recompute = _recompute_job_asked()
            if recompute:  # open records used the old weights: follow their recompute
                flash(
                    _("Các hồ sơ đánh giá của chương trình đang được tính lại theo cách đánh giá mới."),
                    "info",
                )
                return redirect(url_for("jobs.status", public_id=recompute), code=303)
            return redirect(url_for("evaluation.schemes"))
    return render_template(
        "evaluation/scheme_edit.html",
        form=form,
        program_code=program_code,
        current=current,
        components=COMPONENTS,
        conditions=services.RULE_CONDITIONS,
        decisions=DECISION_LABELS,
    )


def _recompute_job_asked() -> str | None:
    """The public id of the recompute job the scheme change asked for (lms/jobs/hooks.py)."""
    from lms.jobs.hooks import asked_jobs

    return next((public_id for public_id, kind, _ in asked_jobs(db.session) if kind == "recompute"), None)


# --- instructor assessments ----------------------------------------------------------------


@bp.route("/assess/<public_id>", methods=["GET", "POST"])
@requires("evaluation.assess")
def assess(public_id: str):
    profile = _load_profile(public_id, "evaluation.assess")
    chosen = (
        request.args.get("cohort", type=int)
        if request.method == "GET"
        else request.form.get("cohort_id", type=int)
    )
    rubric = inputs.rubric_for_cohort(db.session, chosen) if chosen and chosen <= 2**31 - 1 else None
    formdata, rubric_errors = None, []
    if request.method == "POST" and rubric:
        formdata, rubric_errors = _apply_rubric(rubric, request.form)
    form = AssessmentForm(formdata=formdata) if formdata is not None else AssessmentForm()
    if request.method == "GET" and chosen:
        form.cohort_id.data = chosen
    form.cohort_id.set_cohorts(
        inputs.cohort_rows(db.session, inputs.enrolled_in(profile.id)), _("— Chọn lớp —")
    )
    if form.validate_on_submit() and not rubric_errors:
        try:
            services.save_assessment(
                db.session,
                current_user,
                cadre=profile,
                cohort_id=form.cohort_id.data,
                month=form.month.data,
                points=form.points.data,
                comment=form.comment.data or "",
                kind=form.kind.data,
            )
        except LmsError as exc:
            db.session.rollback()
            form.points.errors = [exc.message]
        else:
            db.session.commit()
            flash(_("Đã lưu đánh giá và tính lại kết quả."), "success")
            return redirect(url_for("evaluation.assess", public_id=public_id))
    rows = db.session.scalars(
        select(Assessment)
        .where(Assessment.cadre_id == profile.id)
        .order_by(Assessment.cohort_id.desc(), Assessment.month.desc())
    ).all()
    status = 400 if form.errors or rubric_errors else 200
    return (
        render_template(
            "evaluation/assess.html",
            profile=profile,
            form=form,
            rows=rows,
            kind_labels=ASSESSMENT_KIND_LABELS,
            cohorts=inputs.cohorts_of(db.session, profile.id),
            rubric=rubric,
            rubric_errors=rubric_errors,
            picked={k: v for k, v in request.form.items() if k.startswith("rubric-")},
        ),
        status,
    )


def _apply_rubric(rubric: dict, form) -> tuple[MultiDict | None, list[str]]:
    """The monthly rubric of the cohort's program: one level per criterion gives the points (the
    levels' sum, on 10) and a comment naming each level. No level chosen at all: the points field
    is used as typed. Some but not all: an error naming the criteria left."""
    picks = [form.get(f"rubric-{i}", "") for i in range(len(rubric["criteria"]))]
    if not any(picks):
        return None, []
    data = MultiDict(form)
    chosen, missing = [], []
    for number, (criterion, pick) in enumerate(zip(rubric["criteria"], picks, strict=True), 1):
        levels = criterion["levels"]
        if not pick.isdigit() or int(pick) >= len(levels):
            missing.append(str(number))
            continue
        chosen.append((criterion["criterion"], *levels[int(pick)]))
    if missing:
        return data, [_("Chọn một mức cho mọi tiêu chí (còn thiếu tiêu chí %(n)s).", n=", ".join(missing))]
    data["points"] = str(sum(points for _c, _label, points in chosen))
    summary = "; ".join(f"{c}: {label} ({points:g})" for c, label, points in chosen)
    data["comment"] = (summary + ("\n" + form["comment"] if form.get("comment") else ""))[:2000]
    return data, []


# --- reports -------------------------------------------------------------------------------


def _report_params():
    from lms.evaluation.forms import ReportForm

    form = ReportForm(request.args)
    units = scoped_units()
    form.unit_id.choices = [SelectChoice(u.id, indent(u)) for u in units]
    this_year = _today().year
    checked_filters(form, keep=("unit_id",))  # a unit outside the scope is a 403 below
    unit = db.session.get(Unit, form.unit_id.data) if form.unit_id.data else current_user.unit
    if unit is None:
        abort(404)
    year_from = form.year_from.data if not form.year_from.errors and form.year_from.data else this_year - 4
    year_to = form.year_to.data if not form.year_to.errors and form.year_to.data else this_year
    if year_from > year_to:
        year_from, year_to = year_to, year_from
    form.unit_id.data, form.year_from.data, form.year_to.data = unit.id, year_from, year_to
    return form, unit, year_from, year_to


@bp.get("/reports")
@requires("evaluation.reports")
def reports():
    from lms.evaluation import reports as stats
    from lms.jobs.forms import ReportJobForm

    form, unit, year_from, year_to = _report_params()
    authorize("evaluation.reports", unit)
    cadres = stats.cadre_count(db.read_session, unit)
    inline = cadres <= int(current_app.config["LMS_REPORT_INLINE_MAX_CADRES"])
    # a province takes 11-16 s: above the limit the tables come only from a job (lms/jobs)
    tables = stats.build(db.read_session, unit, year_from, year_to)  # the replica, if any if inline else []
    job_form = ReportJobForm(unit_id=unit.id, year_from=year_from, year_to=year_to, fmt="xlsx")
    return render_template(
        "evaluation/reports.html",
        form=form,
        unit=unit,
        tables=tables,
        year_from=year_from,
        year_to=year_to,
        inline=inline,
        cadres=cadres,
        job_form=job_form,
    )


@bp.get("/reports/export.<fmt>")
@requires("evaluation.export")
def reports_export(fmt: str):
    from lms.evaluation import reports as stats

    if fmt not in ("xlsx", "csv"):
        abort(404)
    _form, unit, year_from, year_to = _report_params()
    authorize("evaluation.export", unit)
    if stats.cadre_count(db.read_session, unit) > int(current_app.config["LMS_REPORT_INLINE_MAX_CADRES"]):
        flash(_("Phạm vi này lớn: đồng chí hãy bấm “Tạo báo cáo” để hệ thống tạo tệp trong nền."), "warning")
        return redirect(url_for("evaluation.reports", unit_id=unit.id, year_from=year_from, year_to=year_to))
    tables = stats.build(db.read_session, unit, year_from, year_to)  # the replica, if any
    heading = f"{unit.name}, {year_from}–{year_to}"
    audit.record(
        db.session, current_user, "report.export", "unit", unit.id, after={"from": year_from, "to": year_to}
    )
    db.session.commit()
    name = f"bao-cao-{unit.code}-{year_from}-{year_to}.{fmt}"
    if fmt == "csv":
        return _download(stats.to_csv(tables, heading), name, "text/csv; charset=utf-8")
    return _download(stats.to_xlsx(tables, heading), name, XLSX)


# --- post-training survey ------------------------------------------------------------------


@bp.route("/survey/<int(max=2147483647):cohort_id>", methods=["GET", "POST"])
@requires("evaluation.survey")
def survey(cohort_id: int):
    from lms.evaluation.forms import SurveyForm
    from lms.evaluation.models import SurveyResponse

    profile = db.session.scalar(select(CadreProfile).where(CadreProfile.user_id == current_user.id))
    if profile is None or not services.may_answer_survey(db.session, profile, cohort_id):
        abort(403)
    authorize("evaluation.survey", profile)
    done = db.session.scalar(
        select(SurveyResponse).where(
            SurveyResponse.cadre_id == profile.id, SurveyResponse.cohort_id == cohort_id
        )
    )
    form = SurveyForm()
    if done is None and form.validate_on_submit():
        services.submit_survey(
            db.session,
            profile,
            cohort_id,
            form.improvement.data,
            form.needs_update.data,
            form.comment.data or "",
        )
        db.session.commit()
        flash(_("Cảm ơn đồng chí đã gửi phiếu khảo sát."), "success")
        return redirect(url_for("evaluation.survey", cohort_id=cohort_id))
    status = 400 if form.errors else 200
    return render_template("evaluation/survey.html", form=form, done=done, cohort_id=cohort_id), status


@bp.get("/me")
@requires("evaluation.survey")
def my_evaluation():
    """A learner's own records (no recommendation: that is for the board) and survey links."""
    from lms.evaluation.models import SurveyResponse
    from lms.results.models import Result

    profile = db.session.scalar(select(CadreProfile).where(CadreProfile.user_id == current_user.id))
    records, cohorts, answered = [], [], set()
    if profile is not None:
        records = db.session.scalars(
            select(EvaluationRecord)
            .where(EvaluationRecord.cadre_id == profile.id)
            .order_by(EvaluationRecord.year.desc(), EvaluationRecord.id.desc())
        ).all()
        cohorts = sorted(
            set(
                db.session.scalars(
                    select(Result.cohort_id).where(
                        Result.cadre_id == profile.id, Result.cohort_id.is_not(None)
                    )
                )
            ),
            reverse=True,
        )
        answered = set(
            db.session.scalars(select(SurveyResponse.cohort_id).where(SurveyResponse.cadre_id == profile.id))
        )
    return render_template(
        "evaluation/mine.html", profile=profile, records=records, cohorts=cohorts, answered=answered
    )


@bp.app_template_filter("component_name")
def component_name_filter(code: str) -> str:
    """An evaluation component's name in the reader's language."""
    return str(COMPONENT_NAMES.get(code, code))


@bp.app_template_filter("score")
def score_filter(value, signed: bool = False) -> str:
    """A score kept as text in JSON ("7.50") shown the request's way ("7,50"; "+1,50"): the
    app's one number helper (lms.web)."""
    from lms.web import _vnnumber

    return _vnnumber(value, 2, signed)


@bp.app_template_filter("program_name")
def program_name_filter(code: str | None) -> str:
    """A program's title for a person to read ("Bồi dưỡng ... UBND cấp xã", not its code);
    the code only when no program of that code is published. One query per request."""
    from flask import g

    from lms.programs.models import Program

    if not code:
        return "—"
    titles = g.get("program_titles")
    if titles is None:
        titles = g.program_titles = dict(db.session.execute(select(Program.code, Program.title)).all())
    return titles.get(code, code)

"""What every page of the form-based scenario editor shares: loading the draft the user may
author, refusing a version that is no longer editable, saving with a flash of the check's
result, and rendering a page with the report at the top."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.db import db
from lms.numerals import written
from lms.scenarios import editor
from lms.scenarios import services as sv
from lms.scenarios.blueprint import scenario_for
from lms.scenarios.models import Scenario
from lms.web import now


def _editable_draft(public_id: str) -> Scenario:
    """The version the current user may author, if it is still editable; otherwise the request
    ends here with a redirect to its detail page and a message (every editor page starts so)."""
    scenario = scenario_for(public_id, "scenarios.author")
    if not scenario.editable:
        abort(_not_editable(scenario))
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
                lo=written(checked.min_points),
                hi=written(checked.max_points),
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
        written=written,  # points in the reader's locale (fmt_points is the CLI's)
        **context,
    ), status


def _home():
    return redirect(url_for(".author", public_id=request.view_args["public_id"]))

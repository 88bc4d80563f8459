"""Domain rules for programs, topics, cohorts, progress and training needs.

Plain functions over a session, the acting user and the clock; they flush, never commit.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import secrets
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, selectinload

from lms import audit, events
from lms.errors import Conflict, Forbidden, LmsError, NotFound
from lms.org.models import CadreProfile, TargetGroup, Title, Unit
from lms.programs.content_files import SLUG, version_canonical
from lms.programs.diff import VersionDiff, diff_versions
from lms.programs.models import (
    ATTENDANCE_LABELS,
    FIELDS,
    Attachment,
    Attendance,
    AttendanceStatus,
    Cohort,
    CohortSession,
    Enrollment,
    Lesson,
    Program,
    ProgramTopic,
    Topic,
    TopicKind,
    TopicProgress,
    TopicVersion,
    TrainingNeed,
    VersionStatus,
)
from lms.sanitize import markdown_to_html
from lms.spreadsheet import safe_row

BEACON_CAP_SECONDS = 120

# --- topics: authoring and approval ---------------------------------------------------------


def get_topic(session: Session, public_id: str) -> Topic:
    topic = session.scalar(select(Topic).where(Topic.public_id == public_id))
    if topic is None:
        raise NotFound("Không tìm thấy chuyên đề.")
    return topic


def get_version(session: Session, public_id: str) -> TopicVersion:
    version = session.scalar(select(TopicVersion).where(TopicVersion.public_id == public_id))
    if version is None:
        raise NotFound("Không tìm thấy phiên bản chuyên đề.")
    return version


def _check_topic_fields(fields: dict[str, Any]) -> None:
    if fields["field"] not in FIELDS:
        raise LmsError("Lĩnh vực không có trong danh mục.")
    if not fields["title"].strip():
        raise LmsError("Chuyên đề phải có tiêu đề.")
    if not fields["hours"] or fields["hours"] <= 0:
        raise LmsError("Số giờ phải là số dương.")


def _fill(version: TopicVersion, fields: dict[str, Any]) -> None:
    version.title = fields["title"].strip()
    version.kind = TopicKind(fields["kind"])
    version.field = fields["field"]
    version.hours = float(fields["hours"])
    version.legal_basis = (fields.get("legal_basis") or "").strip()
    version.as_of = fields.get("as_of")
    version.target_groups = json.dumps(list(fields.get("target_groups") or []))
    version.body = fields.get("body") or ""
    version.body_html = markdown_to_html(version.body)  # sanitized once, here
    if "lessons" in fields:
        anchors = [anchor for _title, anchor in fields["lessons"]]
        for anchor in anchors:
            if not SLUG.match(anchor) or f'id="{anchor}"' not in version.body_html:
                raise LmsError(
                    f"Không có tiêu đề nào mang id “{anchor}” trong nội dung; "
                    f"hãy viết: ### Tiêu đề phần {{#{anchor}}}"
                )
        if len(set(anchors)) != len(anchors):
            raise LmsError("Hai phần trùng mã.")
        version.lessons = [
            Lesson(position=i, title=title, anchor=anchor)
            for i, (title, anchor) in enumerate(fields["lessons"])
        ]


def create_topic(
    session: Session, actor: Any, now: dt.datetime, code: str, fields: dict[str, Any]
) -> TopicVersion:
    code = code.strip()
    if not SLUG.match(code):
        raise LmsError("Mã chuyên đề chỉ gồm chữ thường không dấu, số và gạch nối (vd. qn-chung-5).")
    if session.scalar(select(Topic.id).where(Topic.code == code)) is not None:
        raise Conflict(f"Mã chuyên đề “{code}” đã có; hãy chọn mã khác.")
    _check_topic_fields(fields)
    topic = Topic(code=code, created_at=now)
    version = TopicVersion(
        topic=topic, version=1, status=VersionStatus.draft, author_id=actor.id, created_at=now
    )
    _fill(version, fields)
    session.add_all([topic, version])
    session.flush()
    audit.record(session, actor, "topic.create", "topic_version", version.id, after={"code": code}, now=now)
    return version


def edit_topic(
    session: Session, actor: Any, now: dt.datetime, topic: Topic, fields: dict[str, Any]
) -> TopicVersion:
    """Save changes: into the open draft, or (when only published versions exist) a new draft."""
    _check_topic_fields(fields)
    version = topic.open_version
    if version is not None and not version.editable:
        raise Conflict(
            "Phiên bản đang chờ duyệt hoặc đã duyệt nên không sửa được; "
            "hãy đợi người duyệt trả lại hoặc công bố rồi sửa tiếp."
        )
    if version is None:
        version = new_draft(session, actor, now, topic)
    before = version_canonical(version)
    if "lessons" not in fields:  # keep the sections whose headings are still in the body
        html = markdown_to_html(fields.get("body") or "")
        kept = [(x.title, x.anchor) for x in version.lessons if f'id="{x.anchor}"' in html]
        fields = {**fields, "lessons": kept}
    _fill(version, fields)
    session.flush()
    audit.record(
        session,
        actor,
        "topic.edit",
        "topic_version",
        version.id,
        before=before,
        after=version_canonical(version),
        now=now,
    )
    return version


def new_draft(session: Session, actor: Any, now: dt.datetime, topic: Topic) -> TopicVersion:
    """A new draft copied from the latest published version (attachments carried over)."""
    source = topic.published or topic.latest
    if source is None:
        raise NotFound("Chuyên đề chưa có phiên bản nào.")
    version = TopicVersion(
        topic=topic,
        version=topic.latest.version + 1,
        status=VersionStatus.draft,
        author_id=actor.id,
        created_at=now,
        title=source.title,
        kind=source.kind,
        field=source.field,
        hours=source.hours,
        target_groups=source.target_groups,
        legal_basis=source.legal_basis,
        as_of=source.as_of,
        body=source.body,
        body_html=source.body_html,
    )
    session.add(version)
    with session.no_autoflush:
        lessons = list(source.lessons)
        attachments = list(source.attachments)
    version.lessons = [Lesson(position=x.position, title=x.title, anchor=x.anchor) for x in lessons]
    version.attachments = [
        Attachment(
            filename=a.filename,
            stored_name=a.stored_name,
            mimetype=a.mimetype,
            size=a.size,
            uploaded_by_id=a.uploaded_by_id,
            uploaded_at=a.uploaded_at,
        )
        for a in attachments
    ]
    session.flush()
    audit.record(
        session,
        actor,
        "topic.new_version",
        "topic_version",
        version.id,
        after={"code": topic.code, "version": version.version, "from": source.version},
        now=now,
    )
    return version


def _transition(session, actor, now, version: TopicVersion, action: str, do) -> TopicVersion:
    before = str(version.status)
    do()
    session.flush()
    audit.record(
        session,
        actor,
        f"topic.{action}",
        "topic_version",
        version.id,
        before={"status": before},
        after={"status": str(version.status)},
        note=version.review_comment if action == "return" else None,
        now=now,
    )
    return version


def submit_version(session: Session, actor: Any, now: dt.datetime, version: TopicVersion) -> TopicVersion:
    return _transition(session, actor, now, version, "submit", lambda: version.submit(actor, now))


def approve_version(session: Session, actor: Any, now: dt.datetime, version: TopicVersion) -> TopicVersion:
    return _transition(session, actor, now, version, "approve", lambda: version.approve(actor, now))


def return_version(
    session: Session, actor: Any, now: dt.datetime, version: TopicVersion, comment: str
) -> TopicVersion:
    return _transition(session, actor, now, version, "return", lambda: version.return_(actor, now, comment))


def publish_version(session: Session, actor: Any, now: dt.datetime, version: TopicVersion) -> TopicVersion:
    def do() -> None:
        previous = version.topic.published
        version.publish(actor, now)
        if previous is not None and previous is not version:
            previous.archive()

    return _transition(session, actor, now, version, "publish", do)


def changes_since_published(session: Session, version: TopicVersion) -> VersionDiff | None:
    """What a version changes in the one learners read now; None when it is that one or none is."""
    published = version.topic.published
    if published is None or published is version:
        return None
    codes = set(published.target_group_codes) | set(version.target_group_codes)
    rows = session.execute(select(TargetGroup.code, TargetGroup.name).where(TargetGroup.code.in_(codes)))
    names = {code: name for code, name in rows}
    return diff_versions(published, version, names)


# --- attachments ----------------------------------------------------------------------------

ATTACHMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}


def sniff_type(data: bytes) -> str | None:
    """The file type from its first bytes (and, for Office files, the parts inside the zip)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return None
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("ppt/") for n in names):
            return "pptx"
    return None


def add_attachment(
    session: Session,
    actor: Any,
    now: dt.datetime,
    version: TopicVersion,
    filename: str,
    data: bytes,
    upload_dir: Path,
    max_mb: int,
) -> Attachment:
    if not version.editable:
        raise Conflict(
            "Chỉ thêm tài liệu vào bản nháp hoặc bản bị trả lại; hãy bấm “Sửa” để tạo bản nháp mới."
        )
    name = Path(filename or "").name.strip()
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_TYPES:
        raise LmsError("Chỉ nhận tệp PDF, DOCX, PPTX, JPG hoặc PNG.")
    if not data:
        raise LmsError("Tệp rỗng.")
    if len(data) > max_mb * 1024 * 1024:
        raise LmsError(f"Tệp lớn hơn {max_mb} MB.")
    detected = sniff_type(data)
    if detected is None or ATTACHMENT_TYPES[detected] != ATTACHMENT_TYPES[extension]:
        raise LmsError("Nội dung tệp không đúng với đuôi tên tệp (chỉ nhận PDF, DOCX, PPTX, JPG, PNG thật).")
    upload_dir.mkdir(parents=True, exist_ok=True)
    stored = f"{secrets.token_hex(16)}.{'jpg' if detected == 'jpg' else detected}"
    (upload_dir / stored).write_bytes(data)
    attachment = Attachment(
        version=version,
        filename=name[:255],
        stored_name=stored,
        mimetype=ATTACHMENT_TYPES[detected],
        size=len(data),
        uploaded_by_id=actor.id,
        uploaded_at=now,
    )
    session.add(attachment)
    session.flush()
    audit.record(
        session,
        actor,
        "topic.attach",
        "topic_version",
        version.id,
        after={"file": attachment.filename, "size": attachment.size},
        now=now,
    )
    return attachment


def remove_attachment(session: Session, actor: Any, now: dt.datetime, attachment: Attachment) -> None:
    version = attachment.version
    if not version.editable:
        raise Conflict("Chỉ gỡ tài liệu khỏi bản nháp hoặc bản bị trả lại.")
    audit.record(
        session,
        actor,
        "topic.detach",
        "topic_version",
        version.id,
        before={"file": attachment.filename},
        now=now,
    )
    session.delete(attachment)  # the stored file stays: older versions may share it
    session.flush()


# --- programs -------------------------------------------------------------------------------


def get_program(session: Session, code: str) -> Program:
    program = session.scalar(select(Program).where(Program.code == code))
    if program is None:
        raise NotFound("Không tìm thấy chương trình.")
    return program


def save_program(
    session: Session, actor: Any, now: dt.datetime, program: Program | None, fields: dict[str, Any]
) -> Program:
    """Create or update a program from the form; topics given as codes in order."""
    code = fields["code"].strip()
    codes = [c for c in fields["topic_codes"] if c]
    topics = {t.code: t for t in session.scalars(select(Topic).where(Topic.code.in_(codes)))}
    missing = [c for c in codes if c not in topics]
    if missing:
        raise LmsError("Không có chuyên đề mang mã: " + ", ".join(missing))
    if len(set(codes)) != len(codes):
        raise LmsError("Một chuyên đề được liệt kê hai lần.")
    if program is None:
        if not SLUG.match(code):
            raise LmsError("Mã chương trình chỉ gồm chữ thường không dấu, số và gạch nối.")
        if session.scalar(select(Program.id).where(Program.code == code)) is not None:
            raise Conflict(f"Mã chương trình “{code}” đã có.")
        program = Program(code=code, created_at=now)
    before = {"title": program.title, "topics": [i.topic.code for i in program.items]} if program.id else None
    program.title = fields["title"].strip()
    session.add(program)
    program.duration_days = fields["duration_days"]
    program.legal_basis = (fields.get("legal_basis") or "").strip()
    program.as_of = fields.get("as_of")
    program.goal_knowledge = fields.get("goal_knowledge") or ""
    program.goal_skills = fields.get("goal_skills") or ""
    program.goal_attitude = fields.get("goal_attitude") or ""
    program.target_groups = list(
        session.scalars(select(TargetGroup).where(TargetGroup.id.in_(fields.get("target_group_ids") or [])))
    )
    program.titles = list(session.scalars(select(Title).where(Title.id.in_(fields.get("title_ids") or []))))
    if [i.topic.code for i in program.items] != codes:
        program.items.clear()
        session.flush()
        for position, c in enumerate(codes):
            program.items.append(ProgramTopic(topic=topics[c], position=position))
    program.updated_at = now
    session.flush()
    audit.record(
        session,
        actor,
        "program.save",
        "program",
        program.id,
        before=before,
        after={"title": program.title, "topics": codes},
        now=now,
    )
    return program


# --- cohorts --------------------------------------------------------------------------------


def get_cohort(session: Session, public_id: str) -> Cohort:
    cohort = session.scalar(
        select(Cohort)
        .where(Cohort.public_id == public_id)
        .options(
            selectinload(Cohort.sessions),
            selectinload(Cohort.instructors),
            selectinload(Cohort.program)
            .selectinload(Program.items)
            .selectinload(ProgramTopic.topic)
            .selectinload(Topic.versions),
        )
    )
    if cohort is None:
        raise NotFound("Không tìm thấy lớp bồi dưỡng.")
    return cohort


def create_cohort(
    session: Session,
    actor: Any,
    now: dt.datetime,
    *,
    program: Program,
    code: str,
    title: str,
    unit: Unit,
    start_date: dt.date,
    end_date: dt.date,
    instructors: Iterable[Any] = (),
    schedule: Iterable[tuple[dt.date, str, Topic | None]] = (),
) -> Cohort:
    if end_date < start_date:
        raise LmsError("Ngày kết thúc phải sau ngày bắt đầu.")
    if session.scalar(select(Cohort.id).where(Cohort.code == code)) is not None:
        raise Conflict(f"Mã lớp “{code}” đã có.")
    cohort = Cohort(
        program=program,
        code=code,
        title=title,
        unit=unit,
        start_date=start_date,
        end_date=end_date,
        created_at=now,
        instructors=list(instructors),
    )
    cohort.sessions = [
        CohortSession(position=i, date=day, title=name, topic=topic)
        for i, (day, name, topic) in enumerate(schedule)
    ]
    session.add(cohort)
    session.flush()
    audit.record(session, actor, "cohort.create", "cohort", cohort.id, after={"code": code}, now=now)
    return cohort


def enroll(
    session: Session, actor: Any, now: dt.datetime, cohort: Cohort, profile: CadreProfile
) -> Enrollment:
    existing = session.scalar(
        select(Enrollment).where(Enrollment.cohort_id == cohort.id, Enrollment.profile_id == profile.id)
    )
    if existing is not None:
        return existing
    enrollment = Enrollment(cohort=cohort, profile=profile, enrolled_at=now)
    session.add(enrollment)
    session.flush()
    audit.record(
        session, actor, "cohort.enroll", "cohort", cohort.id, after={"profile": profile.public_id}, now=now
    )
    return enrollment


def roster(session: Session, cohort: Cohort) -> list[Enrollment]:
    return list(
        session.scalars(
            select(Enrollment)
            .join(CadreProfile)
            .where(Enrollment.cohort_id == cohort.id)
            .options(
                selectinload(Enrollment.profile).selectinload(CadreProfile.title),
                selectinload(Enrollment.profile).selectinload(CadreProfile.unit),
            )
            .order_by(CadreProfile.name_key)
        )
    )


def attendance_map(session: Session, cohort: Cohort) -> dict[tuple[int, int], AttendanceStatus]:
    rows = session.execute(
        select(Attendance.enrollment_id, Attendance.session_id, Attendance.status)
        .join(Enrollment, Enrollment.id == Attendance.enrollment_id)
        .where(Enrollment.cohort_id == cohort.id)
    )
    return {(e, s): status for e, s, status in rows}


def record_attendance(
    session: Session,
    actor: Any,
    now: dt.datetime,
    cohort: Cohort,
    cohort_session: CohortSession,
    statuses: dict[int, str],
    *,
    how: str = "form",
) -> int:
    """Upsert one status per enrollment for one session; returns how many changed.
    ``how`` names the button in the audit entry ("form" or "all_present")."""
    if cohort_session.cohort_id != cohort.id:
        raise NotFound("Buổi học không thuộc lớp này.")
    enrollments = {e.id for e in cohort.enrollments}
    existing = {
        a.enrollment_id: a
        for a in session.scalars(select(Attendance).where(Attendance.session_id == cohort_session.id))
    }
    changed = 0
    for enrollment_id, value in statuses.items():
        if enrollment_id not in enrollments:
            raise LmsError("Danh sách điểm danh có học viên không thuộc lớp này.")
        if not value:
            continue
        try:
            status = AttendanceStatus(value)
        except ValueError:
            raise LmsError("Trạng thái điểm danh không hợp lệ.") from None
        row = existing.get(enrollment_id)
        if row is None:
            session.add(
                Attendance(
                    enrollment_id=enrollment_id,
                    session_id=cohort_session.id,
                    status=status,
                    recorded_by_id=actor.id,
                    recorded_at=now,
                )
            )
            changed += 1
        elif row.status is not status:
            row.status, row.recorded_by_id, row.recorded_at = status, actor.id, now
            changed += 1
    session.flush()
    audit.record(
        session,
        actor,
        "cohort.attendance",
        "cohort_session",
        cohort_session.id,
        after={"changed": changed, "how": how},
        now=now,
    )
    if changed:
        events.attendance_changed.send(session, cohort_id=cohort.id)
    return changed


def record_all_present(
    session: Session,
    actor: Any,
    now: dt.datetime,
    cohort: Cohort,
    cohort_session: CohortSession,
    statuses: dict[int, str],
) -> tuple[int, int]:
    """The "Có mặt tất cả" button: what the form chose is saved as it is, and every learner with nothing
    recorded for this session and nothing chosen is recorded present. A status already recorded
    (an absence above all) is never overwritten by the button: the monitor marks the few absent
    learners, then everybody else in one tap. Returns (learners marked present, changes)."""
    recorded = set(
        session.scalars(select(Attendance.enrollment_id).where(Attendance.session_id == cohort_session.id))
    )
    filled = dict(statuses)
    for enrollment_id, value in statuses.items():
        if not value and enrollment_id not in recorded:
            filled[enrollment_id] = AttendanceStatus.present.value
    marked = sum(1 for e, v in filled.items() if v != statuses[e])
    changed = record_attendance(session, actor, now, cohort, cohort_session, filled, how="all_present")
    return marked, changed


def cohort_for_result(session: Session, cadre_id: int, program_code: str | None, finished_at) -> int | None:
    """The cohort a result belongs to: the cadre's cohort of that program (any cohort when the
    result names no program, e.g. a scenario) that was running or still to come when the result
    was made (entrance tests come before the first session); else the one that ended last."""
    query = (
        select(Cohort.id, Cohort.start_date, Cohort.end_date)
        .join(Enrollment, Enrollment.cohort_id == Cohort.id)
        .where(Enrollment.profile_id == cadre_id)
    )
    if program_code:
        query = query.join(Program, Program.id == Cohort.program_id).where(Program.code == program_code)
    rows = session.execute(query).all()
    if not rows:
        return None
    day = finished_at.date()
    current = sorted((r for r in rows if r.end_date >= day), key=lambda r: r.start_date)
    if current:
        return current[0].id
    return max(rows, key=lambda r: r.end_date).id


events.cohort_resolvers.append(cohort_for_result)


def attendance_summary(session: Session, enrollment: Enrollment) -> tuple[int, int]:
    """(sessions attended, sessions scheduled) for one enrollment; "excused" is not attended.

    For other features (evaluation: "attend the whole program")."""
    scheduled = session.scalar(
        select(func.count(CohortSession.id)).where(CohortSession.cohort_id == enrollment.cohort_id)
    )
    present = session.scalar(
        select(func.count(Attendance.id)).where(
            Attendance.enrollment_id == enrollment.id, Attendance.status == AttendanceStatus.present
        )
    )
    return int(present or 0), int(scheduled or 0)


def progress_map(session: Session, cohort: Cohort) -> dict[tuple[int, int], TopicProgress]:
    rows = session.scalars(select(TopicProgress).join(Enrollment).where(Enrollment.cohort_id == cohort.id))
    return {(p.enrollment_id, p.topic_id): p for p in rows}


def cohort_csv(session: Session, cohort: Cohort) -> str:
    """Roster with attendance and progress; UTF-8 with BOM so Excel shows Vietnamese."""
    topics = cohort.program.topics
    sessions = cohort.sessions
    attendance = attendance_map(session, cohort)
    progress = progress_map(session, cohort)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        safe_row(["Họ và tên", "Đơn vị", "Chức danh"])
        + [f"Buổi {s.position + 1} ({s.date:%d/%m/%Y})" for s in sessions]
        + [f"{t.code} (đã học)" for t in topics]
        + [f"{t.code} (phút)" for t in topics]
    )
    for enrollment in roster(session, cohort):
        profile = enrollment.profile
        row = [profile.full_name, profile.unit.name, profile.title.name if profile.title else ""]
        for s in sessions:
            status = attendance.get((enrollment.id, s.id))
            row.append(ATTENDANCE_LABELS[status] if status else "")
        for t in topics:
            p = progress.get((enrollment.id, t.id))
            row.append("x" if p and p.studied_at else "")
        for t in topics:
            p = progress.get((enrollment.id, t.id))
            row.append(str(round((p.seconds_spent if p else 0) / 60)))
        writer.writerow(safe_row(row))
    return "\ufeff" + out.getvalue()


def cohorts_for(session: Session, user: Any, scope: ColumnElement[bool], role: str) -> list[Cohort]:
    """Cohorts a staff member may open: all (admin), their own (instructor), their subtree (board)."""
    query = select(Cohort).join(Unit, Unit.id == Cohort.unit_id).order_by(Cohort.start_date.desc())
    if role == "instructor":
        query = query.where(Cohort.instructors.any(id=user.id))
    elif role != "admin":
        query = query.where(scope)
    return list(session.scalars(query.options(selectinload(Cohort.program))))


# --- learners -------------------------------------------------------------------------------


def profile_of(session: Session, user: Any) -> CadreProfile | None:
    return session.scalar(select(CadreProfile).where(CadreProfile.user_id == user.id))


def my_enrollments(session: Session, user: Any) -> list[Enrollment]:
    profile = profile_of(session, user)
    if profile is None:
        return []
    return list(
        session.scalars(
            select(Enrollment)
            .join(Cohort)
            .where(Enrollment.profile_id == profile.id)
            .options(
                selectinload(Enrollment.cohort).selectinload(Cohort.sessions),
                selectinload(Enrollment.cohort).selectinload(Cohort.unit),
                selectinload(Enrollment.cohort)
                .selectinload(Cohort.program)
                .selectinload(Program.items)
                .selectinload(ProgramTopic.topic)
                .selectinload(Topic.versions)
                .selectinload(TopicVersion.attachments),
            )
            .order_by(Cohort.start_date.desc())
        )
    )


def learner_enrollment_for(session: Session, user: Any, topic: Topic) -> Enrollment | None:
    """The learner's enrollment whose program includes ``topic`` (most recent first)."""
    for enrollment in my_enrollments(session, user):
        if any(item.topic_id == topic.id for item in enrollment.cohort.program.items):
            return enrollment
    return None


def progress_for(session: Session, enrollment: Enrollment, topic: Topic, now: dt.datetime) -> TopicProgress:
    progress = session.scalar(
        select(TopicProgress).where(
            TopicProgress.enrollment_id == enrollment.id, TopicProgress.topic_id == topic.id
        )
    )
    if progress is None:
        progress = TopicProgress(enrollment_id=enrollment.id, topic_id=topic.id, seconds_spent=0)
        session.add(progress)
    return progress


def mark_studied(session: Session, enrollment: Enrollment, topic: Topic, now: dt.datetime) -> TopicProgress:
    progress = progress_for(session, enrollment, topic, now)
    if progress.studied_at is None:
        progress.studied_at = now
    progress.last_seen_at = now
    session.flush()
    return progress


def add_time(
    session: Session, enrollment: Enrollment, topic: Topic, seconds: int, anchor: str | None, now: dt.datetime
) -> TopicProgress:
    """A beacon from the topic page: adds at most BEACON_CAP_SECONDS and remembers the lesson."""
    progress = progress_for(session, enrollment, topic, now)
    progress.seconds_spent = (progress.seconds_spent or 0) + max(0, min(int(seconds), BEACON_CAP_SECONDS))
    if anchor is not None:
        version = topic.published
        anchors = {lesson.anchor for lesson in version.lessons} if version else set()
        if anchor in anchors or anchor == "":
            progress.last_anchor = anchor or None
    progress.last_seen_at = now
    session.flush()
    return progress


@dataclasses.dataclass(frozen=True)
class NextStep:
    """Where "Học tiếp" leads on "Khóa học của tôi"."""

    topic: Topic | None = None  # None: no button (nothing opened yet, or all studied)
    anchor: str | None = None  # the lesson last read, only when going back to that same topic
    all_studied: bool = False  # every published topic of the program is studied: congratulate


def next_step(enrollment: Enrollment, progress: dict[int, TopicProgress]) -> NextStep:
    """The topic last opened, at the lesson last read, while it is not studied yet; once it is,
    the next topic of the program (in program order, then wrapping round to one skipped earlier)
    that is not studied yet. ``progress`` is the enrollment's rows by topic id; the program's
    items are already loaded (my_enrollments), so this runs no query."""
    topics = [item.topic for item in enrollment.cohort.program.items if item.topic.published]
    studied = {topic_id for topic_id, p in progress.items() if p.studied_at is not None}
    if topics and all(t.id in studied for t in topics):
        return NextStep(all_studied=True)
    opened = [p for p in progress.values() if p.last_seen_at is not None]
    if not opened:
        return NextStep()
    last = max(opened, key=lambda p: p.last_seen_at)
    position = next((i for i, t in enumerate(topics) if t.id == last.topic_id), None)
    if position is not None and last.studied_at is None:
        return NextStep(topic=topics[position], anchor=last.last_anchor)
    start = 0 if position is None else position + 1  # a topic no longer in the program: from the top
    following = next((t for t in topics[start:] + topics[:start] if t.id not in studied), None)
    return NextStep(topic=following)


def require_learner_access(session: Session, user: Any, topic: Topic) -> Enrollment | None:
    enrollment = learner_enrollment_for(session, user, topic)
    if enrollment is None:
        raise Forbidden("Đồng chí chưa được ghi danh vào lớp có chuyên đề này.")
    return enrollment


# --- training needs -------------------------------------------------------------------------


def file_need(
    session: Session,
    actor: Any,
    now: dt.datetime,
    *,
    unit: Unit,
    title: Title | None,
    topic_text: str,
    people: int,
    period: str,
) -> TrainingNeed:
    if people <= 0:
        raise LmsError("Số người phải lớn hơn 0.")
    need = TrainingNeed(
        unit=unit,
        title=title,
        topic_text=topic_text.strip(),
        people=people,
        period=period.strip(),
        filed_by_id=actor.id,
        created_at=now,
    )
    session.add(need)
    session.flush()
    audit.record(
        session,
        actor,
        "needs.file",
        "training_need",
        need.id,
        after={"unit": unit.code, "people": people, "period": need.period},
        now=now,
    )
    return need


def needs_summary(session: Session, scope: ColumnElement[bool], period: str | None = None) -> list[Any]:
    """Sum of people by unit and title (SQL GROUP BY), scoped to the viewer's subtree."""
    query = (
        select(
            Unit.name.label("unit_name"),
            Title.name.label("title_name"),
            TrainingNeed.period,
            func.sum(TrainingNeed.people).label("people"),
            func.count(TrainingNeed.id).label("filings"),
        )
        .join(Unit, Unit.id == TrainingNeed.unit_id)
        .outerjoin(Title, Title.id == TrainingNeed.title_id)
        .where(scope)
        .group_by(Unit.name, Unit.path, Title.name, Title.sort_order, TrainingNeed.period)
        .order_by(Unit.path, TrainingNeed.period, Title.sort_order)
    )
    if period:
        query = query.where(TrainingNeed.period == period)
    return list(session.execute(query))

"""Import accounts and cadre profiles from a CSV file (UTF-8, comma or semicolon).

Every row is checked first; each bad row is reported as ``file:line: message`` and nothing
is written when any row is bad.

Columns (header row required; only ``username``, ``full_name``, ``role`` and ``unit`` are
mandatory): username, full_name, role, unit, title, title_since, birth_year, gender,
ethnicity, professional, political, state_mgmt, password. ``unit`` is a unit's code or its
exact name when no other unit in the importer's scope has that name (``UnitMatcher``);
``csv_template`` writes the downloadable template with these columns.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import unicodedata
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, true
from sqlalchemy.orm import Session

from lms.auth.models import Role, User
from lms.auth.permissions import unit_scope
from lms.auth.services import check_password_strength, create_user, validate_username
from lms.db import fold_key
from lms.errors import FileProblem, InvalidFile, LmsError
from lms.org.models import QualificationKind, QualificationLevel, Title, Unit
from lms.org.services import create_profile

COLUMNS = (
    "username",
    "full_name",
    "role",
    "unit",
    "title",
    "title_since",
    "birth_year",
    "gender",
    "ethnicity",
    "professional",
    "political",
    "state_mgmt",
    "password",
)
REQUIRED = ("username", "full_name", "role", "unit")
QUALIFICATION_COLUMNS = {
    "professional": QualificationKind.professional,
    "political": QualificationKind.political,
    "state_mgmt": QualificationKind.state_mgmt,
}
GENDERS = {"nam": "nam", "nữ": "nu", "nu": "nu", "khác": "khac", "khac": "khac"}
ROLE_WORDS = {r.value: r for r in Role} | {
    "hoc-vien": Role.learner,
    "giang-vien": Role.instructor,
    "duyet": Role.approver,
    "ban-to-chuc": Role.board,
    "quan-tri": Role.admin,
}


@dataclasses.dataclass
class ImportedAccount:
    username: str
    password: str
    generated: bool


@dataclasses.dataclass
class _Row:
    line: int
    values: dict[str, Any]


def parse_date(text: str) -> dt.date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("ngày “%(text)s” không hợp lệ (dùng YYYY-MM-DD hoặc DD/MM/YYYY)", text=text))


def read_rows(raw: bytes, path: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidFile([FileProblem(path, 1, _("tệp không phải UTF-8 (hãy lưu CSV UTF-8)"))]) from exc
    text = text.replace("\x00", "")
    if not text.strip():
        raise InvalidFile([FileProblem(path, 1, _("tệp rỗng"))])
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
        rows = []
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header):
                rows.append((reader.line_num, {"__extra__": "x"}))
                continue
            rows.append((reader.line_num, dict(zip(header, (v.strip() for v in values), strict=False))))
    except csv.Error as exc:
        raise InvalidFile([FileProblem(path, reader.line_num, _("CSV hỏng: %(exc)s", exc=exc))]) from exc
    return header, rows


def import_accounts(session: Session, raw: bytes, path: str, actor: Any) -> list[ImportedAccount]:
    header, rows = read_rows(raw, path)
    problems = [FileProblem(path, 1, _("cột không biết: %(c)s", c=c)) for c in header if c not in COLUMNS]
    problems += [
        FileProblem(
            path,
            1,
            _(
                "thiếu cột bắt buộc: %(c)s",
                c=c,
            ),
        )
        for c in REQUIRED
        if c not in header
    ]
    if problems:
        raise InvalidFile(problems)
    lookups = _Lookups(session, actor)
    checked: list[_Row] = []
    seen: dict[str, int] = {}
    for line, values in rows:
        row_problems, parsed = _check_row(values, lookups)
        name = parsed.get("username")
        if name and name in seen:
            row_problems.append(f"tên đăng nhập “{name}” trùng với dòng {seen[name]}")
        elif name:
            seen[name] = line
        problems += [FileProblem(path, line, message) for message in row_problems]
        checked.append(_Row(line, parsed))
    if not checked and not problems:
        problems.append(FileProblem(path, 2, _("không có dòng dữ liệu nào")))
    if problems:
        raise InvalidFile(problems)
    return [_write(session, row.values, actor) for row in checked]


class _Lookups:
    def __init__(self, session: Session, actor: Any = None):
        units = list(session.scalars(select(Unit).where(_scope(actor)).order_by(Unit.path)))
        self.units = UnitMatcher(units)
        self.titles = {t.code: t for t in session.scalars(select(Title))}
        self.levels = {(lv.kind, lv.code): lv for lv in session.scalars(select(QualificationLevel))}
        self.usernames = set(session.scalars(select(User.username)))


def _scope(actor: Any):
    """The units an importer may name: a person's scope on the web, every unit from the CLI."""
    return true() if actor is None else unit_scope(actor)


class UnitMatcher:
    """A unit named by its code or by its exact name (compared NFC-normalised, so a name typed
    on a phone with combining accents matches). A name two units share is refused with their
    codes; an unknown one lists the units whose name differs only in case or diacritics."""

    def __init__(self, units: list[Unit]):
        self.by_code = {u.code: u for u in units}
        self.by_name: dict[str, list[Unit]] = {}
        self.by_folded: dict[str, list[Unit]] = {}
        for unit in units:
            self.by_name.setdefault(_nfc(unit.name), []).append(unit)
            self.by_folded.setdefault(fold_key(unit.name), []).append(unit)

    def find(self, text: str) -> tuple[Unit | None, str | None]:
        if text in self.by_code:
            return self.by_code[text], None
        named = self.by_name.get(_nfc(text), [])
        if len(named) == 1:
            return named[0], None
        if named:
            return None, (
                f"tên đơn vị “{text}” trùng ở {len(named)} đơn vị ({_codes(named)}); hãy ghi mã đơn vị"
            )
        unknown = f"không có đơn vị mã “{text}”, cũng không có đơn vị tên đúng như vậy"
        near = self.by_folded.get(fold_key(text), [])
        if near:
            return None, f"{unknown}; có phải: {_codes(near)}?"
        return None, f"{unknown} (mã đơn vị xem ở trang Đơn vị)"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def _codes(units: list[Unit]) -> str:
    shown = ", ".join(f"{u.name} (mã {u.code})" for u in units[:5])
    return shown + (f" và {len(units) - 5} đơn vị khác" if len(units) > 5 else "")


def _check_row(values: dict[str, str], lookups: _Lookups) -> tuple[list[str], dict[str, Any]]:
    if "__extra__" in values:
        return ["nhiều giá trị hơn số cột tiêu đề"], {}
    problems: list[str] = []
    parsed: dict[str, Any] = {}
    for column in REQUIRED:
        if not values.get(column):
            problems.append(f"thiếu giá trị cột {column}")
    try:
        parsed["username"] = validate_username(values.get("username", ""))
        if parsed["username"] in lookups.usernames:
            problems.append(f"tên đăng nhập “{parsed['username']}” đã tồn tại")
    except LmsError as exc:
        if values.get("username"):
            problems.append(exc.message)
    parsed["full_name"] = values.get("full_name", "")
    if len(parsed["full_name"]) > 200:
        problems.append("họ và tên dài quá 200 ký tự")
    role = ROLE_WORDS.get(values.get("role", "").lower())
    if values.get("role") and role is None:
        problems.append(f"vai trò “{values['role']}” không hợp lệ ({', '.join(r.value for r in Role)})")
    parsed["role"] = role
    parsed["unit"] = None
    if values.get("unit"):
        parsed["unit"], unit_problem = lookups.units.find(values["unit"])
        if unit_problem:
            problems.append(unit_problem)
    parsed["title"] = None
    if values.get("title"):
        parsed["title"] = lookups.titles.get(values["title"])
        if parsed["title"] is None:
            problems.append(f"không có chức danh mã “{values['title']}”")
    parsed["title_since"] = None
    if values.get("title_since"):
        try:
            parsed["title_since"] = parse_date(values["title_since"])
        except ValueError as exc:
            problems.append(f"title_since: {exc}")
    problems += _check_profile_fields(values, parsed, role)
    parsed["qualifications"] = []
    for column, kind in QUALIFICATION_COLUMNS.items():
        code = values.get(column)
        if code:
            level = lookups.levels.get((kind, code))
            if level is None:
                problems.append(f"{column}: không có trình độ mã “{code}”")
            else:
                parsed["qualifications"].append((level, None, None))
    parsed["password"] = values.get("password") or None
    if parsed["password"]:
        try:
            check_password_strength(parsed["password"], parsed.get("username", ""))
        except LmsError as exc:
            problems.append(exc.message)
    return problems, parsed


def _check_profile_fields(values: dict[str, str], parsed: dict[str, Any], role: Role | None) -> list[str]:
    problems = []
    parsed["birth_year"] = None
    if values.get("birth_year"):
        try:
            parsed["birth_year"] = int(values["birth_year"])
            if not 1930 <= parsed["birth_year"] <= 2015:
                problems.append("năm sinh phải trong khoảng 1930–2015")
        except ValueError:
            problems.append(f"năm sinh “{values['birth_year']}” không phải số")
    elif role is Role.learner:
        problems.append("học viên cần có năm sinh (birth_year)")
    parsed["gender"] = GENDERS.get(values.get("gender", "").lower())
    if values.get("gender") and parsed["gender"] is None:
        problems.append(f"giới tính “{values['gender']}” không hợp lệ (nam, nữ, khác)")
    elif role is Role.learner and parsed["gender"] is None:
        problems.append("học viên cần có giới tính (gender)")
    parsed["ethnicity"] = values.get("ethnicity") or "Kinh"
    return problems


def _write(session: Session, values: dict[str, Any], actor: Any) -> ImportedAccount:
    user, password = create_user(
        session,
        username=values["username"],
        display_name=values["full_name"],
        role=values["role"],
        unit=values["unit"],
        password=values["password"],
        actor=actor,
    )
    if values["birth_year"] and values["gender"]:
        create_profile(
            session,
            actor=actor,
            full_name=values["full_name"],
            birth_year=values["birth_year"],
            gender=values["gender"],
            ethnicity=values["ethnicity"],
            unit=values["unit"],
            title=values["title"],
            title_since=values["title_since"],
            user=user,
            qualifications=values["qualifications"],
        )
    return ImportedAccount(user.username, password, generated=values["password"] is None)

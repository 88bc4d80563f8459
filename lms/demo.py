"""Demo data: a province with 3 communes (and one historical district), one account per
role, and 30 cadres with realistic names, titles and qualifications. Deterministic."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import random
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.auth.services import create_user
from lms.org.models import QualificationKind, QualificationLevel, Title
from lms.org.services import create_profile, create_unit

DEMO_LOGINS = [
    ("quantri", "Admin@QN-2026", "admin — Quản trị hệ thống"),
    ("bantochuc", "BTC@Tinh-2026", "board — Ban Tổ chức Tỉnh ủy"),
    ("bantochucxa", "BTC@TanLap-2026", "board — Đảng ủy xã Tân Lập"),
    ("giangvien", "GV@Truong-2026", "instructor — Trường Chính trị tỉnh"),
    ("duyet", "Approve@QN-2026", "approver — Trường Chính trị tỉnh"),
    ("hocvien", "HV@TanLap-2026", "learner — Chủ tịch UBND xã Tân Lập"),
]

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Ngô",
    "Dương",
    "Lý",
    "Triệu",
    "Hà",
]
MIDDLE = {
    "nam": ["Văn", "Đức", "Minh", "Quang", "Hữu", "Thành", "Xuân"],
    "nu": ["Thị", "Thu", "Ngọc", "Thanh", "Phương", "Hồng"],
}
GIVEN = {
    "nam": [
        "Hùng",
        "Dũng",
        "Tuấn",
        "Long",
        "Thắng",
        "Hải",
        "Phong",
        "Cường",
        "Khánh",
        "Trung",
        "Sơn",
        "Bình",
    ],
    "nu": ["Lan", "Hương", "Hà", "Mai", "Thảo", "Nhung", "Hạnh", "Yến", "Trang", "Loan", "Huyền"],
}
ETHNICITIES = ["Kinh"] * 7 + ["Tày", "Dao", "Sán Dìu", "Sán Chay"]
TITLE_CODES = [
    "bi-thu-dang-uy",
    "pho-bi-thu-dang-uy",
    "chu-tich-hdnd",
    "pho-chu-tich-hdnd",
    "chu-tich-ubnd",
    "pho-chu-tich-ubnd",
    "chu-tich-mttq",
    "pho-chu-tich-mttq",
    "cc-van-phong-hdnd-ubnd",
    "cc-phong-kinh-te",
]


def load(session: Session) -> list[tuple[str, str, str]]:
    province = create_unit(session, code="qn", name="Tỉnh Quảng Ninh", kind="province")
    create_unit(
        session,
        code="qn-hai-ha",
        name="Huyện Hải Hà",
        kind="district",
        parent=province,
        valid_to=dt.date(2025, 6, 30),
    )
    communes = [
        create_unit(
            session,
            code="qn-tan-lap",
            name="Xã Tân Lập",
            kind="commune",
            parent=province,
            valid_from=dt.date(2025, 7, 1),
        ),
        create_unit(
            session,
            code="qn-hai-son",
            name="Xã Hải Sơn",
            kind="commune",
            parent=province,
            valid_from=dt.date(2025, 7, 1),
        ),
        create_unit(
            session,
            code="qn-binh-minh",
            name="Phường Bình Minh",
            kind="ward",
            parent=province,
            valid_from=dt.date(2025, 7, 1),
        ),
    ]
    units = {"admin": province, "board": province, "instructor": province, "approver": province}
    accounts = {}
    for (username, password, _label), role in zip(
        DEMO_LOGINS, ["admin", "board", "board", "instructor", "approver", "learner"], strict=True
    ):
        unit = communes[0] if username in {"bantochucxa", "hocvien"} else units[role]
        name = _fixed_names()[username]
        accounts[username], _ = create_user(
            session, username=username, display_name=name, role=role, unit=unit, password=password
        )
    _cadres(session, communes, accounts["hocvien"])
    return DEMO_LOGINS


def _fixed_names() -> dict[str, str]:
    return {
        "quantri": "Phạm Quốc Toàn",
        "bantochuc": "Trần Thị Bích Ngọc",
        "bantochucxa": "Hoàng Văn Lợi",
        "giangvien": "Lê Minh Đức",
        "duyet": "Vũ Thị Thanh Hà",
        "hocvien": "Nguyễn Văn Thắng",
    }


def _cadres(session: Session, communes, learner_user) -> None:
    rng = random.Random(2026)
    titles = {t.code: t for t in session.scalars(select(Title))}
    levels = {(lv.kind, lv.code): lv for lv in session.scalars(select(QualificationLevel))}
    create_profile(
        session,
        actor=None,
        full_name=learner_user.display_name,
        birth_year=1978,
        gender="nam",
        unit=communes[0],
        title=titles["chu-tich-ubnd"],
        title_since=dt.date(2021, 6, 15),
        user=learner_user,
        qualifications=[
            (levels[(QualificationKind.education, "thpt")], None, None),
            (levels[(QualificationKind.professional, "dai-hoc")], "Luật", dt.date(2010, 6, 30)),
            (levels[(QualificationKind.political, "trung-cap")], None, dt.date(2015, 12, 20)),
        ],
    )
    for index in range(29):
        gender = "nu" if rng.random() < 0.4 else "nam"
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE[gender])} {rng.choice(GIVEN[gender])}"
        title = titles[TITLE_CODES[index % len(TITLE_CODES)]]
        create_profile(
            session,
            actor=None,
            full_name=name,
            birth_year=rng.randint(1968, 1995),
            gender=gender,
            ethnicity=rng.choice(ETHNICITIES),
            unit=communes[index % 3],
            title=title,
            title_since=dt.date(rng.randint(2016, 2025), rng.randint(1, 12), 1),
            qualifications=_random_qualifications(rng, levels),
        )


def _random_qualifications(rng: random.Random, levels) -> list:
    pick = [(levels[(QualificationKind.education, "thpt")], None, None)]
    professional = rng.choice(["trung-cap", "cao-dang", "dai-hoc", "dai-hoc", "dai-hoc", "thac-si"])
    field = rng.choice(["Luật", "Kinh tế", "Quản lý đất đai", "Hành chính học", "Kế toán", "Xây dựng Đảng"])
    pick.append(
        (
            levels[(QualificationKind.professional, professional)],
            field,
            dt.date(rng.randint(2000, 2022), 6, 30),
        )
    )
    political = rng.choice([None, "so-cap", "trung-cap", "trung-cap", "cao-cap"])
    if political:
        pick.append(
            (levels[(QualificationKind.political, political)], None, dt.date(rng.randint(2008, 2024), 12, 15))
        )
    if rng.random() < 0.5:
        pick.append((levels[(QualificationKind.state_mgmt, "chuyen-vien")], None, None))
    if rng.random() < 0.6:
        pick.append((levels[(QualificationKind.digital, "co-ban")], None, None))
    return pick


FEATURE_DEMOS = ("programs", "quizzes", "scenarios", "evaluation")


def feature_steps() -> list[Callable[[Session], str]]:
    """Each feature's ``demo.load_content(session) -> str`` (a summary line), when present."""
    steps = []
    for feature in FEATURE_DEMOS:
        name = f"lms.{feature}.demo"
        if importlib.util.find_spec(f"lms.{feature}") and importlib.util.find_spec(name):
            steps.append(importlib.import_module(name).load_content)
    return steps

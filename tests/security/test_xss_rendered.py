"""XSS vectors stored where the foundation shows people's text today, then the pages that show
them: the cadre's full name and ethnicity (admin edit form), an account's display name (admin
create form) and CSV import rows (full name). Each page, parsed with ``html.parser``, must hold
no dangerous item (script, event handler, dangerous URL... see ``xss.py``) and no element beyond
what the same page holds for a harmless value, and must show the vector back as text.

Runtime: a deterministic sample (every k-th vector, at most 120, plus the 30 hand-picked
``NASTIEST``, see SOURCES.md). Each form value is stored inside a SAVEPOINT that is rolled back,
so every page is rendered against the same data as its baseline; the CSV rows go in one file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from contextlib import contextmanager

import pytest

from lms.auth.models import Role
from tests.factories import Factory
from tests.fixtures import csrf_token
from tests.security.xss import PageReport, rendered_sample

SAMPLE = rendered_sample()
HARMLESS = "Nguyễn Thị Minh Khai"
HARMLESS_TOO_LONG = "Nguyễn Thị Minh Khai " * 12  # 252 characters: over every length limit
FULL_NAME_MAX = 200  # CadreEditForm.full_name, the CSV reader
ETHNICITY_MAX = 60  # CadreEditForm.ethnicity
DISPLAY_NAME_MAX = 200  # UserCreateForm.display_name

Pages = list[tuple[str, str]]  # (label, HTML); the last page must show the stored value


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """Accounts made here get a pre-computed hash: argon2 per vector would only add seconds."""
    from tests import factories

    monkeypatch.setattr("lms.auth.services.hash_password", lambda _password: factories._HASH)


@pytest.fixture()
def admin(world, login_as):
    return login_as(world.users["admin"])


@contextmanager
def rolled_back(connection):
    savepoint = connection.begin_nested()
    try:
        yield
    finally:
        savepoint.rollback()


class Scenario:
    """``store(value) -> (outcome, pages)`` stores a value one way ("stored" or "rejected" by
    validation) and returns the pages that show it; ``check`` compares them with the pages a
    harmless value gives on the same path."""

    def __init__(self, connection, store: Callable[[str], tuple[str, Pages]], limit: int):
        self.connection = connection
        self.store = store
        self.limit = limit
        self.baselines: dict[tuple[str, str], PageReport] = {}
        for value, expected in ((HARMLESS, "stored"), (HARMLESS_TOO_LONG, "rejected")):
            outcome, pages = self._render(value)
            assert outcome == expected, f"harmless value {value!r} was {outcome}"
            reports = [(label, PageReport(page)) for label, page in pages]
            if outcome == "stored":
                assert HARMLESS in reports[-1][1].text, f"{reports[-1][0]} does not show the value"
            self.baselines.update({(outcome, label): report for label, report in reports})

    def _render(self, value: str) -> tuple[str, Pages]:
        with rolled_back(self.connection):
            return self.store(value)

    def check(self, value: str) -> list[str]:
        outcome, pages = self._render(value)
        problems = []
        if (len(value) <= self.limit) != (outcome == "stored"):
            problems.append(f"{outcome} although {len(value)} characters (limit {self.limit})")
        report = None
        for label, page in pages:
            report = PageReport(page)
            problems += [f"{label}: {p}" for p in report.beyond(self.baselines[(outcome, label)])]
        if outcome == "stored" and value.strip() not in report.text:
            problems.append(f"{pages[-1][0]} does not show the value back as text")
        return problems


def run(scenario: Scenario, transform: Callable[[str], str] = lambda v: v) -> None:
    failures = []
    for index, vector in SAMPLE:
        problems = scenario.check(transform(vector))
        if problems:
            failures.append(f"xss_vectors.txt line {index + 1}: {vector!r}\n    " + "\n    ".join(problems))
    assert not failures, f"{len(failures)} of {len(SAMPLE)} vectors:\n" + "\n".join(failures)


# --- cadre profile: full name and ethnicity through the admin edit form ----------------------


@pytest.fixture()
def profile(world, factory: Factory, session):
    made = factory.profile(unit=world.commune_a, name=HARMLESS, ethnicity="Kinh")
    session.commit()
    return made


def profile_scenario(admin, connection, profile, field: str, limit: int) -> Scenario:
    detail = f"/cadres/{profile.public_id}"
    edit = f"{detail}/edit"
    token = csrf_token(admin, edit)
    form = {
        "csrf_token": token,
        "full_name": HARMLESS,
        "birth_year": "1980",
        "gender": "nam",
        "ethnicity": "Kinh",
        "unit_id": str(profile.unit_id),
        "title_id": str(profile.title_id or 0),
        "title_since": "2021-01-01",
        "submit": "1",
    }

    def store(value: str) -> tuple[str, Pages]:
        response = admin.post(edit, data={**form, field: value})
        if response.status_code == 400:  # the form again, with the value in its input
            return "rejected", [(f"POST {edit}", response.get_data(as_text=True))]
        assert response.status_code == 302, response.status_code
        # the edit form (the full name in <title>, <h1> and an <input>), then the profile page;
        # an ethnicity is only shown on the profile page (its <input> is the same widget as the
        # full name's, and the refused path above shows it too)
        pages = (edit, detail) if field == "full_name" else (detail,)
        return "stored", [(f"GET {p}", admin.get(p).get_data(as_text=True)) for p in pages]

    return Scenario(connection, store, limit)


def test_cadre_full_name(admin, connection, profile):
    run(profile_scenario(admin, connection, profile, "full_name", FULL_NAME_MAX))


def test_cadre_ethnicity(admin, connection, profile):
    run(profile_scenario(admin, connection, profile, "ethnicity", ETHNICITY_MAX))


# --- account display name through the admin create form --------------------------------------


def user_id(listing: str, username: str) -> str:
    match = re.search(rf'href="/admin/users/(\d+)">{re.escape(username)}<', listing)
    assert match, f"{username} is not in the account list"
    return match.group(1)


def test_account_display_name(admin, connection, world):
    token = csrf_token(admin, "/admin/users")

    def store(value: str) -> tuple[str, Pages]:
        response = admin.post(
            "/admin/users",
            data={
                "csrf_token": token,
                "username": "xss-vector",
                "display_name": value,
                "role": Role.learner.value,
                "unit_id": str(world.commune_a.id),
            },
        )
        page = response.get_data(as_text=True)
        if response.status_code == 400:
            return "rejected", [("POST /admin/users", page)]
        assert response.status_code == 200, response.status_code
        # the answer lists the accounts (display names in the table); then the account's page
        detail = admin.get(f"/admin/users/{user_id(page, 'xss-vector')}").get_data(as_text=True)
        return "stored", [("POST /admin/users", page), ("GET /admin/users/<id>", detail)]

    run(Scenario(connection, store, DISPLAY_NAME_MAX))


# --- CSV import: every sampled vector a row of one file -----------------------------------------


def import_csv(admin, token: str, names: list[str], unit_code: str):
    return admin.post(
        "/admin/users/import",
        data={"csrf_token": token, "file": (io.BytesIO(csv_file(names, unit_code)), "x.csv")},
        content_type="multipart/form-data",
    )


def csv_file(names: list[str], unit_code: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["username", "full_name", "role", "unit", "birth_year", "gender"])
    for number, name in enumerate(names):
        writer.writerow([f"xss-csv-{number:03d}", name, "learner", unit_code, "1980", "nam"])
    return buffer.getvalue().encode("utf-8")


def test_csv_import_full_names(admin, connection, world):
    """One file with every sampled vector (the reader strips values; rows over 200 characters
    are refused, see the next test) against one with as many harmless names: the import answer,
    every page of the cadre list and of the account list."""
    token = csrf_token(admin, "/admin/users/import")
    names = [v.strip() for _, v in SAMPLE if len(v.strip()) <= FULL_NAME_MAX]
    harmless = [f"{HARMLESS} {number:03d}" for number in range(len(names))]

    def import_and_list(rows: list[str]) -> Pages:
        with rolled_back(connection):
            response = import_csv(admin, token, rows, world.commune_a.code)
            assert response.status_code == 200, response.get_data(as_text=True)[:2000]
            pages = [("POST /admin/users/import", response.get_data(as_text=True))]
            for listing in ("/cadres", "/admin/users"):
                number = 1
                while True:
                    page = admin.get(f"{listing}?page={number}").get_data(as_text=True)
                    pages.append((f"GET {listing}?page={number}", page))
                    if "Trang sau" not in page:
                        break
                    number += 1
            return pages

    baseline = import_and_list(harmless)
    pages = import_and_list(names)
    assert [label for label, _ in pages] == [label for label, _ in baseline]
    problems = []
    shown = ""
    for (label, page), (_, harmless_page) in zip(pages, baseline, strict=True):
        report = PageReport(page)
        problems += [f"{label}: {p}" for p in report.beyond(PageReport(harmless_page))]
        if label.startswith("GET /cadres"):
            shown += report.text
    problems += [f"the cadre list does not show {name!r}" for name in names if name not in shown]
    assert not problems, "\n".join(problems)


def test_csv_import_refuses_long_names_without_echoing_them(admin, connection, world):
    token = csrf_token(admin, "/admin/users/import")

    def store(value: str) -> tuple[str, Pages]:
        response = import_csv(admin, token, [value], world.commune_a.code)
        page = response.get_data(as_text=True)
        if response.status_code == 400:
            return "rejected", [("POST /admin/users/import", page)]
        profile = re.search(r'href="(/cadres/[^"/?]+)"', admin.get("/cadres").get_data(as_text=True))[1]
        return "stored", [
            ("POST /admin/users/import", page),
            ("GET /cadres/<id>", admin.get(profile).get_data(as_text=True)),
        ]

    scenario = Scenario(connection, store, FULL_NAME_MAX)
    long_ones = [v.strip() for _, v in SAMPLE if len(v.strip()) > FULL_NAME_MAX]
    problems = [f"{v!r}: {p}" for v in long_ones for p in scenario.check(v)]
    assert not problems, "\n".join(problems)

"""Issue #14 item 8: the account import takes a unit by code or by its unambiguous exact name,
offers a template with the exact header, and /units shows the codes it needs."""

from __future__ import annotations

import csv
import io
import unicodedata

import pytest
from sqlalchemy import select

from lms.auth.models import User
from lms.errors import InvalidFile
from lms.org.csv_import import COLUMNS, import_accounts
from lms.org.csv_template import template_csv
from tests.fixtures import csrf_token

HEADER = "username,full_name,role,unit,birth_year,gender\n"


def _import(session, *rows: str, actor=None):
    data = (HEADER + "".join(r + "\n" for r in rows)).encode("utf-8")
    return import_accounts(session, data, "ds.csv", actor=actor)


def _problems(session, *rows: str, actor=None) -> list[str]:
    with pytest.raises(InvalidFile) as caught:
        _import(session, *rows, actor=actor)
    return [str(p) for p in caught.value.problems]


def test_unit_by_exact_name(session, world):
    _import(session, "hv1,Lê Văn Một,learner,Xã A,1980,nam")
    assert session.scalar(select(User).where(User.username == "hv1")).unit_id == world.commune_a.id


def test_unit_name_typed_decomposed_matches_nfc(session, world, factory):
    unit = factory.unit("Xã Hòa Bình", parent=world.province)
    session.flush()
    decomposed = unicodedata.normalize("NFD", "Xã Hòa Bình")
    assert decomposed != "Xã Hòa Bình"
    _import(session, f"hv2,Lê Văn Hai,learner,{decomposed},1980,nam")
    assert session.scalar(select(User).where(User.username == "hv2")).unit_id == unit.id


def test_code_still_wins(session, world):
    _import(session, f"hv3,Lê Văn Ba,learner,{world.commune_b.code},1980,nam")
    assert session.scalar(select(User).where(User.username == "hv3")).unit_id == world.commune_b.id


def test_ambiguous_name_names_the_line_and_codes(session, world, factory):
    first = factory.unit("Xã Tân Lập", parent=world.province)
    second = factory.unit("Xã Tân Lập", parent=world.province)
    session.flush()
    lines = _problems(
        session,
        f"hv4,Lê Văn Bốn,learner,{world.commune_a.code},1980,nam",
        "hv5,Lê Năm,learner,Xã Tân Lập,1980,nam",
    )
    assert lines == [
        f"ds.csv:3: tên đơn vị “Xã Tân Lập” trùng ở 2 đơn vị (Xã Tân Lập (mã {first.code}), "
        f"Xã Tân Lập (mã {second.code})); hãy ghi mã đơn vị"
    ]


def test_near_name_suggests_codes_and_exact_match_is_case_sensitive(session, world):
    lines = _problems(session, "hv6,Lê Sáu,learner,xa a,1980,nam")
    assert lines == [
        "ds.csv:2: không có đơn vị mã “xa a”, cũng không có đơn vị tên đúng như vậy; "
        f"có phải: Xã A (mã {world.commune_a.code})?"
    ]


def test_unknown_name_says_where_codes_are(session, world):
    lines = _problems(session, "hv7,Lê Bảy,learner,Xã Không Có,1980,nam")
    assert lines == [
        "ds.csv:2: không có đơn vị mã “Xã Không Có”, cũng không có đơn vị tên đúng như vậy "
        "(mã đơn vị xem ở trang Đơn vị)"
    ]


def test_names_outside_the_importers_scope_are_unknown(session, world):
    lines = _problems(session, "hv8,Lê Tám,learner,Xã A,1980,nam", actor=world.learner_b)
    assert lines and lines[0].startswith("ds.csv:2: không có đơn vị mã “Xã A”")


def test_template_has_bom_exact_header_and_an_example_that_imports(session, world):
    raw = template_csv(session)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == list(COLUMNS) and len(rows) == 2
    example = dict(zip(rows[0], rows[1], strict=True))
    assert example["full_name"] == "Nguyễn Văn An" and example["gender"] == "nam"
    accounts = import_accounts(session, raw, "mau.csv", actor=None)
    assert [a.username for a in accounts] == ["nguyenvanan"]


def test_import_page_offers_template_and_documents_columns(client, world, login_as):
    login_as(world.users["admin"])
    html = client.get("/admin/users/import").get_data(as_text=True)
    assert 'href="/admin/users/import/mau-nhap-tai-khoan.csv"' in html
    for column in COLUMNS:
        assert f"<code>{column}</code>" in html
    response = client.get("/admin/users/import/mau-nhap-tai-khoan.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")


def test_refused_upload_shows_the_summary_first(client, world, login_as):
    login_as(world.users["admin"])
    token = csrf_token(client, "/admin/users/import")
    data = (HEADER + "x1,Tên,learner,Xã Không Có,1980,nam\n").encode()
    response = client.post(
        "/admin/users/import",
        data={"file": (io.BytesIO(data), "ds.csv"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    main = html[html.index('<main id="main">') :]
    assert main.index('id="error-summary"') < main.index("<h1") and "ds.csv:2" in main
    response = client.post("/admin/users/import", data={"csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and '<a href="#file">' in html


def test_units_page_shows_codes(client, world, login_as):
    login_as(world.users["admin"])
    html = client.get("/units").get_data(as_text=True)
    assert f"<code>{world.commune_a.code}</code>" in html and f"<code>{world.province.code}</code>" in html


def test_cli_keeps_its_output_for_an_ambiguous_name(runner, tmp_path, world, factory, session):
    factory.unit("Xã Đồng Tâm", parent=world.province)
    factory.unit("Xã Đồng Tâm", parent=world.province)
    session.commit()
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "hv9,Tên,learner,Xã Đồng Tâm,1980,nam\n", encoding="utf-8")
    result = runner.invoke(args=["users", "import", str(bad)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[-2].startswith(f"{bad}:2: tên đơn vị “Xã Đồng Tâm” trùng ở 2 đơn vị")
    assert lines[-1] == "1 problems; nothing imported"

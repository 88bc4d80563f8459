import pytest
from sqlalchemy import func, select

from lms.auth.models import User
from lms.errors import InvalidFile
from lms.org.csv_import import import_accounts
from lms.org.models import CadreProfile

HEADER = "username,full_name,role,unit,title,title_since,birth_year,gender,ethnicity,professional,political\n"


def _csv(world, *rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).replace("{A}", world.commune_a.code).encode()


def test_good_file_creates_accounts_and_profiles(session, world):
    data = _csv(
        world,
        "nguyenvanbinh,Nguyễn Văn Bình,learner,{A},chu-tich-ubnd,15/06/2021,1979,nam,Kinh,dai-hoc,trung-cap",
        "0911222333,Hoàng Thị Mai,hoc-vien,{A},chu-tich-mttq,2022-01-10,1985,nữ,Tày,,",
    )
    accounts = import_accounts(session, data, "can-bo.csv", actor=None)
    assert [a.username for a in accounts] == ["nguyenvanbinh", "0911222333"]
    assert all(a.generated for a in accounts)
    profile = session.scalar(select(CadreProfile).where(CadreProfile.full_name == "Hoàng Thị Mai"))
    assert profile.gender == "nu" and profile.ethnicity == "Tày" and profile.title.code == "chu-tich-mttq"
    binh = session.scalar(select(CadreProfile).where(CadreProfile.name_key == "nguyen van binh"))
    assert {q.level.code for q in binh.qualifications} == {"dai-hoc", "trung-cap"}


def test_every_bad_row_reported_by_line_and_nothing_imported(session, world):
    before = session.scalar(select(func.count(User.id)))
    data = _csv(
        world,
        "tot1,Người Tốt,learner,{A},,,1980,nam,,,",
        "Sai Ten,Tên sai,learner,{A},,,1980,nam,,,",
        "tot2,Đơn vị sai,learner,khong-co,,,1980,nam,,,",
        "tot3,Năm sinh sai,learner,{A},,,năm,nam,,,",
        "tot1,Trùng dòng 2,admin,{A},,,,,,,",
        "tot4,Chức danh sai,learner,{A},bi-thu-tinh,,1980,nam,,,",
        "tot5,Trình độ sai,learner,{A},,,1980,nam,,tien-si-x,",
        "tot6,Ngày sai,learner,{A},chu-tich-ubnd,31/02/2020,1980,nam,,,",
        "tot7,Vai trò sai,sep,{A},,,,,,,",
    )
    with pytest.raises(InvalidFile) as caught:
        import_accounts(session, data, "can-bo.csv", actor=None)
    lines = [str(p) for p in caught.value.problems]
    assert any(line.startswith("can-bo.csv:3: Tên đăng nhập gồm") for line in lines)
    assert any(line.startswith("can-bo.csv:4: không có đơn vị mã “khong-co”") for line in lines)
    assert "can-bo.csv:5: năm sinh “năm” không phải số" in lines
    assert "can-bo.csv:6: tên đăng nhập “tot1” trùng với dòng 2" in lines
    assert "can-bo.csv:7: không có chức danh mã “bi-thu-tinh”" in lines
    assert "can-bo.csv:8: professional: không có trình độ mã “tien-si-x”" in lines
    assert any(line.startswith("can-bo.csv:9: title_since:") for line in lines)
    assert any(line.startswith("can-bo.csv:10: vai trò “sep”") for line in lines)
    assert not any(line.startswith("can-bo.csv:2:") for line in lines)
    assert session.scalar(select(func.count(User.id))) == before


def test_header_problems(session, world):
    with pytest.raises(InvalidFile) as caught:
        import_accounts(session, b"username,ho_ten,role\nx,y,z\n", "x.csv", actor=None)
    lines = [str(p) for p in caught.value.problems]
    assert "x.csv:1: cột không biết: ho_ten" in lines
    assert "x.csv:1: thiếu cột bắt buộc: unit" in lines


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"", "x.csv:1: tệp rỗng"),
        ("username,full_name,role,unit\n".encode("utf-16"), "x.csv:1: tệp không phải UTF-8"),
        (b"username,full_name,role,unit\n", "x.csv:2: không có dòng dữ liệu nào"),
    ],
)
def test_empty_and_wrong_encoding(session, raw, message):
    with pytest.raises(InvalidFile) as caught:
        import_accounts(session, raw, "x.csv", actor=None)
    assert str(caught.value.problems[0]).startswith(message)


def test_semicolon_and_bom_from_excel(session, world):
    data = "\ufeffusername;full_name;role;unit\nexcel1;Lý Văn Tài;instructor;" + world.province.code + "\n"
    accounts = import_accounts(session, data.encode("utf-8"), "excel.csv", actor=None)
    assert accounts[0].username == "excel1"


def test_upload_page_reports_lines(client, world, login_as):
    from io import BytesIO

    from tests.fixtures import csrf_token

    login_as(world.users["admin"])
    token = csrf_token(client, "/admin/users/import")
    response = client.post(
        "/admin/users/import",
        data={
            "file": (BytesIO(_csv(world, "x1,Tên,learner,khong-co,,,1980,nam,,,")), "ds.csv"),
            "csrf_token": token,
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "ds.csv:2" in response.get_data(as_text=True)


def test_cli_import_reports_file_and_line(runner, tmp_path, world, app):
    bad = tmp_path / "bad.csv"
    bad.write_text("username,full_name,role,unit\nx1,Tên,learner,khong-co\n", encoding="utf-8")
    result = runner.invoke(args=["users", "import", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:2: không có đơn vị mã “khong-co”" in result.output

from sqlalchemy import select

from lms.audit import AuditEntry
from lms.db import fold_key
from tests.fixtures import csrf_token


def test_fold_key_handles_vietnamese():
    assert fold_key("  Đặng   Thị Ngọc ") == "dang thi ngoc"
    assert fold_key("HÀ NỘI") == "ha noi"


def test_search_by_name_without_diacritics(client, world, factory, session, login_as):
    factory.profile(unit=world.commune_a, name="Đặng Thị Ngọc Ánh")
    factory.profile(unit=world.commune_a, name="Trần Văn Bảo")
    session.commit()
    login_as(world.users["board"])
    html = client.get("/cadres?name=dang+thi").get_data(as_text=True)
    assert "Đặng Thị Ngọc Ánh" in html and "Trần Văn Bảo" not in html


def test_admin_edit_profile_is_audited(client, world, factory, session, login_as):
    profile = factory.profile(unit=world.commune_a, name="Lê Văn Cũ")
    session.commit()
    login_as(world.users["admin"])
    url = f"/cadres/{profile.public_id}/edit"
    token = csrf_token(client, url)
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "full_name": "Lê Văn Mới",
            "birth_year": 1981,
            "gender": "nam",
            "ethnicity": "Kinh",
            "unit_id": world.commune_a.id,
            "title_id": profile.title_id,
            "title_since": "2021-01-01",
        },
    )
    assert response.status_code == 302
    entry = session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "profile.update", AuditEntry.object_id == str(profile.id)
        )
    )
    assert entry.before_data["full_name"] == "Lê Văn Cũ" and entry.after_data["full_name"] == "Lê Văn Mới"


def test_bad_profile_values_are_form_errors(client, world, factory, session, login_as):
    profile = factory.profile(unit=world.commune_a)
    session.commit()
    login_as(world.users["admin"])
    url = f"/cadres/{profile.public_id}/edit"
    token = csrf_token(client, url)
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "full_name": "",
            "birth_year": "99999",
            "gender": "x",
            "ethnicity": "Kinh",
            "unit_id": "abc",
            "title_id": 0,
        },
    )
    assert response.status_code == 400


def test_unknown_profile_is_404(client, world, login_as):
    login_as(world.users["admin"])
    assert client.get("/cadres/khong-co-ma-nay").status_code == 404

from sqlalchemy import select

from lms.audit import AuditEntry
from lms.auth.models import User
from tests.fixtures import csrf_token, login


def test_admin_creates_user_with_temporary_password(client, world, login_as, session):
    login_as(world.users["admin"])
    token = csrf_token(client, "/admin/users")
    response = client.post(
        "/admin/users",
        data={
            "username": "0987654321",
            "display_name": "Đỗ Thị Hạnh",
            "role": "learner",
            "unit_id": world.commune_a.id,
            "csrf_token": token,
        },
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Mật khẩu tạm thời" in html
    user = session.scalar(select(User).where(User.username == "0987654321"))
    assert user.must_change_password and user.unit_id == world.commune_a.id


def test_duplicate_username_is_a_form_error(client, world, login_as):
    login_as(world.users["admin"])
    token = csrf_token(client, "/admin/users")
    response = client.post(
        "/admin/users",
        data={
            "username": "board-a",
            "display_name": "Trùng tên",
            "role": "learner",
            "unit_id": world.commune_a.id,
            "csrf_token": token,
        },
    )
    assert response.status_code == 409
    assert "đã có người dùng" in response.get_data(as_text=True)


def test_bad_username_is_a_form_error(client, world, login_as):
    login_as(world.users["admin"])
    token = csrf_token(client, "/admin/users")
    response = client.post(
        "/admin/users",
        data={
            "username": "Có Dấu",
            "display_name": "X",
            "role": "learner",
            "unit_id": world.commune_a.id,
            "csrf_token": token,
        },
    )
    assert response.status_code == 400
    assert "Tên đăng nhập gồm" in response.get_data(as_text=True)


def test_unknown_unit_choice_is_rejected(client, world, login_as):
    login_as(world.users["admin"])
    token = csrf_token(client, "/admin/users")
    response = client.post(
        "/admin/users",
        data={
            "username": "donvi-la",
            "display_name": "X",
            "role": "learner",
            "unit_id": 999999,
            "csrf_token": token,
        },
    )
    assert response.status_code == 400


def test_disable_logs_user_out_and_is_audited(app, client, world, login_as, session):
    target = world.learner_b
    other = app.test_client()
    login(other, target)
    login_as(world.users["admin"])
    token = csrf_token(client, f"/admin/users/{target.id}")
    client.post(f"/admin/users/{target.id}", data={"action": "disable", "csrf_token": token})
    assert other.get("/").status_code == 302
    assert login(app.test_client(), target).status_code == 401
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == str(target.id))).all()
    assert "user.disable" in actions


def test_reset_shows_new_password_once_and_forces_change(client, world, login_as, app):
    target = world.learner_b
    login_as(world.users["admin"])
    token = csrf_token(client, f"/admin/users/{target.id}")
    html = client.post(f"/admin/users/{target.id}", data={"action": "reset", "csrf_token": token}).get_data(
        as_text=True
    )
    import re

    password = re.search(r'<p class="secret"><code>([^<]+)</code>', html).group(1)
    fresh = app.test_client()
    response = login(fresh, target, password)
    assert response.headers["Location"].endswith("/account/password")
    assert fresh.get("/cadres").headers["Location"].endswith("/account/password")


def test_admin_cannot_disable_self(client, world, login_as):
    admin = world.users["admin"]
    login_as(admin)
    token = csrf_token(client, f"/admin/users/{admin.id}")
    response = client.post(f"/admin/users/{admin.id}", data={"action": "disable", "csrf_token": token})
    assert response.status_code == 400
    assert "Không thể tự khóa" in response.get_data(as_text=True)


def test_unknown_user_is_404(client, world, login_as):
    login_as(world.users["admin"])
    assert client.get("/admin/users/987654").status_code == 404


def test_audit_view_filters(client, world, login_as, session):
    from lms import audit

    audit.record(session, world.users["admin"], "profile.update", "cadre_profile", 42, before={"a": 1})
    audit.record(session, world.users["admin"], "user.create", "user", 7)
    session.commit()
    login_as(world.users["admin"])
    html = client.get("/admin/audit?action=profile.update").get_data(as_text=True)
    assert "Hồ sơ cán bộ #42" in html and "Tài khoản #7" not in html

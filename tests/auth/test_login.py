import re

from sqlalchemy import select

from lms.audit import AuditEntry
from lms.auth.models import LoginFailure
from tests.factories import PASSWORD
from tests.fixtures import csrf_token, login


def test_login_by_username_and_phone(client, factory):
    factory.user(username="0912345678")
    response = login(client, "0912345678")
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_username_is_case_and_space_insensitive(client, factory):
    factory.user(username="nguyenvana")
    assert login(client, "  NguyenVanA ").status_code == 302


def test_wrong_password_and_unknown_user_give_the_same_message(client, factory):
    factory.user(username="tranthib")
    wrong = login(client, "tranthib", "sai-mat-khau-123")
    unknown = login(client, "khongtontai", "sai-mat-khau-123")
    assert wrong.status_code == unknown.status_code == 401
    message = "Tên đăng nhập hoặc mật khẩu không đúng."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


def test_disabled_account_cannot_log_in(client, factory):
    factory.user(username="dakhoa", active=False)
    assert login(client, "dakhoa").status_code == 401


def test_account_throttled_after_five_failures_even_with_right_password(client, factory, session):
    factory.user(username="lehoa")
    for _ in range(5):
        assert login(client, "lehoa", "sai-mat-khau-123").status_code == 401
    response = login(client, "lehoa", PASSWORD)
    assert response.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in response.get_data(as_text=True)
    assert session.get(LoginFailure, "account:lehoa").count == 5


def test_address_throttled_across_accounts(app, client, factory):
    app.config["LMS_LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    try:
        for name in ("a1x", "a2x", "a3x"):
            login(client, name, "sai-mat-khau-123")
        factory.user(username="hopbang")
        assert login(client, "hopbang").status_code == 429
    finally:
        app.config["LMS_LOGIN_MAX_FAILURES_PER_ADDRESS"] = 30


def test_successful_login_clears_account_failures(client, factory, session):
    factory.user(username="phamdung")
    login(client, "phamdung", "sai-mat-khau-123")
    assert login(client, "phamdung").status_code == 302
    assert session.get(LoginFailure, "account:phamdung") is None


def test_session_is_rotated_on_login(client, factory):
    factory.user(username="xoayphien")
    client.get("/login")
    before = client.get_cookie("session").value
    login(client, "xoayphien")
    assert client.get_cookie("session").value != before


def test_session_cookie_flags(client, factory):
    factory.user(username="cookieflag")
    response = login(client, "cookieflag")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_open_redirect_is_refused(client, factory):
    factory.user(username="chuyenhuong")
    token = csrf_token(client)
    response = client.post(
        "/login?next=https://evil.example/",
        data={"username": "chuyenhuong", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_login_without_csrf_is_rejected(client, factory):
    factory.user(username="khongcsrf")
    response = client.post("/login", data={"username": "khongcsrf", "password": PASSWORD})
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)


def test_logout_requires_post_and_ends_session(client, factory):
    factory.user(username="dangxuat")
    login(client, "dangxuat")
    assert client.get("/logout").status_code == 405
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_password_change_logs_out_other_sessions(app, factory, session):
    user = factory.user(username="doimatkhau")
    session.commit()
    first, second = app.test_client(), app.test_client()
    login(first, "doimatkhau")
    login(second, "doimatkhau")
    token = csrf_token(first, "/account/password")
    response = first.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "new": "Mat-khau-moi-2027",
            "confirm": "Mat-khau-moi-2027",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert first.get("/").status_code == 200  # this session continues
    assert second.get("/").status_code == 302  # the other one is logged out
    assert session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "user.password_change", AuditEntry.object_id == str(user.id)
        )
    )


def test_password_change_rejects_weak_and_wrong_current(client, factory):
    factory.user(username="yeumatkhau")
    login(client, "yeumatkhau")
    token = csrf_token(client, "/account/password")
    weak = client.post(
        "/account/password",
        data={"current": PASSWORD, "new": "aaaaaaaaaa", "confirm": "aaaaaaaaaa", "csrf_token": token},
    )
    assert weak.status_code == 400 and "quá đơn giản" in weak.get_data(as_text=True)
    wrong = client.post(
        "/account/password",
        data={
            "current": "khong-dung-123",
            "new": "Mat-khau-moi-2027",
            "confirm": "Mat-khau-moi-2027",
            "csrf_token": token,
        },
    )
    assert wrong.status_code == 400 and "Mật khẩu hiện tại không đúng" in wrong.get_data(as_text=True)


def test_must_change_password_redirects_after_login(client, factory):
    factory.user(username="batbuocdoi", must_change_password=True)
    response = login(client, "batbuocdoi")
    assert response.headers["Location"].endswith("/account/password")


def test_csrf_token_present_in_login_form(client):
    assert re.search(r'name="csrf_token"', client.get("/login").get_data(as_text=True))


def test_logout_invalidates_a_copied_session_cookie(app, client, factory):
    factory.user(username="saochep")
    login(client, "saochep")
    stolen = client.get_cookie("session").value
    token = csrf_token(client, "/")
    client.post("/logout", data={"csrf_token": token})
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/").status_code == 302

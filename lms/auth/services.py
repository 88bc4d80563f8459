"""Accounts: passwords, login with throttling, admin actions. Plain functions over a session."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lms import audit
from lms.auth.models import LoginFailure, Role, User, new_session_token
from lms.errors import Conflict, LmsError, NotFound
from lms.org.models import Unit

# OWASP's minimum for argon2id (m=19 MiB, t=2, p=1) instead of argon2-cffi's default
# (m=64 MiB, t=3, p=4): on a 2-core server the default costs ~0.8 s of CPU per login, so a
# province logging in within a minute queued for tens of seconds (bench/README.md). Hashes made
# with other parameters still verify; `check_needs_rehash` re-hashes them at the next login.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verifying against this hash when the account does not exist keeps the time of a wrong
# username equal to that of a wrong password (no user enumeration by timing).
_DUMMY_HASH = _hasher.hash("not-a-real-password")

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,79}$")
MIN_PASSWORD_LENGTH = 10


class LoginThrottled(LmsError):
    status = 429


class BadCredentials(LmsError):
    status = 401


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise LmsError(
            _(
                "Mật khẩu phải có ít nhất %(MIN_PASSWORD_LENGTH)s ký tự.",
                MIN_PASSWORD_LENGTH=MIN_PASSWORD_LENGTH,
            )
        )
    if username and username.lower() in password.lower():
        raise LmsError(_("Mật khẩu không được chứa tên đăng nhập."))
    if len(set(password)) < 5:
        raise LmsError(_("Mật khẩu quá đơn giản: hãy dùng nhiều ký tự khác nhau."))


def normalize_username(username: str) -> str:
    return (username or "").strip().lower()


def validate_username(username: str) -> str:
    name = normalize_username(username)
    if not USERNAME_RE.match(name):
        raise LmsError(
            _(
                "Tên đăng nhập gồm 3–80 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang hoặc "
                "gạch dưới (có thể dùng số điện thoại).",
            )
        )
    return name


def generate_password() -> str:
    return secrets.token_urlsafe(9)


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: Role | str,
    unit: Unit,
    password: str | None = None,
    actor: User | None = None,
    must_change_password: bool = False,
) -> tuple[User, str]:
    """Create an account; returns it with the password (generated when none given)."""
    name = validate_username(username)
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise Conflict(_("Tên đăng nhập “%(name)s” đã có người dùng.", name=name))
    if not display_name.strip():
        raise LmsError(_("Cần nhập họ và tên."))
    try:
        role = Role(role)
    except ValueError as exc:
        raise LmsError(_("Vai trò không hợp lệ: %(role)s.", role=role)) from exc
    if password is None:
        password, must_change_password = generate_password(), True
    else:
        check_password_strength(password, name)
    user = User(
        username=name,
        display_name=display_name.strip(),
        role=role,
        unit=unit,
        password_hash=hash_password(password),
        must_change_password=must_change_password,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", "user", user.id, after=_user_state(user))
    return user, password


def _user_state(user: User) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": str(user.role),
        "unit": user.unit.code if user.unit else None,
        "active": user.active,
    }


def _window(now: dt.datetime, minutes: int) -> dt.datetime:
    return now - dt.timedelta(minutes=minutes)


def _failures(session: Session, key: str, since: dt.datetime) -> int:
    row = session.get(LoginFailure, key)
    if row is None or row.window_start < since:
        return 0
    return row.count


def _add_failure(session: Session, key: str, now: dt.datetime, since: dt.datetime) -> None:
    row = session.get(LoginFailure, key, with_for_update=True)
    if row is None:
        session.add(LoginFailure(key=key, count=1, window_start=now))
    elif row.window_start < since:
        row.count, row.window_start = 1, now
    else:
        row.count += 1


def authenticate(
    session: Session,
    username: str,
    password: str,
    address: str,
    now: dt.datetime,
    *,
    max_per_account: int,
    max_per_address: int,
    window_minutes: int,
) -> User:
    """Check a login. Throttled per account and per address; the same message whether the
    account exists or not."""
    name = normalize_username(username)
    since = _window(now, window_minutes)
    account_key, address_key = f"account:{name}", f"address:{address}"
    if (
        _failures(session, account_key, since) >= max_per_account
        or _failures(session, address_key, since) >= max_per_address
    ):
        raise LoginThrottled(
            _(
                "Đăng nhập sai quá nhiều lần. Vì an toàn, vui lòng thử lại sau %(window_minutes)s "
                "phút hoặc liên hệ quản trị viên để được cấp lại mật khẩu.",
                window_minutes=window_minutes,
            )
        )
    user = session.scalar(select(User).where(User.username == name))
    if not _verify(user.password_hash if user else _DUMMY_HASH, password) or user is None:
        _add_failure(session, account_key, now, since)
        _add_failure(session, address_key, now, since)
        raise BadCredentials(_("Tên đăng nhập hoặc mật khẩu không đúng."))
    if not user.active:
        raise BadCredentials(_("Tên đăng nhập hoặc mật khẩu không đúng."))
    session.execute(delete(LoginFailure).where(LoginFailure.key == account_key))
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not _verify(user.password_hash, current):
        raise LmsError(_("Mật khẩu hiện tại không đúng."))
    if current == new:
        raise LmsError(_("Mật khẩu mới phải khác mật khẩu hiện tại."))
    check_password_strength(new, user.username)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.session_token = new_session_token()  # other sessions are logged out
    audit.record(session, user, "user.password_change", "user", user.id)


def reset_password(session: Session, user: User, actor: User) -> str:
    password = generate_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.session_token = new_session_token()
    session.execute(delete(LoginFailure).where(LoginFailure.key == f"account:{user.username}"))
    audit.record(session, actor, "user.password_reset", "user", user.id)
    return password


def set_active(session: Session, user: User, active: bool, actor: User) -> None:
    if user.id == actor.id and not active:
        raise LmsError(_("Không thể tự khóa tài khoản của chính mình."))
    before = _user_state(user)
    user.active = active
    if not active:
        user.session_token = new_session_token()
    audit.record(
        session,
        actor,
        "user.enable" if active else "user.disable",
        "user",
        user.id,
        before=before,
        after=_user_state(user),
    )


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("Không tìm thấy tài khoản."))
    return user


def cookie_identity(cookie_id: object) -> tuple[int, str] | None:
    """(user id, session token) of Flask-Login's "<id>:<session_token>", or None: not checked
    against the database (load_from_cookie_id does, or a statement that joins the user)."""
    user_id, _, token = (cookie_id if isinstance(cookie_id, str) else "").partition(":")
    if not user_id.isdigit() or not token or int(user_id) >= 2**31:
        return None
    return int(user_id), token


def load_from_cookie_id(session: Session, cookie_id: str) -> User | None:
    """Flask-Login's loader: "<id>:<session_token>"; a stale token means logged out."""
    identity = cookie_identity(cookie_id)
    if identity is None:
        return None
    user_id, token = identity
    user = session.get(User, user_id)
    if user is None or not secrets.compare_digest(user.session_token, token):
        return None
    return user

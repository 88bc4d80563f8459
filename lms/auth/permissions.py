"""The one place that decides who may do what.

``can(user, action, obj=None)`` is the single decision function. Rules are small pure
functions registered by action name with ``@rule``; each feature keeps its rules in its own
``permissions.py`` (imported by ``create_app``), all going through ``can``.

Every view declares what it needs with ``@requires(action)``; a test walks ``app.url_map``
and fails for any endpoint without a declaration. Object-level checks happen in the view
with ``authorize(action, obj)`` once the object is loaded; list queries are scoped with
``unit_scope(user)``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import ColumnElement, false, true

from lms.auth.models import Role
from lms.org.models import Unit

Rule = Callable[[Any, Any], bool]
RULES: dict[str, Rule] = {}

PUBLIC = "public"  # anyone, logged in or not
LOGIN = "login"  # any active account


def rule(action: str) -> Callable[[Rule], Rule]:
    def register(func: Rule) -> Rule:
        if action in RULES:
            raise RuntimeError(f"permission rule {action!r} registered twice")
        RULES[action] = func
        return func

    return register


def can(user: Any, action: str, obj: Any = None) -> bool:
    if action == PUBLIC:
        return True
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if action == LOGIN:
        return True
    decide = RULES.get(action)
    if decide is None:
        raise KeyError(f"no permission rule for {action!r}")
    return bool(decide(user, obj))


def has_role(user: Any, *roles: Role) -> bool:
    return getattr(user, "role", None) in roles


def in_unit_scope(user: Any, unit: Unit | None) -> bool:
    """True when ``unit`` lies in the subtree of the user's own unit."""
    return unit is not None and user.unit is not None and user.unit.contains(unit)


def unit_scope(user: Any) -> ColumnElement[bool]:
    """SQL condition on ``Unit`` limiting a list to what ``user`` may see."""
    if has_role(user, Role.admin):
        return true()
    if has_role(user, Role.board, Role.instructor):
        return Unit.path.startswith(user.unit.path, autoescape=True)
    return false()


def requires(action: str, *, fast: Callable | None = None) -> Callable:
    """Declare (and check) the permission a view needs before it runs.

    ``fast``: tried first, with the view's arguments, by a view that checks the login itself in
    the same statement as its own work (the autosave: no user loaded); it returns a response, or
    None to go the usual way (the password-change guard, the user loaded and checked, the view),
    which is then the reference for every case the fast one does not handle."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if fast is not None:
                response = fast(*args, **kwargs)
                if response is not None:
                    return response
                response = password_change_redirect()  # the before-request guard left it to us
                if response is not None:
                    return response
            if action != PUBLIC and not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not can(current_user, action):
                abort(403)
            return view(*args, **kwargs)

        wrapper.lms_permission = action  # type: ignore[attr-defined]
        wrapper.lms_checks_login_first = fast is not None  # type: ignore[attr-defined]
        return wrapper

    return decorate


ALLOWED_BEFORE_PASSWORD_CHANGE = {
    "auth.change_password_view",
    "auth.logout",
    "static",
    "core.healthz",
    "core.set_language",
}


def password_change_redirect() -> Any:
    """An account with a temporary password may do nothing else until it sets its own."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in ALLOWED_BEFORE_PASSWORD_CHANGE
    ):
        return redirect(url_for("auth.change_password_view"))
    return None


def authorize(action: str, obj: Any) -> None:
    """Object-level check inside a view: 403 unless ``current_user`` may do ``action`` on ``obj``."""
    if not can(current_user, action, obj):
        abort(403)


# --- foundation rules --------------------------------------------------------------------


@rule("users.manage")
def _manage_users(user, _obj) -> bool:
    return has_role(user, Role.admin)


@rule("audit.view")
def _view_audit(user, _obj) -> bool:
    return has_role(user, Role.admin)


@rule("cadres.list")
def _list_cadres(user, _obj) -> bool:
    return has_role(user, Role.admin, Role.board)


@rule("cadre.view")
def _view_cadre(user, profile) -> bool:
    if profile is None:  # route-level: anyone may ask; the object check below decides
        return not has_role(user, Role.approver)
    if has_role(user, Role.admin):
        return True
    if has_role(user, Role.board, Role.instructor):
        return in_unit_scope(user, profile.unit)
    return profile.user_id == user.id


@rule("cadre.edit")
def _edit_cadre(user, profile) -> bool:
    return has_role(user, Role.admin)


@rule("units.view")
def _view_units(user, _obj) -> bool:
    return has_role(user, Role.admin, Role.board)

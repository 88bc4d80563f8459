"""Every route that accepts POST (or PUT/PATCH/DELETE) refuses a request without a valid CSRF
token with the 400 "form expired" page, for an administrator and for an anonymous visitor; the
list of routes comes from ``app.url_map``, so routes added later are checked too."""

from __future__ import annotations

import pytest

from tests.fixtures import csrf_token, login
from tests.security.routes import UNSAFE_METHODS, plausible_values, rules, url_for_rule

CSRF_PAGE_TITLE = "Phiên làm việc đã hết hạn"  # lms.web._csrf_error


@pytest.fixture()
def known(world, factory, session):
    profile = factory.profile(unit=world.commune_a, name="Nguyễn Văn Cường")
    session.commit()
    return plausible_values(world, profile)


def unsafe_routes(app, known) -> list[tuple[str, str, str]]:
    out = []
    for method in UNSAFE_METHODS:
        for rule in rules(app, method):
            out.append((method, url_for_rule(rule, known), rule.endpoint))
    return out


def test_there_are_post_routes_to_check(app, known):
    assert len([r for r in unsafe_routes(app, known) if r[0] == "POST"]) >= 10


def test_every_post_endpoint_declares_a_permission(app):
    missing = [
        rule.rule
        for method in UNSAFE_METHODS
        for rule in rules(app, method)
        if getattr(app.view_functions[rule.endpoint], "lms_permission", None) is None
    ]
    assert not missing, f"POST routes without @requires: {missing}"


@pytest.mark.parametrize("who", ["admin", "anonymous"])
@pytest.mark.parametrize("token", ["missing", "bogus", "another-session"])
def test_post_without_a_valid_token_is_refused(app, world, known, who, token):
    client = app.test_client()
    other = app.test_client()  # a token that is valid, but for another session
    foreign_token = csrf_token(other, "/login")
    if who == "admin":
        assert login(client, world.users["admin"]).status_code == 302
    data = {"x": "1", "name": "Nguyễn Văn Cường", "submit": "1"}
    if token == "bogus":
        data["csrf_token"] = "IjEyMyI.bogus.token"
    elif token == "another-session":
        data["csrf_token"] = foreign_token
    failures = []
    for method, url, endpoint in unsafe_routes(app, known):
        response = client.open(url, method=method, data=data)
        body = response.get_data(as_text=True)
        if response.status_code != 400 or CSRF_PAGE_TITLE not in body:
            failures.append(f"{method} {url} ({endpoint}): {response.status_code} {body[:120]!r}")
    assert not failures, f"{who}, token {token}: accepted or not refused as CSRF:\n" + "\n".join(failures)


def test_the_same_post_with_its_token_is_not_a_csrf_error(app, world):
    """Control: the 400s above come from the missing token, not from the requests themselves."""
    client = app.test_client()
    assert login(client, world.users["admin"]).status_code == 302
    token = csrf_token(client, "/admin/users")
    response = client.post("/lang/en", data={"csrf_token": token, "next": "/"})
    assert response.status_code == 302
    assert CSRF_PAGE_TITLE not in client.get("/").get_data(as_text=True)

"""Every route declares its permission, and each role gets what it should on each page."""

import pytest

from lms.auth.permissions import RULES, can

# GET pages of the foundation and what each role gets. "own" = the learner's own profile.
# anon: 302 to the login page for everything but the public pages.
MATRIX = {
    "/": dict(anon=302, learner=200, instructor=200, approver=200, board=200, admin=200),
    "/healthz": dict(anon=200, learner=200, instructor=200, approver=200, board=200, admin=200),
    "/session/alive": dict(anon=302, learner=204, instructor=204, approver=204, board=204, admin=204),
    "/login": dict(anon=200, learner=302, instructor=302, approver=302, board=302, admin=302),
    "/account/password": dict(anon=302, learner=200, instructor=200, approver=200, board=200, admin=200),
    "/admin/users": dict(anon=302, learner=403, instructor=403, approver=403, board=403, admin=200),
    "/admin/users/{user_id}": dict(anon=302, learner=403, instructor=403, approver=403, board=403, admin=200),
    "/admin/users/import": dict(anon=302, learner=403, instructor=403, approver=403, board=403, admin=200),
    "/admin/users/import/mau-nhap-tai-khoan.csv": dict(
        anon=302, learner=403, instructor=403, approver=403, board=403, admin=200
    ),
    "/admin/audit": dict(anon=302, learner=403, instructor=403, approver=403, board=403, admin=200),
    "/units": dict(anon=302, learner=403, instructor=403, approver=403, board=200, admin=200),
    "/cadres": dict(anon=302, learner=403, instructor=403, approver=403, board=200, admin=200),
    "/cadres/{own}": dict(anon=302, learner=200, instructor=200, approver=403, board=200, admin=200),
    "/cadres/{other}": dict(anon=302, learner=403, instructor=200, approver=403, board=200, admin=200),
    "/cadres/{other}/edit": dict(anon=302, learner=403, instructor=403, approver=403, board=403, admin=200),
    "/me": dict(anon=302, learner=302, instructor=302, approver=302, board=302, admin=302),
    "/results/me": dict(anon=302, learner=200, instructor=200, approver=200, board=200, admin=200),
}
ROLES = ["anon", "learner", "instructor", "approver", "board", "admin"]


def test_every_endpoint_declares_a_permission(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        action = getattr(view, "lms_permission", None)
        if action is None:
            missing.append(rule.rule)
        elif action not in ("public", "login"):
            assert action in RULES, f"{rule.rule} declares unknown action {action!r}"
    assert not missing, f"routes without @requires: {missing}"


def test_matrix_covers_every_foundation_get_route(app):
    foundation = {"core", "auth", "org", "results"}
    covered = {path.split("{")[0].rstrip("/") or "/" for path in MATRIX}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in foundation and "GET" in rule.methods:
            prefix = rule.rule.split("<")[0].rstrip("/") or "/"
            assert prefix in covered, f"{rule.rule} is not in the role matrix"


@pytest.fixture()
def matrix_world(world, factory, session):
    own = factory.profile(user=world.users["learner"], name="Học Viên Thử")
    other = factory.profile(unit=world.commune_a, name="Cán Bộ Khác")
    session.commit()
    return {"own": own.public_id, "other": other.public_id, "user_id": world.learner_b.id}


@pytest.mark.parametrize("role", ROLES)
def test_role_route_matrix(app, world, matrix_world, role):
    client = app.test_client()
    if role != "anon":
        from tests.fixtures import login

        assert login(client, world.users[role]).status_code == 302
    failures = []
    for template, expected in MATRIX.items():
        url = template.format(**matrix_world)
        status = client.get(url).status_code
        if status != expected[role]:
            failures.append(f"{role} GET {url}: {status}, expected {expected[role]}")
    assert not failures, "\n".join(failures)


def test_board_of_commune_a_sees_only_commune_a(app, world, factory, session):
    in_a = factory.profile(unit=world.commune_a, name="Người Xã A")
    in_b = factory.profile(unit=world.commune_b, name="Người Xã B")
    session.commit()
    from tests.fixtures import login

    client = app.test_client()
    login(client, world.board_a)
    listing = client.get("/cadres").get_data(as_text=True)
    assert "Người Xã A" in listing and "Người Xã B" not in listing
    assert client.get(f"/cadres/{in_a.public_id}").status_code == 200
    assert client.get(f"/cadres/{in_b.public_id}").status_code == 403
    # filtering by another unit's id yields nothing, not that unit's people
    assert "Người Xã B" not in client.get(f"/cadres?unit_id={world.commune_b.id}").get_data(as_text=True)


def test_can_refuses_inactive_and_anonymous(world):
    admin = world.users["admin"]
    assert can(admin, "users.manage")
    admin.active = False
    assert not can(admin, "users.manage")
    assert not can(None, "users.manage")
    assert can(None, "public")


def test_unknown_action_is_a_programming_error(world):
    with pytest.raises(KeyError):
        can(world.users["admin"], "no.such.action")

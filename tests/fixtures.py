"""Shared fixtures: a small world (province, two communes, one account per role) and login."""

from __future__ import annotations

import dataclasses
import re

import pytest

from lms.auth.models import Role, User
from lms.org.models import Unit
from tests.factories import PASSWORD


@dataclasses.dataclass
class World:
    province: Unit
    commune_a: Unit
    commune_b: Unit
    users: dict[str, User]  # role name -> user at province (learner in commune A)
    board_a: User  # board member of commune A
    learner_b: User


@pytest.fixture()
def world(factory, session) -> World:
    province = factory.unit("Tỉnh Thử", kind="province")
    commune_a = factory.unit("Xã A", parent=province)
    commune_b = factory.unit("Xã B", parent=province)
    users = {}
    for role in Role:
        unit = commune_a if role is Role.learner else province
        users[role.value] = factory.user(role, unit, username=f"{role.value}-w")
    board_a = factory.user(Role.board, commune_a, username="board-a")
    learner_b = factory.user(Role.learner, commune_b, username="learner-b")
    session.commit()
    return World(province, commune_a, commune_b, users, board_a, learner_b)


def csrf_token(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, user_or_name, password: str = PASSWORD):
    username = getattr(user_or_name, "username", user_or_name)
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


@pytest.fixture()
def login_as(client):
    def do(user, password: str = PASSWORD):
        response = login(client, user, password)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return do

"""Open redirects: every redirect target taken from the user (``/login?next=``, the ``next``
field of ``POST /lang/<code>``) goes through ``lms.web.local_target``, which accepts only a
path on this site. A browser strips tabs and newlines from a URL and reads ``\\`` as ``/``,
so those are refused too; none of them may ever give a 500."""

from __future__ import annotations

from urllib.parse import quote, urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.web import is_local_url
from tests.factories import PASSWORD
from tests.fixtures import csrf_token

SITE = "https://lms.example/a/b"
HOSTILE = [
    "https://evil.example/",
    "//evil.example/x",
    "/\t/evil.example/x",
    "/\n/evil.example/x",
    "/\r\n/evil.example/x",
    "\t//evil.example",
    " //evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\x00/evil.example",
    "/\x0b/evil.example",
    "/\u2028/evil.example",
    "/\u200b/evil.example",
    "/ /evil.example",
    "javascript:alert(1)",
    "/x\r\nSet-Cookie: a=b",
    "http:/evil.example",
    "https:evil.example",
    "",
    "/" + "a" * 5000,
]


def browser_host(target: str) -> str:
    """Where a browser goes for ``Location: target`` (WHATWG URL: tab/newline removed,
    leading/trailing C0 and space stripped, backslash as slash)."""
    cleaned = "".join(ch for ch in target if ch not in "\t\n\r").strip("\x00\x01\x02\x03 \x0b\x0c")
    cleaned = cleaned.replace("\\", "/")
    return urlsplit(urljoin(SITE, cleaned)).netloc


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_next_is_refused_after_login(client, factory, target):
    factory.user(username="chuyenhuong2")
    token = csrf_token(client)
    response = client.post(
        "/login?next=" + quote(target, safe=""),
        data={"username": "chuyenhuong2", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_next_is_refused_by_the_language_switch(client, target):
    token = csrf_token(client)
    response = client.post("/lang/en", data={"next": target, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/cadres?page=2", "/evaluation/board#x", "/quizzes/"])
def test_local_paths_are_kept(client, factory, target):
    factory.user(username="chuyenhuong3")
    token = csrf_token(client)
    response = client.post(
        "/login?next=" + quote(target, safe=""),
        data={"username": "chuyenhuong3", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == target
    token = csrf_token(client, "/")
    assert client.post("/lang/vi", data={"next": target, "csrf_token": token}).headers["Location"] == target


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(
        alphabet=st.sampled_from(list("/\\:.@?#%\t\n\r \x00\x0b\u2028evilx")) | st.characters(), max_size=30
    )
)
def test_whatever_is_accepted_stays_on_the_site(target):
    if is_local_url(target):
        assert browser_host(target) == "lms.example", repr(target)

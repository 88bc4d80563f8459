"""Hostile query strings never give a 500: every GET route (every rule of ``app.url_map`` and
every page each role reaches by crawling the demo) gets hostile values for every query
parameter the product reads (the names its links and GET forms send, and those the source
reads with ``request.args``), first a fixed list of known killers, then hypothesis.
Runs on SQLite and PostgreSQL like the rest of the suite."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms.fields.core import UnboundField

import lms
from tests.fixtures import login
from tests.security.crawler import IDS, SKIP_LINK, crawl
from tests.security.routes import rules, url_for_rule
from tests.security.test_fuzz_forms import HOSTILE, ROLES, _open_work, demo_world  # noqa: F401

KILLERS = ["9" * 30, "x" * 100_000, "\x00"]  # every (parameter, killer) pair on every path
MORE_KILLERS = [
    "%_" * 30_000,
    "-1",
    "NaN",
    "2147483648",
    "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
]  # drawn by hypothesis
DETERMINISTIC_ROLES = ("quantri", "bantochuc")  # admin reaches every page, the board is scoped
SKIP = re.compile(r"^/(static/|logout|lang/|healthz)")


def source_names() -> set[str]:
    """Query parameters the code reads by name, and the fields of every GET filter form
    (``SomeForm(request.args)``)."""
    import importlib

    root = Path(lms.__file__).parent
    found, forms = {"page"}, set()
    pattern = r"""(?:request\.args\.get|text_arg|page_arg)\(\s*["']([A-Za-z_]+)"""
    for path in root.rglob("*.py"):
        source = path.read_text("utf-8")
        found |= set(re.findall(pattern, source))
        forms |= set(re.findall(r"(\w+Form)\(request\.args\)", source))
    for module_path in root.rglob("forms.py"):
        module = importlib.import_module(
            "lms." + ".".join(module_path.relative_to(root).with_suffix("").parts)
        )
        for name in forms & set(vars(module)):
            form_class = getattr(module, name)
            found |= {k for k in dir(form_class) if isinstance(getattr(form_class, k), UnboundField)}
    return found


def targets(app, client) -> tuple[list[str], set[str]]:
    queries: dict[str, set[str]] = {}
    pages, _forms = crawl(client, limit=80, queries=queries)
    names = source_names().union(*queries.values()) - {"csrf_token"}
    paths = {urlsplit(p).path for p in pages}
    patterns = {IDS.sub("/X", p) for p in paths}
    for rule in rules(app, "GET"):
        url = url_for_rule(rule, {"code": "vi", "filename": "css/app.css", "fmt": "csv"})
        if IDS.sub("/X", url) not in patterns:
            paths.add(url)
    return sorted(p for p in paths if not SKIP.search(p) and not SKIP_LINK.search(p)), names


def get(client, path: str, params: dict[str, str]):
    return client.get(path + "?" + urlencode(params), headers={"Accept": "text/html"})


@pytest.mark.parametrize("username", ROLES)
def test_hostile_query_strings_never_give_500(app, client, session, demo_world, username):  # noqa: F811
    assert login(client, username, demo_world[username]).status_code == 302
    if username == "hocvien":
        _open_work(client)
    paths, names = targets(app, client)
    assert len(paths) > 20 and {"page", "unit_id", "title_id", "name", "object_id"} <= names, names
    ordered = sorted(names)
    for path in (
        paths if username in DETERMINISTIC_ROLES else []
    ):  # a Latin square: every (parameter, killer) pair once per path
        for shift in range(len(KILLERS)):
            params = {name: KILLERS[(i + shift) % len(KILLERS)] for i, name in enumerate(ordered)}
            response = get(client, path, params)
            assert response.status_code < 500, (path, shift, response.status_code)
    print(f"{username}: {len(paths)} GET paths x {len(KILLERS)} requests, parameters {ordered}")

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def query_hostile(data):
        path = data.draw(st.sampled_from(paths))
        chosen = data.draw(st.sets(st.sampled_from(sorted(names)), min_size=1, max_size=4))
        params = {name: data.draw(HOSTILE | st.sampled_from(KILLERS + MORE_KILLERS)) for name in chosen}
        response = get(client, path, params)
        assert response.status_code < 500, (
            path,
            {k: v[:40] for k, v in params.items()},
            response.status_code,
        )

    query_hostile()


REPORTED = [
    {"page": "9" * 30},
    {"unit_id": "9" * 30},
    {"title_id": "9" * 30},
    {"name": "x" * 100_000},
    {"cohort_id": "9" * 30},
    {"object_id": "x" * 100_000},
]


def test_the_reported_values_give_a_page_not_a_500(client, demo_world):  # noqa: F811
    assert login(client, "quantri", demo_world["quantri"]).status_code == 302
    for path in ("/cadres", "/evaluation/board", "/evaluation/reports", "/admin/audit", "/admin/users"):
        for params in REPORTED:
            response = get(client, path, params)
            assert response.status_code in (200, 400), (path, list(params), response.status_code)

"""Every GET route (path arguments filled in, see routes.py), as an administrator and as an
anonymous visitor: no 500, and every HTML answer carries the security headers: a CSP with
``script-src 'self'``, no 'unsafe-inline'/'unsafe-eval', ``frame-ancestors 'none'``; nosniff;
a Referrer-Policy. Every answer, HTML or not, carries nosniff."""

from __future__ import annotations

import pytest

from tests.fixtures import login
from tests.security.routes import plausible_values, rules, url_for_rule

REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}


@pytest.fixture()
def known(world, factory, session):
    profile = factory.profile(unit=world.commune_a, name="Nguyễn Văn Cường")
    session.commit()
    return plausible_values(world, profile)


def header_problems(response) -> list[str]:
    headers = response.headers
    problems = []
    if response.status_code >= 500:
        problems.append(f"status {response.status_code}")
    if headers.get("X-Content-Type-Options", "").lower() != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if response.mimetype != "text/html":
        return problems
    csp = headers.get("Content-Security-Policy", "")
    directives = {d.split()[0].lower(): d.split()[1:] for d in csp.split(";") if d.strip()}
    if not csp:
        problems.append("no Content-Security-Policy")
    if directives.get("script-src") != ["'self'"]:
        problems.append(f"script-src is {directives.get('script-src')}, want exactly 'self'")
    if "'unsafe-inline'" in csp or "'unsafe-eval'" in csp:
        problems.append(f"CSP allows unsafe-inline/unsafe-eval: {csp}")
    if directives.get("frame-ancestors") != ["'none'"]:
        problems.append(f"frame-ancestors is {directives.get('frame-ancestors')}, want 'none'")
    if headers.get("Referrer-Policy", "").lower() not in REFERRER_POLICIES:
        problems.append(f"Referrer-Policy is {headers.get('Referrer-Policy')!r}")
    return problems


@pytest.mark.parametrize("who", ["admin", "anonymous"])
def test_every_get_route_has_the_security_headers(app, world, known, who):
    client = app.test_client()
    if who == "admin":
        assert login(client, world.users["admin"]).status_code == 302
    failures, html_pages = [], 0
    for rule in rules(app, "GET"):
        url = url_for_rule(rule, known)
        response = client.get(url)
        html_pages += response.mimetype == "text/html"
        failures += [f"GET {url} ({rule.endpoint}): {p}" for p in header_problems(response)]
    assert html_pages >= 10, "too few HTML pages answered: are the routes being reached?"
    assert not failures, f"as {who}:\n" + "\n".join(failures)


def test_error_pages_have_the_security_headers(app, world):
    client = app.test_client()
    login(client, world.learner_b)
    for url, status in (("/no/such/page", 404), ("/admin/users", 403)):
        response = client.get(url)
        assert response.status_code == status
        assert not header_problems(response), (url, header_problems(response))

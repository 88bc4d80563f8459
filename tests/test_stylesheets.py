"""Learners' phones download one small stylesheet; staff pages add staff.css (authoring, review,
boards, admin). Every class a staff template uses must not be styled only for learners, and a
learner page must not need staff.css."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.fixtures import login

STATIC = Path(__file__).resolve().parents[1] / "lms" / "static" / "css"


@pytest.mark.parametrize("role", ["learner", "instructor", "approver", "board", "admin"])
def test_staff_css_only_for_staff(client, world, role):
    login(client, world.users[role])
    page = client.get("/").get_data(as_text=True)
    assert "css/app.css" in page
    assert ("css/staff.css" in page) is (role != "learner")


def test_anonymous_pages_have_no_staff_css(client):
    assert "css/staff.css" not in client.get("/login").get_data(as_text=True)


def test_staff_css_is_served(client):
    response = client.get("/static/css/staff.css")
    assert response.status_code == 200 and b".site-menu" in response.get_data()


def _classes(css: str) -> set[str]:
    return set(re.findall(r"\.([a-zA-Z][\w-]*)", re.sub(r"/\*.*?\*/", "", css, flags=re.S)))


def test_learner_templates_use_no_staff_only_class():
    staff_only = _classes((STATIC / "staff.css").read_text()) - _classes((STATIC / "app.css").read_text())
    templates = Path(__file__).resolve().parents[1] / "lms" / "templates"
    learner_pages = [
        "home.html",
        "scenarios/index.html",
        "scenarios/intro.html",
        "quizzes/_question.html",
        "quizzes/attempt.html",
        "quizzes/intro.html",
        "quizzes/summary.html",
        "quizzes/review.html",
        "quizzes/list.html",
        "scenarios/play.html",
        "scenarios/summary.html",
        "programs/learn_topic.html",
        "programs/my_training.html",
        "results/mine.html",
        "offline/saved.html",
        "evaluation/mine.html",
    ]
    for name in learner_pages:
        path = templates / name
        used = set(re.findall(r'class="([^"]+)"', path.read_text()))
        words = {w for value in used for w in value.split() if "{" not in w}
        assert not (words & staff_only), f"{name} uses staff-only classes {words & staff_only}"


@pytest.mark.parametrize("name", ["app.css", "staff.css"])
def test_stylesheet_braces_balance(name):
    """A brace lost when rules move between the two files silently drops every rule after it."""
    css = re.sub(r"/\*.*?\*/", "", (STATIC / name).read_text(), flags=re.S)
    depth = 0
    for line_no, line in enumerate(css.splitlines(), 1):
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"{name}:{line_no}: a closing brace without an opening one"
    assert depth == 0, f"{name}: {depth} unclosed braces"

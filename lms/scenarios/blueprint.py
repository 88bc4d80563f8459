"""The scenarios blueprint and the helpers its view modules share (``views`` for playing,
approving and grading; ``editor_views`` and ``editor_node_views`` for the form-based editor).
Kept apart so no view module imports another's internals: ``views`` imports the editor's
modules only to register their routes."""

from __future__ import annotations

from flask import Blueprint, current_app, url_for
from flask_login import current_user
from sqlalchemy import select

from lms.auth.permissions import authorize, can, unit_scope
from lms.db import db
from lms.org.models import Unit
from lms.scenarios import editor
from lms.scenarios.documents import get_scenario
from lms.scenarios.models import Scenario

bp = Blueprint("scenarios", __name__, url_prefix="/scenarios")


def scenario_for(public_id: str, permission: str) -> Scenario:
    """The scenario version with this public id, when the current user has ``permission`` on it
    (404 when there is none, 403 when the permission is missing)."""
    scenario = get_scenario(db.session, public_id)
    authorize(permission, scenario)
    return scenario


def owner_units() -> list[Unit]:
    """The units the current user may own a scenario in (their scope)."""
    return list(db.session.scalars(select(Unit).where(unit_scope(current_user)).order_by(Unit.path)))


def draw(doc, scenario: Scenario | None = None):
    """The graph of ``doc``; each node links to its form in the editor when ``scenario`` is a
    version the user may edit, otherwise to its line in the text list under the drawing."""
    href_for = None
    if scenario is not None and scenario.editable and can(current_user, "scenarios.author", scenario):

        def href_for(node_id: str) -> str:
            return url_for(".author_node", public_id=scenario.public_id, node_id=node_id)

    return editor.draw(doc, href_for, current_app.config.get("LMS_GRAPHVIZ_DOT") or "dot")

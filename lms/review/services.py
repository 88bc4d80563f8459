"""One review queue per approver for every kind of content that has a review state.

Topics (``programs``: submitted → approved → published) and scenarios (``scenarios``: the same
states) are the two. Question banks and quizzes have no review state (an instructor's question
is usable as soon as it is saved), so they are not in the queue. This package only reads the
two features' models and asks their permission rules which items this person may act on; it
changes nothing (the decisions stay on each item's own page).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from lms.auth.models import Role
from lms.auth.permissions import can, has_role
from lms.org.models import Unit
from lms.programs.models import STATUS_LABELS as TOPIC_STATUS_LABELS
from lms.programs.models import TopicVersion, VersionStatus
from lms.scenarios.models import STATUS_LABELS as SCENARIO_STATUS_LABELS
from lms.scenarios.models import Scenario, ScenarioStatus

KIND_TOPIC, KIND_SCENARIO = "topic", "scenario"
LIMIT = 500


@dataclasses.dataclass(frozen=True)
class Item:
    kind: str  # topic | scenario
    title: str
    code: str
    version: int
    status: str  # submitted | approved
    status_label: str
    waiting_since: dt.datetime | None
    author: str | None
    url: str

    @property
    def next_step(self) -> str:
        return "approve" if self.status == "submitted" else "publish"


def _topics(session: Session, user) -> list[Item]:
    if not can(user, "programs.approve"):
        return []
    rows = session.scalars(
        select(TopicVersion)
        .where(TopicVersion.status.in_([VersionStatus.submitted, VersionStatus.approved]))
        .options(selectinload(TopicVersion.topic))
        .order_by(TopicVersion.submitted_at)
        .limit(LIMIT)
    ).all()
    return [
        Item(
            KIND_TOPIC,
            v.title,
            v.topic.code,
            v.version,
            v.status.value,
            str(TOPIC_STATUS_LABELS[v.status]),
            v.submitted_at,
            None,  # topic versions keep the author's id only
            url_for("programs.topic_view", public_id=v.topic.public_id, v=v.public_id),
        )
        for v in rows
        if can(user, "programs.approve", v)
    ]


def scenario_scope(user):
    """Scenarios an approver or other staff may list: owned in their unit's subtree (admin: all)."""
    from sqlalchemy import true

    if has_role(user, Role.admin):
        return true()
    return Unit.path.startswith(user.unit.path, autoescape=True)


def _scenarios(session: Session, user) -> list[Item]:
    if not can(user, "scenarios.approve") or (user.unit is None and not has_role(user, Role.admin)):
        return []
    rows = session.scalars(
        select(Scenario)
        .join(Unit, Unit.id == Scenario.owner_unit_id)
        .where(scenario_scope(user))
        .where(Scenario.status.in_([ScenarioStatus.submitted, ScenarioStatus.approved]))
        .options(selectinload(Scenario.author), selectinload(Scenario.owner_unit))
        .order_by(Scenario.updated_at)
        .limit(LIMIT)
    ).all()
    return [
        Item(
            KIND_SCENARIO,
            s.title,
            s.code,
            s.version,
            s.status.value,
            str(SCENARIO_STATUS_LABELS[s.status]),
            s.updated_at,
            s.author.display_name if s.author else None,
            url_for("scenarios.detail", public_id=s.public_id),
        )
        for s in rows
        if can(user, "scenarios.approve", s)
    ]


def queue(session: Session, user) -> list[Item]:
    """Everything waiting for this person's decision, oldest first."""
    items = _topics(session, user) + _scenarios(session, user)
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(items, key=lambda i: (i.waiting_since or far, i.kind, i.code))


def count(session: Session, user) -> int:
    return len(queue(session, user)) if can(user, "review.queue") else 0

"""Who has a review queue: the people who approve content (approvers, and admins for scenarios)."""

from __future__ import annotations

from lms.auth.models import Role
from lms.auth.permissions import has_role, rule


@rule("review.queue")
def can_review(user, _obj) -> bool:
    return has_role(user, Role.approver, Role.admin)

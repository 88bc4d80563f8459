"""Who may see a job: its owner (who asked for it) and admins. The download also re-checks
that the owner may still export the job's unit (a board member moved to another commune
loses the old commune's reports)."""

from __future__ import annotations

from lms.auth.models import Role
from lms.auth.permissions import can, has_role, rule


@rule("jobs.view")
def _view(user, job) -> bool:
    if job is None:  # route level: any account may have asked for something
        return True
    return has_role(user, Role.admin) or (job.owner_id is not None and job.owner_id == user.id)


@rule("jobs.download")
def _download(user, job) -> bool:
    if job is None:
        return True
    if has_role(user, Role.admin):
        return True
    if job.owner_id != user.id:
        return False
    if job.kind == "report":
        return can(user, "evaluation.export", job.unit)
    if job.kind == "quiz_results":  # the view also checks the quiz itself
        return can(user, "quizzes.export")
    return False  # backups, recomputes: admin only


@rule("jobs.admin")
def _admin(user, _obj) -> bool:
    return has_role(user, Role.admin)

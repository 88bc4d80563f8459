"""Background work on a real job queue (Huey): reports, exports, recompute, backups, periodic
close-overdue. The ``job`` table is the truth a person sees (owner, progress, result, error);
Huey carries job ids to the workers and runs the periodic tasks. See docs/operations.md."""

import datetime as dt
from pathlib import Path

from lms.scenarios.services import check_paths, import_checked

DATA = Path(__file__).parent / "data"
NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


def import_good(session, unit, name="good.yaml"):
    import_checked(session, check_paths([DATA / name]), unit, actor=None, now=NOW)
    from lms.scenarios.services import latest

    code = {"good.yaml": "thu-nghiem", "small.yaml": "nho"}[name]
    return latest(session, code)

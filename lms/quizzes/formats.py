"""Question-bank file formats in one place: which formats exist, how to read a file of each
(every problem as ``path:line: message``) and how to write questions in each.

Readers return ``(questions, problems, unsupported)``: ``unsupported`` lists the questions of a
type we do not have (a Moodle description, a calculated question...), by name and line, so a
caller reports them and skips them only when asked (``--skip-unsupported``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask_babel import gettext as _

from lms.errors import FileProblem, InvalidFile
from lms.quizzes.services import QuestionInput

Reader = Callable[[str, str], tuple[list[QuestionInput], list[FileProblem], list[FileProblem]]]

SUFFIXES = {".gift": "gift", ".xml": "xml", ".aiken": "aiken"}


def _gift_reader(text: str, path: str):
    from lms.quizzes import gift

    parsed, problems, unsupported = gift.parse_all(text, path)
    return [entry.item for entry in parsed], problems, unsupported


def readers() -> dict[str, Reader]:
    found: dict[str, Reader] = {"gift": _gift_reader}
    try:
        from lms.quizzes import moodle_xml

        found["xml"] = moodle_xml.read
    except ImportError:  # pragma: no cover - while a format is being added
        pass
    try:
        from lms.quizzes import aiken

        found["aiken"] = aiken.read
    except ImportError:  # pragma: no cover
        pass
    return found


def writers() -> dict[str, Callable]:
    from lms.quizzes import gift

    found: dict[str, Callable] = {"gift": gift.export}
    try:
        from lms.quizzes import moodle_xml

        found["xml"] = moodle_xml.export
    except ImportError:  # pragma: no cover
        pass
    return found


def guess_format(path: str) -> str:
    """The format named by a file's suffix (.gift, .xml, .aiken); anything else is GIFT
    (Moodle exports GIFT as .txt)."""
    return SUFFIXES.get(Path(path).suffix.lower(), "gift")


def parse_text(
    text: str, path: str, fmt: str, skip_unsupported: bool = False
) -> tuple[list[QuestionInput], list[FileProblem], list[FileProblem]]:
    """(questions, problems, skipped): ``problems`` includes the unsupported questions unless
    ``skip_unsupported``; ``skipped`` lists those skipped."""
    reader = readers().get(fmt)
    if reader is None:
        return [], [FileProblem(path, 0, _("định dạng không hỗ trợ: %(fmt)s", fmt=fmt))], []
    if text.startswith("\ufeff"):
        text = text[1:]
    items, problems, unsupported = reader(text, path)
    if skip_unsupported:
        return items, problems, unsupported
    return items, sorted(problems + unsupported, key=lambda p: p.line), []


def parse_files(
    paths: list[Path], fmt: str | None, skip_unsupported: bool = False
) -> tuple[list[QuestionInput], list[FileProblem]]:
    """Every question of the files, checked together (a code in two files is a problem).
    Raises InvalidFile with every problem. Returns (questions, skipped unsupported)."""
    from lms.quizzes.importer import read_text

    items, problems, skipped, seen = [], [], [], {}
    for path in paths:
        parsed, found, left_out = parse_text(
            read_text(path), str(path), fmt or guess_format(str(path)), skip_unsupported
        )
        problems += found
        skipped += left_out
        for item in parsed:
            if item.code in seen:
                problems.append(
                    FileProblem(
                        str(path),
                        0,
                        _(
                            "mã câu hỏi %(code)s đã có trong %(value)s",
                            code=repr(item.code),
                            value=seen[item.code],
                        ),
                    )
                )
            seen[item.code] = str(path)
        items += parsed
    if problems:
        raise InvalidFile(problems)
    return items, skipped

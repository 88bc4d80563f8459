"""Domain errors: each carries a message a person can act on, and the HTTP status it maps to."""

from __future__ import annotations


class LmsError(Exception):
    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(LmsError):
    status = 404


class Forbidden(LmsError):
    status = 403


class Conflict(LmsError):
    status = 409


class FileProblem:
    """One problem in an input file, printed as ``path:line: message``."""

    def __init__(self, path: str, line: int, message: str):
        self.path, self.line, self.message = path, line, message

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"

    def __repr__(self) -> str:
        return f"FileProblem({str(self)!r})"


class InvalidFile(LmsError):
    """One or more problems in input files; nothing was written."""

    def __init__(self, problems: list[FileProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

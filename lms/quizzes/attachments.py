"""Question images: checking an embedded file, storing it with a question version, and the
URL it is served at.

A Moodle XML file refers to a question's files as ``@@PLUGINFILE@@/name.png`` and carries them
base64-encoded in ``<file>`` elements. On import each file is checked (a raster image by its
own bytes: PNG, JPEG, GIF or WebP; SVG is refused, it can carry script; a size cap per file and
per import), stored as a ``QuestionAttachment`` and the references are rewritten to
``/quizzes/questions/<question>/files/<sha256>/<name>``. The hash in the URL makes the URL
change whenever the bytes do, so the file may be cached for a year. Export reverses it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from typing import Any
from urllib.parse import quote, unquote

from flask_babel import gettext as _

from lms.quizzes.models import QuestionAttachment, QuestionVersion

PLUGINFILE = "@@PLUGINFILE@@/"
MAX_FILE_BYTES = 1024 * 1024  # one image of a question; a phone photo is resized first
MAX_IMPORT_BYTES = 8 * 1024 * 1024  # all images of one import
NAME = re.compile(r"^[^/\\\x00-\x1f\x7f]{1,200}$")
SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
SERVED = re.compile(r"/quizzes/questions/[A-Za-z0-9_-]+/files/([0-9a-f]{64})/([^\"'\s<>?#]+)")


@dataclasses.dataclass(frozen=True)
class Attachment:
    """A file as read from an import, checked."""

    name: str
    media_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def sniff(content: bytes) -> str | None:
    """The image type by the file's own bytes (never by its name)."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def check(name: str, content: bytes) -> Attachment:
    """The file as an Attachment, or ValueError with a message for the author."""
    if not NAME.match(name or "") or name in (".", ".."):
        raise ValueError(_("tên tệp %(name)s không hợp lệ", name=repr(name)))
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix == ".svg" or b"<svg" in content[:1024].lower():
        raise ValueError(_("ảnh %(name)s: không nhận ảnh SVG (có thể chứa mã); hãy đổi sang PNG", name=name))
    if suffix not in SUFFIXES:
        raise ValueError(_("tệp %(name)s: chỉ nhận ảnh PNG, JPEG, GIF hoặc WebP", name=name))
    if len(content) > MAX_FILE_BYTES:
        raise ValueError(_("ảnh %(name)s lớn quá %(value)s KB", name=name, value=MAX_FILE_BYTES // 1024))
    media_type = sniff(content)
    if media_type is None:
        raise ValueError(_("tệp %(name)s không phải là ảnh PNG, JPEG, GIF hoặc WebP", name=name))
    return Attachment(name, media_type, content)


def served_url(question_public_id: str, sha256: str, name: str) -> str:
    return f"/quizzes/questions/{question_public_id}/files/{sha256}/{quote(name)}"


def referenced_names(text: str) -> set[str]:
    """The file names an HTML text refers to as @@PLUGINFILE@@/name."""
    return {unquote(m) for m in re.findall(re.escape(PLUGINFILE) + r"([^\"'\s<>?#]+)", text or "")}


def _rewrite_text(text: str, urls: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        return urls.get(unquote(match.group(1)), match.group(0))

    return re.sub(re.escape(PLUGINFILE) + r"([^\"'\s<>?#]+)", replace, text)


def rewrite(value: Any, urls: dict[str, str]) -> Any:
    """Every @@PLUGINFILE@@/name in a text or in the strings of a question's data, as its URL."""
    if isinstance(value, str):
        return _rewrite_text(value, urls) if PLUGINFILE in value else value
    if isinstance(value, list):
        return [rewrite(v, urls) for v in value]
    if isinstance(value, dict):
        return {k: rewrite(v, urls) for k, v in value.items()}
    return value


def to_pluginfile(text: str) -> tuple[str, set[str]]:
    """Export: served URLs back to @@PLUGINFILE@@/name, and the hashes referred to."""
    hashes: set[str] = set()

    def replace(match: re.Match) -> str:
        hashes.add(match.group(1))
        return PLUGINFILE + match.group(2)

    return SERVED.sub(replace, text or ""), hashes


def store(version: QuestionVersion, files: list[Attachment] | tuple[Attachment, ...]) -> None:
    """Add or replace (by name) the files of a version."""
    by_name = {a.name: a for a in version.attachments}
    for item in files:
        current = by_name.get(item.name)
        if current is not None and current.sha256 == item.sha256:
            continue
        if current is not None:  # updated in place: a delete + insert of one name would collide
            current.media_type, current.size = item.media_type, len(item.content)
            current.sha256, current.content = item.sha256, item.content
            continue
        version.attachments.append(
            QuestionAttachment(
                name=item.name,
                media_type=item.media_type,
                size=len(item.content),
                sha256=item.sha256,
                content=item.content,
            )
        )


def carried(version: QuestionVersion) -> list[Attachment]:
    """A version's files, to give to its next version (a new version keeps its images)."""
    return [Attachment(a.name, a.media_type, a.content) for a in version.attachments]

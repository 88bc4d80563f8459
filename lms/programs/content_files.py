"""Programs and topics in files: parse and validate everything first, then write.

``content/programs/*.yaml`` and ``content/topics/*.md`` (see content/FORMATS.md). Every problem
is reported as ``path:line: message``; nothing is written when any file has a problem. Lines
of YAML problems come from the composed node marks (``start_mark.line + 1``); in a topic's
front matter they are shifted by the opening ``---`` line so they point into the real file.

Import is keyed by code and idempotent. Files are the authoritative source: a topic whose
content differs from its latest published version becomes a new published version (the old
one archived), without going through the approval workflow; every write is audited.

This module is a facade kept so that every ``from lms.programs.content_files import …`` keeps
working; the code lives by concern in content_data (parsed data, canonical forms),
content_yaml (YAML with line numbers), content_parse (topic and program files),
content_import (cross-check and writing) and content_export.
"""

from __future__ import annotations

from lms.programs.content_data import (  # noqa: F401
    EVALUATION_WEIGHTS,
    SLUG,
    Parsed,
    ProgramData,
    TopicData,
    _json,
    _without_lines,
    program_canonical,
    version_canonical,
)
from lms.programs.content_export import (  # noqa: F401
    _dump,
    _Dumper,
    _represent_list,
    export_content,
    program_document,
    topic_document,
)
from lms.programs.content_import import (  # noqa: F401
    Summary,
    _published_titles,
    cross_check,
    fill_version,
    import_content,
    publish_topic_from_file,
    write_program,
)
from lms.programs.content_parse import (  # noqa: F401
    GOAL_KEYS,
    PROGRAM_ALLOWED,
    PROGRAM_REQUIRED,
    TOPIC_ALLOWED,
    TOPIC_REQUIRED,
    _evaluation,
    _lessons,
    _read_text,
    parse_program,
    parse_topic,
    read_files,
    split_front_matter,
)
from lms.programs.content_yaml import (  # noqa: F401
    _REFUSED,
    _Reader,
)

__all__ = [
    "SLUG",
    "EVALUATION_WEIGHTS",
    "TopicData",
    "ProgramData",
    "_json",
    "_without_lines",
    "version_canonical",
    "program_canonical",
    "Parsed",
    "_REFUSED",
    "_Reader",
    "TOPIC_REQUIRED",
    "TOPIC_ALLOWED",
    "split_front_matter",
    "parse_topic",
    "_lessons",
    "PROGRAM_REQUIRED",
    "PROGRAM_ALLOWED",
    "GOAL_KEYS",
    "parse_program",
    "_evaluation",
    "read_files",
    "_read_text",
    "cross_check",
    "_published_titles",
    "Summary",
    "import_content",
    "publish_topic_from_file",
    "fill_version",
    "write_program",
    "_Dumper",
    "_represent_list",
    "_dump",
    "program_document",
    "topic_document",
    "export_content",
]

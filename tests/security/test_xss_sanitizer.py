"""Every public XSS vector through the one HTML policy: what comes out, parsed the way a browser
would parse it, holds nothing that can run script, and sanitizing it again changes nothing."""

from __future__ import annotations

import pytest

from lms.sanitize import clean_html, markdown_to_html
from tests.security.xss import all_findings, load_vectors, vector_id

VECTORS = load_vectors()
IDS = [vector_id(i) for i in range(len(VECTORS))]


def test_the_vector_list_is_big_and_distinct():
    assert len(VECTORS) >= 350
    assert len(set(VECTORS)) == len(VECTORS)


@pytest.mark.parametrize("vector", VECTORS, ids=IDS)
def test_clean_html_output_is_inert(vector):
    output = clean_html(vector)
    problems = all_findings(output)
    assert not problems, f"clean_html({vector!r})\n= {output!r}\n" + "\n".join(problems)


@pytest.mark.parametrize("vector", VECTORS, ids=IDS)
def test_markdown_output_is_inert(vector):
    output = markdown_to_html(vector)
    problems = all_findings(output)
    assert not problems, f"markdown_to_html({vector!r})\n= {output!r}\n" + "\n".join(problems)


@pytest.mark.parametrize("vector", VECTORS, ids=IDS)
def test_sanitizing_is_stable(vector):
    once = clean_html(vector)
    assert clean_html(once) == once, f"clean_html is not idempotent for {vector!r}"
    rendered = markdown_to_html(vector)
    assert clean_html(rendered) == rendered, f"markdown output changes when cleaned again: {vector!r}"


CONTROL_CHARACTERS = [
    *("\x00", "\x01", "\x08", "\t", "\n", "\x0b", "\x0c", "\r", "\x1b", "\x7f"),
    *("\u00a0", "\u200b", "\u2028", "\ufeff"),
]
TEMPLATES = [
    '<a href="java{c}script:alert(1)">x</a>',
    '<a href="{c}javascript:alert(1)">x</a>',
    '<img src="javascript{c}:alert(1)">',
    "<img src=x on{c}error=alert(1)>",
    "<img{c}src=x{c}onerror=alert(1)>",
    "<scr{c}ipt>alert(1)</script>",
    '<p style="text-align:{c}expression(alert(1))">x</p>',
    "[x](java{c}script:alert(1))",
]


@pytest.mark.parametrize("template", TEMPLATES)
def test_raw_control_characters_do_not_help(template):
    """Vectors with raw NUL/CR/other controls (kept out of the text file) built here instead."""
    problems = []
    for char in CONTROL_CHARACTERS:
        vector = template.format(c=char)
        for name, sanitize in (("clean_html", clean_html), ("markdown_to_html", markdown_to_html)):
            output = sanitize(vector)
            found = all_findings(output)
            if found:
                problems.append(f"{name}({vector!r}) = {output!r}: {found}")
    assert not problems, "\n".join(problems)

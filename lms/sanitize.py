"""The one HTML policy. Every piece of author- or learner-supplied HTML goes through ``clean_html``.

Allowed: the text formatting a topic, question or scenario needs (headings, lists, tables,
links, images from our own server or https). Removed: scripts, styles (elements and
attributes), event handlers, frames, forms, SVG/MathML, and any URL that is not http(s),
mailto, tel or relative, however it is encoded.
"""

from __future__ import annotations

import html as html_lib
import unicodedata

import bleach
import markdown as md

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {
    "*": ["id", "title", "lang"],
    "a": ["href", "title", "rel"],
    "img": ["src", "alt", "width", "height"],
    "td": ["colspan", "rowspan"],
    "th": ["colspan", "rowspan", "scope"],
    "ol": ["start"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto", "tel"})
URL_ATTRIBUTES = frozenset({"href", "src"})
# Inline styles are not allowed at all: the CSP forbids them anyway (style-src 'self'), and
# CSS values are a scripting and tracking channel (expression(), url()).
_BAD_SCHEMES = ("javascript:", "vbscript:", "livescript:", "data:")


def _is_safe_url(value: str) -> bool:
    """Reject a URL that could script, however it is encoded: entities decoded until stable,
    every space, control and format character removed, case folded."""
    text = value
    for _ in range(4):
        decoded = html_lib.unescape(text)
        if decoded == text:
            break
        text = decoded
    compact = "".join(
        ch
        for ch in text
        if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf", "Zs", "Zl", "Zp")
    ).lower()
    if any(scheme in compact for scheme in _BAD_SCHEMES):
        return False
    head = compact.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return ":" not in head or head.split(":", 1)[0] in ALLOWED_PROTOCOLS


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    if name not in ALLOWED_ATTRIBUTES.get(tag, ()) and name not in ALLOWED_ATTRIBUTES["*"]:
        return False
    return _is_safe_url(value) if name in URL_ATTRIBUTES else True


def clean_html(html: str) -> str:
    """Return ``html`` with everything outside the policy removed (text kept, escaped)."""
    if not html:
        return ""
    result = _clean_once(html.replace("\x00", ""))
    # Re-parse until stable: mis-nested markup (mutation XSS) can change shape when a browser
    # parses the output again; a fixed point parses the same way every time.
    for _ in range(3):
        again = _clean_once(result)
        if again == result:
            break
        result = again
    return result


def _clean_once(html: str) -> str:
    return bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=_allow_attribute,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )


def markdown_to_html(text: str) -> str:
    """Render author Markdown once (at save/import) and pass it through the policy."""
    rendered = md.markdown(text or "", extensions=["extra", "sane_lists", "attr_list"], output_format="html")
    return clean_html(rendered)

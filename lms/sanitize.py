"""The one HTML policy. Every piece of author- or learner-supplied HTML goes through ``clean_html``.

Allowed: the text formatting a topic, question or scenario needs (headings, lists, tables,
links, images from our own server or https). Removed: scripts, styles, event handlers,
frames, forms, SVG/MathML, and any URL that is not http(s), mailto, tel or relative.
"""

from __future__ import annotations

import bleach
import markdown as md
from bleach.css_sanitizer import CSSSanitizer

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
    "*": ["id", "title", "lang", "style"],
    "a": ["href", "title", "rel"],
    "img": ["src", "alt", "width", "height"],
    "td": ["colspan", "rowspan"],
    "th": ["colspan", "rowspan", "scope"],
    "ol": ["start"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto", "tel"})
_CSS = CSSSanitizer(allowed_css_properties=["text-align", "font-weight", "font-style", "text-decoration"])


def clean_html(html: str) -> str:
    """Return ``html`` with everything outside the policy removed (text kept, escaped)."""
    if not html:
        return ""
    html = html.replace("\x00", "")
    return bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        css_sanitizer=_CSS,
        strip=True,
        strip_comments=True,
    )


def markdown_to_html(text: str) -> str:
    """Render author Markdown once (at save/import) and pass it through the policy."""
    rendered = md.markdown(text or "", extensions=["extra", "sane_lists", "attr_list"], output_format="html")
    return clean_html(rendered)

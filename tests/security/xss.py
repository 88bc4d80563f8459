"""The XSS vector list and the one inspection every XSS test uses.

``xss_vectors.txt`` holds one public vector per line; a vector containing a line break is stored
with the two characters ``\\n`` in its place (no vector contains a literal backslash-n). Lines are
never stripped: leading and trailing spaces are part of some vectors. See SOURCES.md.

``findings(html)`` parses HTML with both Python's ``html.parser`` and html5lib (the parser bleach
vendors, which follows the WHATWG algorithm browsers use) and returns every dangerous item:
elements from ``DANGEROUS_TAGS``, event-handler and ``srcdoc`` attributes, URL attributes whose
value (entity-decoded, whitespace and control characters removed, lower-cased) holds a
``javascript:``, ``vbscript:`` or ``data:`` scheme, and ``style`` values with ``expression(`` or
``url(``. Escaped text such as ``&lt;script&gt;`` is text to both parsers and is never a finding.

``PageReport(page)`` makes the same checks on a whole page in one ``html.parser`` pass, and also
counts its elements and keeps its text, to compare a page showing a vector with the same page
showing a harmless value.
"""

from __future__ import annotations

import collections
import functools
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

from bleach._vendor import html5lib

HERE = Path(__file__).resolve().parent
VECTORS_FILE = HERE / "xss_vectors.txt"

DANGEROUS_TAGS = frozenset(
    {"script", "iframe", "object", "embed", "svg", "math", "style", "base", "form", "meta", "link"}
)
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "style"})
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
BAD_CSS = ("expression(", "url(")

# Rendered-page tests: every SAMPLE_STEP-th vector plus these hand-picked ones (see SOURCES.md).
RENDERED_SAMPLE_SIZE = 120
NASTIEST = (
    "<script>alert(1)</script>",
    "\"><script>alert('XSS')</script>",
    "</script><script>alert('XSS');</script>",
    '</TITLE><SCRIPT>alert("XSS");</SCRIPT>',
    '"><img src=1 onerror=alert(1)>.gif',
    '"onmouseover=alert(1)//',
    '"autofocus/onfocus=alert(1)//',
    "'onload=alert(1)><svg/1='",
    "<svg/onload=alert('XSS')>",
    "<img src=x onerror=alert('XSS');>",
    "<iframe srcdoc=<svg/o&#x6Eload&equals;alert&lpar;1)&gt;>",
    "<a href=javascript:alert(1)>click",
    '<a href="j&Tab;a&Tab;v&Tab;asc&NewLine;ri&Tab;pt&colon;&lpar;a&Tab;l&Tab;e&Tab;r&Tab;t&Tab;'
    '(document.domain)&rpar;">X</a>',
    "<IMG SRC=\"jav&#x0D;ascript:alert('XSS');\">",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;img src=1 onerror=alert(1)&gt;">',
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    '<b><noscript><a alt="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<details/open/ontoggle="alert`1`">',
    "{{constructor.constructor('alert(1)')()}}",
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    "<DIV STYLE=\"width: expression(alert('XSS'));\">",
    "<STYLE>@im\\port'\\ja\\vasc\\ript:alert(\"XSS\")';</STYLE>",
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    "<form><button formaction=javascript:alert(1)>click",
    "Trần Thị Bích\"><img src=x onerror=alert('Lỗi bảo mật')>",
    'Lê Minh Đức</title><script>alert("Cán bộ xã")</script>',
    "Hoàng Văn Lợi' onmouseover='alert(\"Ủy ban nhân dân\")",
)
# Vectors whose payload sets a global or logs "xss", for the browser test.
FLAG_VECTORS = (
    '<img src=x onerror="window.__xss=1">',
    '<svg onload="window.__xss=1">',
    "<script>window.__xss=1</script>",
    '"><img src=x onerror=window.__xss=1>',
    "</strong><script>window.__xss=1;console.log('xss')</script>",
    '<details open ontoggle="window.__xss=1">',
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    '<a href="javascript:window.__xss=1" id="xss-link">xss</a>',
    '<noscript><p title="</noscript><img src=x onerror=window.__xss=1>">',
    "<img src=x onerror=\"console.log('xss')\">",
    '<style>@keyframes x{}</style><b style="animation-name:x" onanimationstart="window.__xss=1">',
    '<input autofocus onfocus="window.__xss=1">',
)


@functools.cache
def load_vectors() -> tuple[str, ...]:
    text = VECTORS_FILE.read_text(encoding="utf-8")
    return tuple(line.replace("\\n", "\n") for line in text.split("\n") if line)


def vector_id(index: int) -> str:
    """pytest id: the vector's line number in xss_vectors.txt."""
    return f"line{index + 1:03d}"


def rendered_sample() -> list[tuple[int, str]]:
    """Every k-th vector (RENDERED_SAMPLE_SIZE of them) plus NASTIEST: (line index, vector)."""
    vectors = load_vectors()
    step = -(-len(vectors) // RENDERED_SAMPLE_SIZE)  # ceil: at most RENDERED_SAMPLE_SIZE
    picked = {i: vectors[i] for i in range(0, len(vectors), step)}
    index = {v: i for i, v in enumerate(vectors)}
    for vector in NASTIEST:
        assert vector in index, f"hand-picked vector missing from xss_vectors.txt: {vector!r}"
        picked[index[vector]] = vector
    return sorted(picked.items())


# --- inspection ----------------------------------------------------------------------------

_INVISIBLE = re.compile(r"[\s\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028\u2029\u2060\ufeff]+")
_CSS_COMMENT = re.compile(r"/\*.*?(\*/|$)", re.S)
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})[ \t\r\n\f]?")


def _squeeze(value: str) -> str:
    """Drop whitespace and control characters, fold compatibility forms, lower-case. Both
    parsers have already decoded character references once, exactly as a browser does; a value
    such as ``&amp;#106;avascript:`` is the literal text ``&#106;avascript:`` (a relative URL)."""
    value = unicodedata.normalize("NFKC", value)
    return _INVISIBLE.sub("", value).lower()


def _css_squeeze(value: str) -> str:
    """CSS comments removed and CSS escapes (``\\65``, ``\\p``) decoded, then squeezed."""
    value = _CSS_COMMENT.sub("", value)
    value = _CSS_ESCAPE.sub(lambda m: _safe_chr(int(m.group(1), 16)), value)
    value = value.replace("\\", "")
    return _squeeze(value)


def _safe_chr(code: int) -> str:
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"


def _attribute_findings(tag: str, name: str, value: str | None) -> list[tuple]:
    found = []
    name = name.lower()
    value = value or ""
    if name.startswith("on"):
        found.append(("event-handler", tag, name))
    if name == "srcdoc":
        found.append(("srcdoc", tag, name))
    if name in URL_ATTRIBUTES:
        squeezed = _squeeze(value)
        if any(scheme in squeezed for scheme in BAD_SCHEMES):
            found.append(("dangerous-url", tag, name))
    if name == "style":
        css = _css_squeeze(value)
        if any(bad in css for bad in BAD_CSS):
            found.append(("dangerous-css", tag, name))
    return found


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        tag = tag.lower()
        if tag in DANGEROUS_TAGS:
            self.items.append(("element", tag, ""))
        for name, value in attrs:
            self.items.extend(_attribute_findings(tag, name, value))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def _local(name: str) -> str:
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return f"xlink:{local}" if namespace.endswith("/xlink") else local
    return name


def html_parser_findings(markup: str) -> list[tuple]:
    collector = _Collector()
    collector.feed(markup)
    collector.close()
    return collector.items


def html5lib_findings(markup: str) -> list[tuple]:
    root = html5lib.parseFragment(markup, treebuilder="etree", namespaceHTMLElements=False)
    items = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments
        tag = _local(element.tag).lower()
        if tag in DANGEROUS_TAGS:
            items.append(("element", tag, ""))
        for name, value in element.attrib.items():
            items.extend(_attribute_findings(tag, _local(name), value))
    return items


def findings(markup: str) -> dict[str, collections.Counter]:
    """Dangerous items in an HTML fragment per parser, as multisets of (kind, element, attribute)."""
    return {
        "html.parser": collections.Counter(html_parser_findings(markup)),
        "html5lib": collections.Counter(html5lib_findings(markup)),
    }


def all_findings(markup: str) -> list[str]:
    """Every dangerous item in an HTML fragment, described for a failure message."""
    out = []
    for parser, items in findings(markup).items():
        out += [f"{parser}: {kind} <{tag}{' ' + attr if attr else ''}>" for kind, tag, attr in items]
    return out


class PageReport(HTMLParser):
    """One ``html.parser`` pass over a whole page: its dangerous items, how many of each element
    it has, and its text (attribute values included), for comparison with a baseline page."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: collections.Counter = collections.Counter()
        self.elements: collections.Counter = collections.Counter()
        self._text: list[str] = []
        self.feed(page)
        self.close()
        self.text = "\n".join(self._text)

    def handle_starttag(self, tag, attrs):
        tag = tag.lower()
        self.elements[tag] += 1
        if tag in DANGEROUS_TAGS:
            self.findings[("element", tag, "")] += 1
        for name, value in attrs:
            self.findings.update(_attribute_findings(tag, name, value))
            self._text.append(value or "")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        self._text.append(data)

    def beyond(self, baseline: PageReport) -> list[str]:
        """What this page has that the same page rendered with a harmless value has not."""
        out = [
            f"{kind} <{tag}{' ' + attr if attr else ''}> x{n}"
            for (kind, tag, attr), n in (self.findings - baseline.findings).items()
        ]
        extra = self.elements - baseline.elements
        if extra:
            out.append(f"elements beyond the harmless page: {dict(extra)}")
        return out

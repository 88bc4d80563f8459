"""Rebuild Graphviz's SVG from an allow-list before it is inlined in a page.

The SVG carries author text (node titles, choice labels) and is inlined so that its nodes can
be links. It is therefore never passed through: it is parsed as XML and written out again with
only the elements and attributes a Graphviz drawing needs, every text and attribute value
escaped, every attribute value checked against the shape its attribute allows (numbers, path
data, colours, our ids and classes), the ``<title>`` texts replaced by ours, and a link kept
only where we made it (``hrefs``: Graphviz element id → the URL we gave that node). Anything
else — scripts, event handlers, ``style``, foreign objects, ``javascript:`` or outside links,
comments, the DOCTYPE — is dropped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping

from markupsafe import Markup, escape

SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

NUMBERS = re.compile(r"^[0-9eE.,\s+-]*$")
PATH_DATA = re.compile(r"^[0-9eE.,\s+MmLlHhVvCcSsQqTtAaZz-]*$")
COLOUR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-z]{3,20})$")
TRANSFORM = re.compile(r"^[a-z0-9().,\s+-]*$")
LENGTH = re.compile(r"^[0-9.]+(pt|px)?$")
IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
CLASSES = re.compile(r"^[a-z][a-z0-9 _-]*$")
FONT = re.compile(r"^[A-Za-z][A-Za-z ,-]*$")
LOCAL_HREF = re.compile(r"^(/(?!/)|#)[A-Za-z0-9/_.~%#=?&-]*$")

ATTRIBUTES = {
    "width": LENGTH,
    "height": LENGTH,
    "viewBox": NUMBERS,
    "transform": TRANSFORM,
    "points": NUMBERS,
    "d": PATH_DATA,
    "x": NUMBERS,
    "y": NUMBERS,
    "cx": NUMBERS,
    "cy": NUMBERS,
    "rx": NUMBERS,
    "ry": NUMBERS,
    "fill": COLOUR,
    "stroke": COLOUR,
    "stroke-width": NUMBERS,
    "stroke-dasharray": NUMBERS,
    "font-family": FONT,
    "font-size": NUMBERS,
    "font-weight": IDENT,
    "font-style": IDENT,
    "text-anchor": IDENT,
    "id": IDENT,
    "class": CLASSES,
}
ELEMENTS = {"svg", "g", "title", "path", "polygon", "polyline", "ellipse", "text", "a"}
DROP_WITH_CONTENT = {"script", "style", "foreignObject", "image", "use", "iframe", "animate", "set"}


class UnsafeSvg(Exception):
    """The text is not well-formed SVG."""


def _local(tag: str) -> str:
    return tag.split("}", 1)[1] if tag.startswith("{") else tag


def clean(text: str, titles: Mapping[str, str], hrefs: Mapping[str, str], graph_title: str) -> Markup:
    """The SVG rebuilt from the allow-list. ``titles``/``hrefs`` are keyed by the ids we gave
    the nodes and edges in the DOT source; ``graph_title`` names the whole drawing."""
    if "<!ENTITY" in text:
        raise UnsafeSvg("entity declarations are not expected from Graphviz")
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        raise UnsafeSvg(str(exc)) from None
    if _local(root.tag) != "svg":
        raise UnsafeSvg("not an svg document")
    out: list[str] = []
    _write(root, out, titles, hrefs, graph_title, owner=None, is_root=True)
    return Markup("".join(out))


def _attributes(element: ET.Element) -> list[tuple[str, str]]:
    kept = []
    for name, value in element.attrib.items():
        pattern = ATTRIBUTES.get(name)  # namespaced names ({...}href, xml:space) are not in it
        if pattern is not None and pattern.match(value):
            kept.append((name, value))
    return kept


def _write(element, out, titles, hrefs, graph_title, owner: str | None, is_root: bool = False) -> None:
    tag = _local(element.tag)
    if tag in DROP_WITH_CONTENT or tag not in ELEMENTS:
        return
    ident = element.get("id") or ""
    if ident in titles:
        owner = ident
    if tag == "title":
        if owner is not None:  # the group's own title: ours, not Graphviz's (the DOT node name)
            out.append(f"<title>{escape(titles[owner])}</title>")
        return
    if tag == "a":
        href = element.get(XLINK_HREF) or element.get("href")
        # Graphviz wraps a node in <a id="a_sgnN">; keep the link only where we made it
        if owner is None or href != hrefs.get(owner) or not LOCAL_HREF.match(href or ""):
            for child in element:
                _write(child, out, titles, hrefs, graph_title, owner)
            return
        out.append(
            f'<a href="{escape(href)}" aria-label="{escape(titles.get(owner, ""))}">'
            f"<title>{escape(titles.get(owner, ''))}</title>"
        )
        for child in element:
            _write(child, out, titles, hrefs, graph_title, owner)
        out.append("</a>")
        return
    attrs = _attributes(element)
    if is_root:
        attrs = [(k, v) for k, v in attrs if k in ("width", "height", "viewBox")]
        attrs += [
            ("xmlns", "http://www.w3.org/2000/svg"),
            ("class", "scenario-graph"),
            ("role", "group"),
            ("aria-label", graph_title),
        ]
    rendered = "".join(f' {name}="{escape(value)}"' for name, value in attrs)
    out.append(f"<{tag}{rendered}>")
    if is_root:
        out.append(f"<title>{escape(graph_title)}</title>")
    if element.text and tag == "text":
        out.append(str(escape(element.text)))
    for child in element:
        _write(child, out, titles, hrefs, graph_title, owner)
    out.append(f"</{tag}>")

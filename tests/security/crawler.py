"""A small same-origin crawler for the test client: the pages a role can reach by following
links from the home page, the POST forms on them (with their fields), and the query parameters
their links and GET forms send (``queries``: path → parameter names)."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

SKIP_LINK = re.compile(r"^/(static/|logout|lang/)|\.(csv|xlsx|pdf|docx|pptx|png|jpg|svg)(\?|$)|/download")
SKIP_FORM = re.compile(r"^/(logout|lang/)")
IDS = re.compile(r"/(?:\d+|[A-Za-z0-9_-]{10,})(?=/|$)")


@dataclasses.dataclass
class Field:
    name: str
    kind: str  # input type, "select" or "textarea"
    value: str
    options: list[str]


@dataclasses.dataclass
class Form:
    page: str
    action: str
    fields: dict[str, Field]
    enctype: str

    @property
    def key(self) -> tuple:
        return (IDS.sub("/X", self.action), tuple(sorted(self.fields)))


class _Parser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self.get_forms: list[Form] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.page, a["href"]))
        elif tag == "form":
            self._form = Form(
                self.page,
                urljoin(self.page, a.get("action") or self.page),
                {},
                a.get("enctype") or "application/x-www-form-urlencoded",
            )
            self._method = (a.get("method") or "get").lower()
        elif self._form is not None and tag in ("input", "textarea", "select", "button") and a.get("name"):
            kind = a.get("type", "text") if tag == "input" else tag
            field = Field(a["name"], kind, a.get("value") or "", [])
            if kind in ("radio", "checkbox", "submit") and a["name"] in self._form.fields:
                self._form.fields[a["name"]].options.append(a.get("value") or "")
            else:
                field.options.append(a.get("value") or "")
                self._form.fields[a["name"]] = field
            if tag == "select":
                self._select = field
                field.options = []
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            (self.forms if self._method == "post" else self.get_forms).append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None


def crawl(
    client, start: str = "/", limit: int = 120, per_pattern: int = 2, queries: dict | None = None
) -> tuple[list[str], list[Form]]:
    """Pages and POST forms; when ``queries`` is a dict it is filled with path → the query
    parameter names that links and GET forms send there."""
    seen, queue, pages = set(), [start], []
    patterns: dict[str, int] = {}
    forms: dict[tuple, Form] = {}
    while queue and len(pages) < limit:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost") or url in seen or SKIP_LINK.search(parts.path):
            continue
        seen.add(url)
        pattern = IDS.sub("/X", parts.path)
        if patterns.get(pattern, 0) >= per_pattern:
            continue
        patterns[pattern] = patterns.get(pattern, 0) + 1
        response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        pages.append(url)
        parser = _Parser(url)
        parser.feed(response.get_data(as_text=True))
        queue.extend(link.split("#")[0] for link in parser.links)
        if queries is not None:
            for link in parser.links:
                target = urlsplit(link)
                if target.netloc in ("", "localhost") and target.query:
                    names = {pair.split("=")[0] for pair in target.query.split("&") if pair}
                    queries.setdefault(target.path, set()).update(names)
            for form in parser.get_forms:
                queries.setdefault(urlsplit(form.action).path, set()).update(form.fields)
        for form in parser.forms:
            if not SKIP_FORM.search(urlsplit(form.action).path):
                forms.setdefault(form.key, form)
    return pages, list(forms.values())

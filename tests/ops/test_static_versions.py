"""Static URLs carry a content hash, so nginx may cache /static/ for a year (deploy/nginx)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from lms.assets import static_version

STATIC = Path(__file__).resolve().parents[2] / "lms" / "static"
TEMPLATES = STATIC.parent / "templates"
STATIC_URL = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def _sha(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def test_every_static_url_on_a_page_has_the_hash_of_its_file(client):
    page = client.get("/login")
    urls = STATIC_URL.findall(page.get_data(as_text=True))
    assert {u.split("?")[0] for u in urls} >= {"/static/css/app.css", "/static/favicon.svg"}
    for url in urls:
        path, _, query = url.partition("?")
        name = path.removeprefix("/static/")
        assert query == f"v={_sha(name)}", url
        served = client.get(url)
        assert served.status_code == 200 and served.data == (STATIC / name).read_bytes()
        served.close()


def test_a_changed_file_gets_a_new_version_and_a_missing_one_none(tmp_path):
    asset = tmp_path / "x.css"
    asset.write_text("a { color: red }")
    first = static_version(str(tmp_path), "x.css")
    asset.write_text("a { color: blue } /* longer */")
    second = static_version(str(tmp_path), "x.css")
    assert first and second and first != second
    assert second == hashlib.sha256(asset.read_bytes()).hexdigest()[:12]
    assert static_version(str(tmp_path), "missing.css") is None


def test_no_template_or_script_writes_a_static_path_by_hand():
    """A hand-written /static/ URL would miss the version and stay cached for a year."""
    offenders = [
        f"{path.relative_to(STATIC.parent)}:{n}"
        for folder, pattern in ((TEMPLATES, "*.html"), (STATIC, "*.js"), (STATIC, "*.css"))
        for path in folder.rglob(pattern)
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if "/static/" in line
    ]
    assert offenders == []

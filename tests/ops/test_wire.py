"""The embedded server on a slow link: static caching and gzip (lms/wire.py)."""

from __future__ import annotations

import gzip
from pathlib import Path

from lms import create_app
from lms.assets import static_version

STATIC = Path(__file__).resolve().parents[2] / "lms" / "static"
GZIP = {"Accept-Encoding": "gzip, deflate"}


def _css_url() -> str:
    return f"/static/css/app.css?v={static_version(str(STATIC), 'css/app.css')}"


def test_a_versioned_static_file_is_cached_a_year_and_an_unversioned_one_briefly(client):
    versioned = client.get(_css_url())
    assert versioned.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    versioned.close()
    plain = client.get("/static/css/app.css")
    assert plain.headers["Cache-Control"] == "public, max-age=300"
    plain.close()


def test_css_and_pages_are_gzipped_when_the_client_accepts_it(client):
    css = client.get(_css_url(), headers=GZIP)
    assert css.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in css.headers["Vary"]
    assert gzip.decompress(css.data) == (STATIC / "css" / "app.css").read_bytes()
    assert len(css.data) < (STATIC / "css" / "app.css").stat().st_size / 2
    page = client.get("/login", headers=GZIP)
    assert page.headers["Content-Encoding"] == "gzip"
    assert "<form" in gzip.decompress(page.data).decode()


def test_nothing_is_gzipped_without_accept_encoding_or_for_tiny_bodies(client):
    css = client.get(_css_url())
    assert "Content-Encoding" not in css.headers
    assert css.data == (STATIC / "css" / "app.css").read_bytes()
    css.close()
    health = client.get("/healthz", headers=GZIP)  # "ok": two bytes
    assert "Content-Encoding" not in health.headers and health.data == b"ok"


def test_an_already_compressed_type_is_left_alone(tmp_path):
    app = create_app({"TESTING": True, "LMS_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})

    @app.get("/_test_png")
    def _png():
        return app.response_class(b"\x89PNG" + b"\0" * 4000, mimetype="image/png")

    response = app.test_client().get("/_test_png", headers=GZIP)
    assert "Content-Encoding" not in response.headers and len(response.data) == 4004


def test_compression_can_be_switched_off_for_nginx(tmp_path):
    app = create_app(
        {"TESTING": True, "LMS_COMPRESS": False, "LMS_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    )
    with app.test_client() as client:
        css = client.get(_css_url(), headers=GZIP)
        assert "Content-Encoding" not in css.headers
        assert css.headers["Cache-Control"].startswith("public, max-age=31536000")
        css.close()

"""The service worker, the manifest and the offline page (lms/offline)."""

from __future__ import annotations

import json
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "lms" / "static"


def test_the_service_worker_is_served_from_the_root_and_never_caches_posts_or_attempts(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    source = response.get_data(as_text=True)
    assert 'request.method !== "GET"' in source
    assert "/quizzes/" not in source.split("*/", 1)[1]  # no attempt page is ever stored


def test_the_manifest_names_the_app_and_its_shipped_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    data = json.loads(response.data)
    assert data["display"] == "standalone" and data["start_url"] == "/"
    assert data["theme_color"] == "#8a1c1c" and "--brand: #8a1c1c" in (STATIC / "css" / "app.css").read_text()
    assert data["name"] and data["short_name"]
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert {"any", "192x192", "512x512"} <= sizes
    for icon in data["icons"]:
        served = client.get(icon["src"])
        assert served.status_code == 200, icon
        served.close()
    png = (STATIC / "icons" / "icon-512.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20], "big") == 512


def test_the_offline_page_says_what_is_available_without_a_connection(client):
    page = client.get("/offline")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Đã lưu trên máy này" in text and 'id="offline-list"' in text
    assert "Bài kiểm tra và tình huống cần có mạng" in text

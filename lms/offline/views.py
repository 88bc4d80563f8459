"""Routes of the offline feature. The service worker is served from the site's root so that
its scope is the whole site (no ``Service-Worker-Allowed`` header needed)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, render_template, url_for
from flask_babel import gettext as _

from lms.auth.permissions import PUBLIC, requires

bp = Blueprint("offline", __name__)
SW_FILE = Path(__file__).resolve().parents[1] / "static" / "js" / "sw.js"
THEME = "#8a1c1c"  # --brand in static/css/app.css


@bp.get("/sw.js")
@requires(PUBLIC)
def service_worker():
    response = Response(SW_FILE.read_bytes(), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"  # a new version is picked up on the next visit
    return response


@bp.get("/manifest.webmanifest")
@requires(PUBLIC)
def manifest():
    icons = [{"src": url_for("static", filename="icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"}]
    icons += [
        {"src": url_for("static", filename=f"icons/icon-{n}.png"), "sizes": f"{n}x{n}", "type": "image/png"}
        for n in (192, 512)
    ]
    body = {
        "name": _("Bồi dưỡng cán bộ cấp xã"),
        "short_name": _("Bồi dưỡng"),
        "start_url": url_for("core.home"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME,
        "background_color": "#ffffff",
        "lang": "vi",
        "icons": icons,
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "public, max-age=3600"
    current_app.logger.debug("manifest served")
    return response


@bp.get("/offline")
@requires(PUBLIC)
def saved():
    """What this device keeps to read offline (filled in by offline.js from Cache Storage); also
    the page the service worker shows when a page not saved is opened without a connection."""
    return render_template("offline/saved.html")

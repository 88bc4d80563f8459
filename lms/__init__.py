"""Training and evaluation of commune-level cadres: the Flask application factory."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from lms.config import load_settings

# Feature packages, each with a blueprint in views.py and permission rules in
# permissions.py (when it has its own). Order only matters for the navigation menu.
FEATURES = (
    "auth",
    "org",
    "results",
    "programs",
    "quizzes",
    "scenarios",
    "evaluation",
    "jobs",
    "review",
    "offline",
)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    settings = load_settings(Path(app.instance_path), config)
    app.config.update(settings)
    app.config.update(
        SECRET_KEY=settings["LMS_SECRET_KEY"],
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(settings["LMS_SECURE_COOKIES"]),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=bool(settings["LMS_SECURE_COOKIES"]),
        MAX_CONTENT_LENGTH=int(settings["LMS_UPLOAD_MAX_MB"]) * 1024 * 1024 + 64 * 1024,
        WTF_CSRF_TIME_LIMIT=None,  # a long exam must not lose its token; the session bounds it
        BABEL_DEFAULT_LOCALE=settings["LMS_DEFAULT_LOCALE"],
        BABEL_DEFAULT_TIMEZONE="Asia/Ho_Chi_Minh",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
    )
    if settings["LMS_TRUST_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]
    logging.getLogger("lms").setLevel(logging.INFO)

    from lms.db import db

    db.init_app(app)
    from lms import web

    web.init_app(app)
    for feature in FEATURES:
        module = importlib.import_module(f"lms.{feature}.views")
        app.register_blueprint(module.bp)
    from lms import cli

    cli.init_app(app)
    from lms.jobs import queue

    queue.init_app(app)
    return app

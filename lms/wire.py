"""What the embedded server (``flask run``, ``make run``: no nginx) does for slow links.

- Static files: a versioned URL (``?v=<hash>``, lms/assets.py) is cached a year, immutable; an
  unversioned one (a hand-typed URL, the service worker) only a short while.
- gzip of HTML, CSS, JS, JSON, SVG and CSV bodies of at least ``MIN_SIZE`` bytes when the client
  accepts it. Images, PDFs and archives are already compressed; a tiny body gains nothing.

Switched off with ``LMS_COMPRESS=0`` in production, where nginx does both
(deploy/nginx/lms-locations.conf); the Cache-Control of static files stays either way (nginx
serves /static/ itself there). A small ``after_request`` hook rather than a dependency: it is
thirty lines, sees Flask's response object (mimetype, direct passthrough of static files) and
needs no brotli build.
"""

from __future__ import annotations

import gzip

from flask import Flask, Response, request

YEAR = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
MIN_SIZE = 500
MAX_SIZE = 5 * 1024 * 1024  # a big download (an export) is not held in memory to compress it
COMPRESSIBLE = {
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "image/svg+xml",
    "text/csv",
    "text/plain",
}


def init_app(app: Flask) -> None:
    app.after_request(_static_cache)
    if app.config.get("LMS_COMPRESS", True):
        app.after_request(_compress)


def _static_cache(response: Response) -> Response:
    if request.endpoint == "static" and response.status_code in (200, 304):
        response.headers["Cache-Control"] = YEAR if request.args.get("v") else SHORT
    return response


def _compress(response: Response) -> Response:
    if response.mimetype in COMPRESSIBLE:
        response.vary.add("Accept-Encoding")
    if not _worth_compressing(response):
        return response
    response.direct_passthrough = False  # static files come as a file wrapper: read them
    body = response.get_data()
    if len(body) < MIN_SIZE:
        return response
    response.set_data(gzip.compress(body, compresslevel=6))
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag:  # the compressed body is another representation: not the same strong ETag
        response.set_etag(etag + "-gzip", weak=weak)
    return response


def _worth_compressing(response: Response) -> bool:
    return (
        response.status_code == 200
        and response.mimetype in COMPRESSIBLE
        and "Content-Encoding" not in response.headers
        and (response.direct_passthrough or not response.is_streamed)  # a static file, not a stream
        and "gzip" in request.headers.get("Accept-Encoding", "").lower()
        and request.method != "HEAD"
        and MIN_SIZE <= (response.content_length or MIN_SIZE) <= MAX_SIZE
    )

"""What every page shares: login manager, CSRF, translations, security headers, error pages,
template helpers, and the few routes that belong to no feature (home, /healthz, language)."""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import logging
import time
import unicodedata
from urllib.parse import urlsplit

from babel.numbers import format_decimal as babel_format_decimal
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import Babel, format_date, format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy import text
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from lms import assets, form_errors, plurals, wire
from lms.auth import permissions
from lms.auth.permissions import LOGIN, PUBLIC, can, password_change_redirect, requires
from lms.db import db
from lms.errors import LmsError

log = logging.getLogger("lms")
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

core = Blueprint("core", __name__)


def select_locale() -> str:
    if not has_request_context():  # CLI and jobs: lazy labels resolve to the Vietnamese source
        return "vi"
    lang = session.get("lang")
    return lang if lang in LANGUAGES else "vi"


class BoundedInt(IntegerConverter):
    """``<int:...>`` that fits the database's INTEGER: a bigger number is a 404, not a 500."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedInt  # before any route is added
    assets.init_app(app)  # ?v=<hash> on every url_for('static', ...): nginx caches them a year
    wire.init_app(app)  # static Cache-Control and gzip for the embedded server (no nginx)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(cookie_id: str):
        from lms.auth.services import load_from_cookie_id

        return load_from_cookie_id(db.session, cookie_id)

    app.before_request(_session_lifetime)
    app.before_request(_force_password_change)
    app.after_request(_security_headers)
    app.register_error_handler(LmsError, _domain_error)
    app.register_error_handler(DataError, _data_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    app.jinja_env.globals.update(can=can, LANGUAGES=LANGUAGES, current_locale=select_locale)
    form_errors.init_app(app)
    app.jinja_env.filters.update(
        vndate=_vndate,
        vndatetime=_vndatetime,
        vnnumber=_vnnumber,
        vnpercent=_vnpercent,
        vnpercent_text=_vnpercent_text,
        plural=plurals.count,
    )
    app.register_blueprint(core)
    _ = permissions  # the foundation's rules; features register theirs on import


# Requests of a learner at work: the longer idle limit applies after them, and the absolute
# lifetime never ends a session in the middle of them (answers are never lost to a timeout).
WORK_ENDPOINTS = {
    "quizzes.attempt_page",
    "quizzes.attempt_post",
    "quizzes.autosave",
    "scenarios.play",
    "scenarios.act",
    "core.keep_alive",
}
SESSION_ENDED = {
    "idle": _l("Phiên làm việc đã kết thúc vì không hoạt động quá %(n)s phút. Vui lòng đăng nhập lại."),
    "max": _l("Phiên làm việc đã kết thúc sau %(n)s giờ kể từ khi đăng nhập. Vui lòng đăng nhập lại."),
}


def _session_lifetime():
    """Idle timeout and absolute lifetime of a signed-in session, kept in the signed cookie
    (``login_at``, ``seen_at``, ``work``): no server state, any app host can check it. An
    ended session is cleared (the language kept) and the login page says why."""
    if "_user_id" not in session or request.endpoint in ("static", "core.healthz"):
        return None
    config = current_app.config
    now = int(time.time())
    login_at = session.get("login_at")
    seen_at = session.get("seen_at")
    if not isinstance(login_at, int) or not isinstance(seen_at, int):  # a cookie from before
        session["login_at"] = session["seen_at"] = login_at = seen_at = now
    at_work = request.endpoint in WORK_ENDPOINTS
    idle_key = "LMS_SESSION_WORK_IDLE_MINUTES" if session.get("work") else "LMS_SESSION_IDLE_MINUTES"
    idle_minutes = config[idle_key]
    max_hours = config["LMS_SESSION_MAX_HOURS"]
    ended = None
    if now - seen_at > idle_minutes * 60:
        ended = ("idle", idle_minutes)
    elif now - login_at > max_hours * 3600 and not (at_work and session.get("work")):
        ended = ("max", max_hours)
    if ended:
        from flask_login import logout_user

        lang = session.get("lang")
        logout_user()
        session.clear()
        if lang:
            session["lang"] = lang
        session["ended"] = list(ended)
        return None  # the request goes on as anonymous: pages redirect to the login page
    if session.get("work") != at_work:
        session["work"] = at_work
    if now - seen_at >= 30:  # refresh at most every 30 s: fewer new cookies
        session["seen_at"] = now
    return None


def session_ended_message() -> str | None:
    """For the login page: why the last session ended (idle or lifetime), else None."""
    ended = session.get("ended")
    if not isinstance(ended, list) or len(ended) != 2 or ended[0] not in SESSION_ENDED:
        return None
    return str(SESSION_ENDED[ended[0]]) % {"n": ended[1]}


def start_session_clock() -> None:
    """On login: the lifetime starts now."""
    now = int(time.time())
    session["login_at"] = session["seen_at"] = now
    session.pop("ended", None)


@core.get("/session/alive")
@requires(LOGIN)
def keep_alive():
    """Pinged by the quiz page's script while an attempt is open: the request itself refreshes
    the session (a work request). 204, no body."""
    return "", 204


def _force_password_change():
    """An account with a temporary password may do nothing else until it sets its own; a view
    with ``requires(..., fast=...)`` checks it itself (its fast statement, else the usual way)."""
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "lms_checks_login_first", False):
        return None
    return password_change_redirect()


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if response.mimetype == "text/html":
        headers["Content-Security-Policy"] = CSP
        headers.setdefault("Cache-Control", "no-store")
    return response


def _render_error(status: int, title: str, message: str):
    return render_template("errors/error.html", status=status, title=title, message=message), status


ERROR_TITLES = {
    400: _l("Yêu cầu không hợp lệ"),
    401: _l("Cần đăng nhập"),
    403: _l("Không có quyền truy cập"),
    404: _l("Không tìm thấy trang"),
    405: _l("Thao tác không được phép"),
    409: _l("Xung đột dữ liệu"),
    413: _l("Tệp quá lớn"),
    429: _l("Thao tác quá nhiều lần"),
    500: _l("Lỗi hệ thống"),
}
ERROR_MESSAGES = {
    400: _l("Dữ liệu gửi lên không hợp lệ. Vui lòng quay lại và thử lại."),
    401: _l("Vui lòng đăng nhập để tiếp tục."),
    403: _l("Tài khoản của đồng chí không được phép xem hoặc thao tác nội dung này."),
    404: _l("Trang đồng chí tìm không tồn tại hoặc đã được chuyển đi."),
    405: _l("Thao tác này không được phép trên trang này."),
    413: _l("Tệp tải lên vượt quá dung lượng cho phép."),
    429: _l("Đồng chí đã thao tác quá nhiều lần. Vui lòng chờ ít phút rồi thử lại."),
    500: _l("Đã có lỗi ngoài ý muốn. Dữ liệu của đồng chí chưa bị mất; vui lòng thử lại sau ít phút."),
}


def _domain_error(error: LmsError):
    db.session.rollback()
    return _render_error(error.status, ERROR_TITLES.get(error.status, _("Lỗi")), error.message)


def _data_error(error: DataError):
    """A value the database cannot hold (e.g. a number past INTEGER) is bad input, not a crash."""
    log.warning("bad input refused by the database on %s %s: %s", request.method, request.path, error.orig)
    db.session.rollback()
    return _render_error(400, ERROR_TITLES[400], ERROR_MESSAGES[400])


def _csrf_error(error: CSRFError):
    if request.is_json or request.accept_mimetypes.best == "application/json":
        # an autosave from a page whose session ended (logout in another tab, a timeout): the
        # page keeps what was typed and says so (static/js/journal.js reads "reason")
        return {"error": _("Phiên làm việc đã hết hạn"), "reason": "session"}, 400
    return _render_error(
        400,
        _("Phiên làm việc đã hết hạn"),
        _("Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và gửi lại."),
    )


def _http_error(error: HTTPException):
    status = error.code or 500
    if request.path.startswith("/static/") or request.accept_mimetypes.best == "application/json":
        return {"error": str(ERROR_MESSAGES.get(status, error.description))}, status
    return _render_error(status, ERROR_TITLES.get(status, error.name), ERROR_MESSAGES.get(status, ""))


def _unexpected_error(error: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path)
    db.session.rollback()
    return _render_error(500, ERROR_TITLES[500], ERROR_MESSAGES[500])


def _vndate(value: dt.date | None) -> str:
    return format_date(value, "dd/MM/yyyy") if value else "—"


def _vndatetime(value: dt.datetime | None) -> str:
    return format_datetime(value, "HH:mm dd/MM/yyyy") if value else "—"


def _vnnumber(value, places: int = 2, signed: bool = False, trim: bool = False) -> str:
    """The one way a page shows a score, points, a weight or an average: the request's locale
    ("8,88" in Vietnamese, "8.88" in English); ``signed`` puts "+" on a positive number (a gain).
    A score on the 10-point scale keeps its two decimals ("7,00", as the quizzes show it);
    ``trim`` drops trailing zeros for a number that is not one, points as an author writes them
    on a rubric level ("2", "2,5") or a rate in a report table ("50", "33,3"). A value kept as
    text ("7.50", in JSON) is read as a number first."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = decimal.Decimal(value)
    text = _format_number(value, places, str(get_locale() or "vi"), trim)
    return f"+{text}" if signed and value > 0 else text


def _vnpercent(value, places: int = 1) -> str:
    """A percentage given in percent, written the way Unicode CLDR writes it for the request's
    locale: the sign right after the number in both ("#,##0%"), 87.5 → "87,5%" in Vietnamese (as
    the users' own articles and the shipped content write "8%"), "87.5%" in English. Trailing
    zeros dropped."""
    if value is None or value == "":
        return "—"
    locale = str(get_locale() or "vi")
    text = babel_format_decimal(value, format="#,##0." + "#" * places if places else "#,##0", locale=locale)
    return f"{text}%"


def _vnpercent_text(value: str | None) -> str:
    """A sentence written by the code with percentages in it (a certificate reason, "chuyên cần
    0% < 100% yêu cầu"), left as it is: the code writes "0%", which is already how CLDR's
    Vietnamese pattern and the users write a percentage, so there is nothing to change. Kept so
    that a template that pipes a sentence through ``vnpercent_text`` keeps working."""
    return value or ""


@functools.lru_cache(maxsize=4096)
def _format_number(value, places: int, locale: str, trim: bool = False) -> str:
    # Babel's formatting is slow (a quiz page formats each question's points: ~6 ms a page);
    # the result depends only on these arguments, so it is memoized
    digits = ("#" if trim else "0") * places
    return babel_format_decimal(value, format="#,##0." + digits if places else "#,##0", locale=locale)


# --- routes that belong to no feature -----------------------------------------------------


@core.get("/healthz")
@requires(PUBLIC)
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # the balancer only needs to know we cannot serve
        log.exception("health check failed")
        return Response("database unavailable", status=503, mimetype="text/plain")
    return Response("ok", mimetype="text/plain")


@core.get("/")
@requires(PUBLIC)
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    from sqlalchemy import select

    from lms.org.models import CadreProfile

    has_profile = (
        db.session.scalar(select(CadreProfile.id).where(CadreProfile.user_id == current_user.id)) is not None
    )
    from lms.review.services import count as review_count

    return render_template(
        "home.html", has_profile=has_profile, review_count=review_count(db.session, current_user)
    )


@core.post("/lang/<code>")
@requires(PUBLIC)
def set_language(code: str):
    if code not in LANGUAGES:
        abort(404)
    session["lang"] = code
    return redirect(local_target(request.form.get("next")))


def is_local_url(target: str | None) -> bool:
    """A redirect target from the user that stays on this site: a path (``/…``) with no
    scheme, no host, no backslash, no control character and no whitespace. Browsers drop a
    tab or newline inside a URL (``/\t/evil.example`` becomes ``//evil.example``, another
    host) and treat ``\\`` as ``/``; a newline in a ``Location`` header is a server error."""
    if not isinstance(target, str) or not target.startswith("/") or len(target) > 2000:
        return False
    if target.startswith("//") or "\\" in target:
        return False
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def local_target(target: str | None, default: str | None = None) -> str:
    """The one way to redirect where the user asked: ``target`` when it is a path on this
    site, else ``default`` (the home page). Every redirect target that comes from a request
    (``?next=``, a form's ``next``) goes through here."""
    if is_local_url(target):
        return target
    return default or url_for("core.home")


MAX_PAGE = 100_000  # a page number beyond this is an empty page, never an SQL overflow
MAX_ARG = 200  # characters of a free-text query parameter (search boxes, categories, tags)


def page_arg(name: str = "page") -> int:
    """``?page=`` as a page number from 1 to ``MAX_PAGE``: not a whole number → 1, a number
    too large (30 digits) → ``MAX_PAGE`` (an empty page, not an overflow in the database)."""
    raw = (request.args.get(name) or "").strip()
    if not raw.isascii() or not raw.isdigit():
        return 1
    if len(raw) > 6:
        return MAX_PAGE
    return min(max(int(raw), 1), MAX_PAGE)


def text_arg(name: str, limit: int = MAX_ARG) -> str:
    """A free-text query parameter, stripped and cut to ``limit`` characters (a 100,000
    character ``LIKE`` pattern is an error in SQLite)."""
    return (request.args.get(name) or "").strip()[:limit]


MAX_DB_INT = 2_147_483_647  # an INTEGER column


def checked_filters(form, keep: tuple[str, ...] = ()) -> bool:
    """Validate a GET filter form (``Form(request.args)``); a field that fails (an id that is
    not one of the choices, a 30-digit number, a name over its length) is shown with its error
    and ignored (its data set to None), so no invalid value reaches a query. Fields in ``keep``
    keep an integer that fits the database (the view checks it, e.g. a unit outside the scope
    is a 403), anything else becomes None."""
    valid = form.validate()
    for field in form:
        if not field.errors:
            continue
        if field.name in keep and isinstance(field.data, int) and 0 < field.data <= MAX_DB_INT:
            continue
        field.data = None
    return valid


def client_address() -> str:
    return request.remote_addr or "unknown"


def page_title(*parts: str) -> str:
    return " · ".join([*parts, _("Bồi dưỡng cán bộ cấp xã")])


def now() -> dt.datetime:
    """The clock services receive; tests may pin it with g.now."""
    return g.get("now") or dt.datetime.now(dt.UTC)

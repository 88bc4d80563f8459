"""In the real browser: cadres named after XSS vectors, listed on /cadres, run nothing.

About 60 vectors from the rendered sample (the hand-picked NASTIEST first) plus FLAG_VECTORS,
whose payload would set ``window.__xss`` or log "xss", become cadre profiles in the live
server's own database (through its app context); the admin opens every page of the cadre list
filtered to their unit. No dialog may open, no console message may mention "xss", no request may
leave the server, ``window.__xss`` must stay undefined, and each name must come back as text.
"""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

import pytest

from lms.demo import DEMO_LOGINS
from tests.e2e.helpers import login
from tests.security.xss import FLAG_VECTORS, NASTIEST, rendered_sample

pytestmark = pytest.mark.e2e

NAME_MAX = 200
BROWSER_SAMPLE = 60
ADMIN_USER, ADMIN_PASSWORD, _ = DEMO_LOGINS[0]


def browser_vectors() -> list[str]:
    picked: list[str] = []
    for vector in [*NASTIEST, *(v for _, v in rendered_sample())]:
        name = vector.strip()
        if len(picked) < BROWSER_SAMPLE and len(name) <= NAME_MAX and name not in picked:
            picked.append(name)
    return picked + [v for v in FLAG_VECTORS if v not in picked]


def _live_app(base_url: str):
    """The Flask app behind ``live_server`` (the fixture yields only its URL)."""
    port = urlsplit(base_url).port
    for thread in threading.enumerate():
        server = getattr(getattr(thread, "_target", None), "__self__", None)
        if thread.name == "lms-live-server" and getattr(server, "server_port", None) == port:
            return server.app
    raise AssertionError(f"no live server thread serving port {port}")


@pytest.fixture()
def xss_cadres(live_server):
    """A unit of its own with one cadre per vector, committed; removed again afterwards."""
    from sqlalchemy import select

    from lms.db import db
    from lms.org.models import CadreProfile, Unit
    from lms.org.services import create_unit

    app = _live_app(live_server)
    names = browser_vectors()
    with app.app_context():
        session = db.new_session()
        try:
            province = session.scalar(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id))
            unit = create_unit(session, code="xss-test", name="Xã Thử XSS", kind="commune", parent=province)
            for name in names:
                profile = CadreProfile(birth_year=1980, gender="nam", unit=unit)
                profile.set_name(name)
                session.add(profile)
            session.commit()
            unit_id = unit.id
        finally:
            session.close()
    yield unit_id, names
    with app.app_context():
        session = db.new_session()
        try:
            for profile in session.scalars(select(CadreProfile).where(CadreProfile.unit_id == unit_id)):
                session.delete(profile)
            session.delete(session.get(Unit, unit_id))
            session.commit()
        finally:
            session.close()


DOM_CHECK = """() => {
    const bad = [];
    for (const el of document.querySelectorAll('main *')) {
        const tag = el.localName;
        if (['script', 'iframe', 'object', 'embed', 'svg', 'math', 'style', 'base', 'meta', 'link',
             'img', 'details', 'input', 'noscript', 'template'].includes(tag)
            && !el.closest('form.filters')) bad.push('<' + tag + '>');
        for (const attr of el.attributes) {
            if (attr.name.startsWith('on') || attr.name === 'srcdoc') bad.push(tag + '[' + attr.name + ']');
            if (['href', 'src', 'action', 'formaction'].includes(attr.name)
                && /^(javascript|vbscript|data):/i.test(attr.value.replace(/[\\s\\x00-\\x1f]/g, '')))
                bad.push(tag + '[' + attr.name + '=' + attr.value + ']');
        }
    }
    return bad;
}"""


def test_vector_names_in_the_cadre_list_run_nothing(page, live_server, page_problems, xss_cadres):
    unit_id, names = xss_cadres
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    login(page, live_server, ADMIN_USER, ADMIN_PASSWORD)
    assert page.url == f"{live_server}/"

    shown: list[str] = []
    problems: list[str] = []
    number = 1
    while True:
        response = page.goto(f"{live_server}/cadres?unit_id={unit_id}&page={number}")
        assert response is not None and response.status == 200
        page.wait_for_load_state("load")
        page.wait_for_timeout(250)  # let any autofocus/animation/error event fire
        if page.evaluate("() => typeof window.__xss") != "undefined":
            problems.append(f"page {number}: window.__xss was set")
        problems += [f"page {number}: {item}" for item in page.evaluate(DOM_CHECK)]
        shown += page.locator("main ul.rows li strong").all_text_contents()
        if page.locator("nav.pager a", has_text="Trang sau").count() == 0:
            break
        number += 1

    assert not problems, "\n".join(problems)
    assert not page_problems.dialogs, page_problems.dialogs
    assert not [m for m in console if "xss" in m.lower()], console
    assert sorted(shown) == sorted(names), "the list does not show every name back as text"

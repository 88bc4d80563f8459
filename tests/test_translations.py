"""The English catalog: complete, faithful to its placeholders, in step with the code, and used.

Source strings are Vietnamese; `lms/translations/messages.pot` is the template extracted from the
code and `lms/translations/en/LC_MESSAGES/messages.po` its English translation (README: "Language").
"""

from __future__ import annotations

import html
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.fixtures import csrf_token

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "lms" / "translations"
POT = TRANSLATIONS / "messages.pot"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
# the keywords of the extract command in the README: _l and lazy_gettext on top of Babel's defaults
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[sdifr]|%[sdifr]|\{[A-Za-z_]\w*\}")
TAG = re.compile(r"</?[A-Za-z][^>]*>")
FIX = "run the extract/update/translate/compile steps of README.md (section Language)"


@cache
def template():
    with POT.open("rb") as f:
        return read_po(f)


@cache
def english():
    with PO.open("rb") as f:
        return read_po(f)


def singular(text: str | tuple | list) -> str:
    """A plural entry (ngettext) is known by its singular msgid."""
    return text if isinstance(text, str) else text[0]


def forms(message) -> list[tuple[str, str]]:
    """(msgid, msgstr) pairs of an entry: one, or for a plural entry each English form with its
    source form (singular with the first, plural with the others)."""
    if isinstance(message.id, str):
        return [(message.id, message.string or "")]
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return [(message.id[min(i, 1)], s or "") for i, s in enumerate(strings)]


def msgids(catalog) -> set[str]:
    return {singular(m.id) for m in catalog if m.id}


def translation(msgid: str) -> str:
    message = english().get(msgid)
    assert message is not None and message.string, f"no English for {msgid!r}"
    return message.string if isinstance(message.string, str) else message.string[-1]  # plural: "other"


# --- the catalog ---------------------------------------------------------------------------


def test_template_matches_the_code():
    """A string wrapped in _() but missing from messages.pot would never be translated."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(str(ROOT / "lms"), method_map, options_map, keywords=KEYWORDS)
    }
    assert found, "nothing extracted: is babel.cfg right?"
    assert sorted(found - msgids(template())) == [], f"strings missing from messages.pot: {FIX}"
    assert sorted(msgids(template()) - found) == [], f"stale strings in messages.pot: {FIX}"


def test_every_template_string_has_an_english_translation():
    catalog = english()
    missing = [
        m
        for m in msgids(template())
        if catalog.get(m) is None or not all(string for _, string in forms(catalog.get(m)))
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert sorted(missing) == [], f"untranslated in en/messages.po: {FIX}"
    assert sorted(fuzzy) == [], "fuzzy entries are pybabel's guesses: check each one, then drop the flag"


def test_translations_keep_placeholders_and_markup():
    wrong = [
        (msgid, string)
        for m in english()
        if m.id
        for msgid, string in forms(m)
        if string
        and (
            sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(string))
            or sorted(TAG.findall(msgid)) != sorted(TAG.findall(string))
        )
    ]
    assert wrong == []


def test_placeholder_check_catches_a_dropped_or_renamed_placeholder():
    def same(msgid, msgstr):
        return sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr))

    assert same("Đã nhập %(n)s tài khoản", "Imported %(n)s accounts")
    assert not same("Đã nhập %(n)s tài khoản", "Imported accounts")
    assert not same("Trang %(p)s / %(n)s", "Page %(page)s of %(n)s")
    assert same("Tỷ lệ chuyên cần tối thiểu (%)", "Minimum attendance rate (%)")


def test_compiled_catalog_matches_the_po_file():
    """The app reads the .mo (git-ignored, built by `make translations`), not the .po."""
    assert MO.exists(), "messages.mo missing: run `make translations`"
    with MO.open("rb") as f:
        compiled = {(m.context, singular(m.id)): forms(m) for m in read_mo(f) if m.id}
    written = {(m.context, singular(m.id)): forms(m) for m in english() if m.id and m.string and not m.fuzzy}
    assert compiled == written, "messages.mo is older than messages.po: run `make translations`"


# --- pages in English ----------------------------------------------------------------------


class _Texts(HTMLParser):
    """Every text node and every human-readable attribute of a page, whitespace collapsed."""

    ATTRIBUTES = {"aria-label", "title", "placeholder", "alt"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if (name in self.ATTRIBUTES or name.startswith("data-msg-")) and value:
                self.texts.add(" ".join(value.split()))

    def handle_data(self, data):
        if data.strip():
            self.texts.add(" ".join(data.split()))


def leftover_catalog_strings(page: str) -> list[str]:
    """Catalog strings without placeholders that stand alone, untranslated, in a text node or label."""
    parser = _Texts()
    parser.feed(page)
    plain = {m.id: m.string for m in english() if isinstance(m.id, str) and not PLACEHOLDER.search(m.id)}
    return sorted(t for t in parser.texts if t in plain and plain[t] != t)


def pattern(message: str) -> re.Pattern:
    """A catalog string as it appears once formatted: each placeholder matches any value."""
    parts = PLACEHOLDER.split(message)
    return re.compile(".+?".join(re.escape(" ".join(part.split())) for part in parts))


def assert_english(page: str, msgids: list[str]) -> None:
    text = " ".join(html.unescape(page).split())
    for msgid in msgids:
        assert pattern(translation(msgid)).search(text), f"English for {msgid!r} missing"
        assert not pattern(msgid).search(text), f"Vietnamese {msgid!r} left on the page"
    assert leftover_catalog_strings(page) == []


@pytest.fixture()
def english_client(client):
    token = csrf_token(client, "/login")
    response = client.post("/lang/en", data={"csrf_token": token, "next": "/login"})
    assert response.status_code == 302
    return client


def get(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    page = response.get_data(as_text=True)
    assert '<html lang="en">' in page
    return page


def test_login_page_in_english(english_client):
    page = get(english_client, "/login")
    assert_english(
        page,
        [
            "Bồi dưỡng cán bộ cấp xã",
            "Hệ thống bồi dưỡng, kiểm tra và đánh giá cán bộ, công chức cấp xã.",
            "Tên đăng nhập hoặc số điện thoại",
            "Mật khẩu",
            "Quên mật khẩu? Liên hệ quản trị viên của đơn vị để được cấp lại.",
        ],
    )


def test_learner_home_in_english(english_client, login_as, world, factory, session):
    factory.profile(user=world.users["learner"])
    session.commit()
    login_as(world.users["learner"])
    page = get(english_client, "/")
    assert_english(
        page,
        [
            "Xin chào, %(name)s",
            "Khóa học của tôi",
            "Lớp đang học, chuyên đề, tài liệu và tiến độ",
            "Kết quả của tôi",
            "Hồ sơ của tôi",
            "Xử lý tình huống",
            "Kiểm tra đầu vào, đầu ra, luyện tập",
            "Bỏ qua, tới nội dung chính",
            "Đang đăng nhập:",
            "Đăng xuất",
        ],
    )
    assert "Quản lý tài khoản" not in page  # a learner's page: the admin cards are not there at all


def test_quiz_list_and_attempt_in_english(english_client, login_as, world, factory, session):
    from tests.quizzes.helpers import load_sample, make_quiz

    load_sample(session)
    factory.profile(user=world.users["learner"])
    quiz = make_quiz(
        session, world.commune_a, codes=["kt-1", "kt-2"], time_limit_minutes=30, attempts_allowed=2
    )
    session.commit()
    login_as(world.users["learner"])
    listing = get(english_client, "/quizzes")
    assert quiz.title in listing  # the quiz's own title is data: it stays Vietnamese
    assert_english(listing, ["Bài kiểm tra", "%(num)s phút", "được làm %(n)s lần", "Bắt đầu làm bài"])

    token = csrf_token(english_client, "/quizzes")
    response = english_client.post(f"/quizzes/{quiz.public_id}/start", data={"csrf_token": token})
    attempt = get(english_client, response.headers["Location"])
    assert_english(
        attempt,
        [
            "Hạn nộp bài:",
            "Đã trả lời %(a)s/%(n)s câu",
            "Câu %(n)s",
            "Nộp bài",
            # the messages quiz.js shows come from the page, so they follow its language
            "Đã lưu",
            "Chưa lưu — mất kết nối, sẽ gửi lại",
            "Nộp bài? Sau khi nộp đồng chí không sửa được câu trả lời.",
            "Còn lại:",
        ],
    )


def test_scenario_list_in_english(english_client, login_as, world, session):
    from tests.scenarios.helpers import import_good

    scenario = import_good(session, world.province)
    session.commit()
    login_as(world.users["learner"])
    page = get(english_client, "/scenarios/")
    assert scenario.title in page
    assert_english(
        page,
        [
            "Xử lý tình huống",
            "Mỗi tình huống là một vụ việc thực tế ở cấp xã: đọc diễn biến, đưa ra quyết định, "
            "xem hậu quả và nhận xét của chuyên gia.",
            "Tài khoản chưa gắn với hồ sơ cán bộ nên chỉ luyện tập được (không ghi kết quả).",
            "Khoảng %(m)s phút",
            "cập nhật đến %(d)s",
        ],
    )


def test_error_page_in_english(english_client):
    response = english_client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert_english(
        response.get_data(as_text=True),
        ["Không tìm thấy trang", "Trang đồng chí tìm không tồn tại hoặc đã được chuyển đi.", "Về trang chủ"],
    )


def test_leftover_check_finds_an_untranslated_label():
    page = '<h1>Tests</h1><p aria-label="Bảng dữ liệu, có thể cuộn ngang">x</p><p>Kiểm tra thử</p>'
    assert leftover_catalog_strings(page) == ["Bảng dữ liệu, có thể cuộn ngang"]

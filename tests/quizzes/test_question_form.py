"""The per-field question form (/quizzes/bank/new/<type>, /quizzes/bank/<id>/form) and the tag
filter of the bank page. A question made with the form must be stored exactly as the GIFT importer
stores the same question, then work in an attempt; bad input gives Vietnamese messages, no 500."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from lms.audit import AuditEntry
from lms.quizzes import gift, services
from lms.quizzes.models import Attempt, Question, QuestionVersion
from lms.quizzes.qtypes import get_type
from tests.fixtures import csrf_token
from tests.quizzes.helpers import NOW, load_sample, make_quiz, single
from tests.security.routes import rules

ROWS = 6


def choice_rows(*rows, right=None):
    """Form fields of the choice rows: each row (text, correct, weight, feedback), padded with
    empty rows as the page sends them; ``right`` is the index of the radio button (single)."""
    fields = {}
    padded = list(rows) + [("", False, "", "")] * (ROWS - len(rows))
    for n, (text, correct, weight, feedback) in enumerate(padded):
        fields[f"choices-{n}-text"] = text
        fields[f"choices-{n}-weight"] = weight
        fields[f"choices-{n}-feedback"] = feedback
        if correct:
            fields[f"choices-{n}-correct"] = "y"
    if right is not None:
        fields["right"] = str(right)
    return fields


def base(code, text, **extra):
    return {
        "code": code,
        "category": "",
        "new_category": "Kiểm tra thử/Biểu mẫu",
        "tags": "Kiem-Tra, dang-vien",
        "text": text,
        "points": "1",
        "general_feedback": "",
        **extra,
    }


# qtype -> (form fields, the same question in GIFT, the right answer as fields of an attempt)
CASES = {
    "single": (
        base(
            "bm-single",
            "Cơ quan nào kiểm tra đảng viên ở <strong>xã</strong>?",
            general_feedback="Xem Điều lệ Đảng.",
            **choice_rows(
                ("Ủy ban Kiểm tra Đảng ủy xã", False, "", "Đúng theo Điều lệ."),
                ("Hội đồng nhân dân xã", False, "", "HĐND không kiểm tra đảng viên."),
                ("Mặt trận Tổ quốc xã", False, "", ""),
                right=0,
            ),
        ),
        """// [tag:kiem-tra]
// [tag:dang-vien]
::bm-single::Cơ quan nào kiểm tra đảng viên ở <strong>xã</strong>?{
=Ủy ban Kiểm tra Đảng ủy xã#Đúng theo Điều lệ.
~Hội đồng nhân dân xã#HĐND không kiểm tra đảng viên.
~Mặt trận Tổ quốc xã
####Xem Điều lệ Đảng.
}""",
        {"choices": ["c1"]},
    ),
    "multi": (
        base(
            "bm-multi",
            "Những việc nào là nhiệm vụ của chi bộ?",
            **choice_rows(
                ("Giáo dục đảng viên", True, "", ""),
                ("Quản lý đảng viên", True, "", "Đúng."),
                ("Phát triển đảng viên", True, "", ""),
                ("Xét xử vi phạm hành chính", False, "", "Sai."),
                ("Cấp giấy phép xây dựng", False, "-100", ""),
            ),
        ),
        """// [tag:kiem-tra]
// [tag:dang-vien]
::bm-multi::Những việc nào là nhiệm vụ của chi bộ?{
~%33.33333%Giáo dục đảng viên
~%33.33333%Quản lý đảng viên#Đúng.
~%33.33333%Phát triển đảng viên
~Xét xử vi phạm hành chính#Sai.
~%-100%Cấp giấy phép xây dựng
}""",
        {"choices": ["c1", "c2", "c3"]},
    ),
    "truefalse": (
        base(
            "bm-tf",
            "Ủy ban Kiểm tra do đại hội bầu ra.",
            answer="false",
            feedback_true="Sai rồi: do cấp ủy bầu.",
            feedback_false="Đúng.",
        ),
        """// [tag:kiem-tra]
// [tag:dang-vien]
::bm-tf::Ủy ban Kiểm tra do đại hội bầu ra.{FALSE#Sai rồi: do cấp ủy bầu.#Đúng.}""",
        {"value": "false"},
    ),
    "short": (
        base(
            "bm-short",
            "Thủ đô của Việt Nam là gì?",
            answers="Hà Nội\r\n\r\nThành phố Hà Nội\r\nhà nội",
            ignore_diacritics="y",
        ),
        """// [tag:kiem-tra]
// [tag:dang-vien]
// [option:ignore_diacritics]
::bm-short::Thủ đô của Việt Nam là gì?{=Hà Nội =Thành phố Hà Nội}""",
        {"value": "ha noi"},
    ),
    "numerical": (
        base("bm-num", "Tỷ lệ tối thiểu là bao nhiêu?", points="0,5", value="0,5", tolerance="0,1"),
        """// [tag:kiem-tra]
// [tag:dang-vien]
// [points:0.5]
::bm-num::Tỷ lệ tối thiểu là bao nhiêu?{#0.5:0.1}""",
        {"value": "0,55"},
    ),
    "essay": (
        base("bm-essay", "Trình bày cách xử lý khiếu nại về đất đai.", rubric="4 điểm: nêu đúng căn cứ."),
        """// [tag:kiem-tra]
// [tag:dang-vien]
// rubric: 4 điểm: nêu đúng căn cứ.
::bm-essay::Trình bày cách xử lý khiếu nại về đất đai.{}""",
        {"value": "Bài viết"},
    ),
}


def post(client, url, fields, token=None):
    token = token or csrf_token(client, url)
    return client.post(url, data={"csrf_token": token, "action": "save", **fields})


def question(session, code) -> Question | None:
    session.expire_all()
    return session.scalar(select(Question).where(Question.code == code))


def stored(q: Question) -> dict:
    v = q.latest
    return {
        "category": q.category.path,
        "tags": q.tags,
        "qtype": v.qtype,
        "title": v.title,
        "text_html": v.text_html,
        "general_feedback_html": v.general_feedback_html,
        "data": json.loads(v.data_json),
        "default_points": v.default_points,
    }


@pytest.fixture()
def instructor(client, login_as, world, session):
    single(session, "co-san", category="Thử")  # an existing category and code
    session.commit()
    return login_as(world.users["instructor"])


@pytest.mark.parametrize("qtype", list(CASES))
def test_form_stores_what_the_gift_importer_stores(instructor, session, world, qtype):
    fields, source, _ = CASES[qtype]
    response = post(instructor, f"/quizzes/bank/new/{qtype}", fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    made = question(session, fields["code"])
    assert response.headers["Location"].endswith(f"/quizzes/bank/{made.public_id}/form")
    assert made.latest.qtype == qtype and made.latest.version == 1
    items, problems = gift.parse(f"$CATEGORY: Kiểm tra thử/Biểu mẫu\n\n{source}\n", "test.gift")
    assert not problems and len(items) == 1
    item = items[0]
    item.code += "-gift"
    imported = services.save_question(session, None, item, NOW)[0]
    expected = stored(imported)
    expected["title"] = expected["title"].replace("-gift", "")  # only when the title falls back to the code
    assert stored(made) == expected
    assert made.tag_list == ["dang-vien", "kiem-tra"]
    audit = session.scalar(
        select(AuditEntry).where(AuditEntry.action == "question.create", AuditEntry.object_id == str(made.id))
    )
    assert audit.actor_id == world.users["instructor"].id


def test_questions_made_with_the_form_are_taken_and_graded(instructor, session, world, factory):
    for qtype, (fields, _, _) in CASES.items():
        assert post(instructor, f"/quizzes/bank/new/{qtype}", fields).status_code == 302, qtype
    quiz = make_quiz(
        session, world.commune_a, codes=[c[0]["code"] for c in CASES.values()], purpose="practice"
    )
    session.commit()
    learner = world.users["learner"]
    attempt = services.start_attempt(session, learner, quiz, NOW)
    answers = {fields["code"]: response for fields, _, response in CASES.values()}
    items = []
    for slot in attempt.slots:
        response = answers[slot.version.question.code]
        qtype = get_type(slot.version.qtype, slot.version.data)
        if "choices" in response:  # the page numbers choices by display position
            shown = qtype.shown_ids(slot.order)
            values = [str(shown.index(choice)) for choice in response["choices"]]
        else:
            values = [response["value"]]
        items.append((slot.position, {f"q{slot.position}": values}, 1))
    services.save_answers(session, attempt, items, NOW)
    services.submit_attempt(session, attempt, NOW)
    grades = {slot.version.question.code: slot.fraction for slot in attempt.slots}
    assert grades == {
        "bm-single": 1.0,
        "bm-multi": pytest.approx(1.0, abs=1e-6),
        "bm-tf": 1.0,
        "bm-short": 1.0,  # "ha noi" accepted: ignore_diacritics was ticked
        "bm-num": 1.0,  # 0,55 within 0,5 ± 0,1
        "bm-essay": None,  # waits for a grader
    }
    assert attempt.pending and attempt.max_points == 6


def invalid(qtype, **changes):
    fields = dict(CASES[qtype][0])
    if any(key.startswith("choices-") and key.endswith("-text") for key in changes):
        fields = {k: v for k, v in fields.items() if not k.startswith("choices-") and k != "right"}
    fields.update(changes)
    return fields


BAD = [
    ("single", invalid("single", right=""), "Chọn phương án đúng"),
    (
        "single",
        invalid("single", **choice_rows(("Chỉ một phương án", False, "", ""), right=0)),
        "Cần ít nhất 2 phương án",
    ),
    ("single", invalid("single", right="4"), "Phương án này chưa có nội dung"),
    ("single", invalid("single", **{"choices-1-weight": "100"}), "Chỉ phương án đúng được 100%"),
    (
        "multi",
        invalid("multi", **choice_rows(("A", False, "", ""), ("B", False, "", ""))),
        "Đánh dấu ít nhất một phương án đúng",
    ),
    (
        "multi",
        invalid("multi", **choice_rows(("A", True, "60", ""), ("B", True, "60", ""), ("C", False, "", ""))),
        "Tổng trọng số các phương án đúng phải là 100% (đang là 120%)",
    ),
    ("multi", invalid("multi", **{"choices-3-weight": "50"}), "Phương án sai cần trọng số âm"),
    ("multi", invalid("multi", **{"choices-0-weight": "abc"}), "Trọng số là số phần trăm"),
    ("single", invalid("single", code="co-san"), "Mã câu hỏi này đã có trong ngân hàng"),
    ("single", invalid("single", code="  "), "Nhập mã câu hỏi"),
    ("single", invalid("single", code="x" * 121), "Tối đa 120 ký tự"),
    ("numerical", invalid("numerical", value="năm"), "Đáp số phải là một số"),
    ("numerical", invalid("numerical", value=""), "Đáp số phải là một số"),
    ("numerical", invalid("numerical", tolerance="-1"), "Sai số cho phép không được âm"),
    ("numerical", invalid("numerical", tolerance="±1"), "Sai số phải là một số"),
    ("single", invalid("single", text="   "), "Nhập nội dung câu hỏi"),
    ("essay", invalid("essay", text="<script></script>"), "Nhập nội dung câu hỏi"),
    ("truefalse", invalid("truefalse", answer=""), "Chọn đáp án đúng"),
    ("short", invalid("short", answers=" \n "), "Nhập ít nhất một câu trả lời"),
    ("essay", invalid("essay", new_category=""), "Chọn một nhóm có sẵn"),
    ("essay", invalid("essay", new_category="", category="Không có"), "Nhóm này không có trong ngân hàng"),
    ("essay", invalid("essay", new_category=" / "), "Tên nhóm mới không hợp lệ"),
    ("essay", invalid("essay", points="0"), "Điểm mặc định là một số lớn hơn 0"),
    ("essay", invalid("essay", points="NaN"), "Điểm mặc định là một số lớn hơn 0"),
    ("essay", invalid("essay", tags="a" * 401), "Tối đa 400 ký tự"),
]


@pytest.mark.parametrize(("qtype", "fields", "message"), BAD, ids=[f"{b[0]}-{b[2][:30]}" for b in BAD])
def test_bad_input_is_a_form_message_and_stores_nothing(instructor, session, qtype, fields, message):
    count = session.scalar(select(func.count(QuestionVersion.id)))
    audits = session.scalar(select(func.count(AuditEntry.id)))
    response = post(instructor, f"/quizzes/bank/new/{qtype}", fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html, html[html.find("<main") :][:3000]
    assert "Chưa lưu được câu hỏi" in html
    session.expire_all()
    assert session.scalar(select(func.count(QuestionVersion.id))) == count
    assert session.scalar(select(func.count(AuditEntry.id))) == audits
    assert question(session, "co-san").latest.version == 1  # the duplicate code left it alone


def test_existing_category_is_picked_from_the_list(instructor, session):
    fields = invalid("essay", new_category="", category="Thử")
    assert post(instructor, "/quizzes/bank/new/essay", fields).status_code == 302
    assert question(session, "bm-essay").category.path == "Thử"
    page = instructor.get("/quizzes/bank/new/essay?category=Thử").get_data(as_text=True)
    assert '<option selected value="Thử">' in page or '<option value="Thử" selected>' in page


def test_save_and_add_another(instructor, session):
    fields = dict(CASES["truefalse"][0], action="save_new")
    token = csrf_token(instructor, "/quizzes/bank/new/truefalse")
    response = instructor.post("/quizzes/bank/new/truefalse", data={"csrf_token": token, **fields})
    assert response.status_code == 302
    assert "/quizzes/bank/new/truefalse?category=" in response.headers["Location"]


def test_type_chooser_and_unknown_type(instructor):
    page = instructor.get("/quizzes/bank/new").get_data(as_text=True)
    for label in ("Một lựa chọn đúng", "Nhiều lựa chọn đúng", "Đúng/Sai", "Trả lời ngắn", "Số", "Tự luận"):
        assert label in page
    assert "Câu ghép đôi chỉ nhập được bằng GIFT" in page
    assert instructor.get("/quizzes/bank/new/matching").status_code == 404
    assert instructor.get("/quizzes/bank/new/x").status_code == 404
    form = instructor.get("/quizzes/bank/new/single").get_data(as_text=True)
    assert form.count('name="right"') == ROWS and "js/question_form.js" in form


def test_csrf_token_is_required(instructor, session):
    q = question(session, "co-san")
    for url in ("/quizzes/bank/new/single", f"/quizzes/bank/{q.public_id}/form"):
        response = instructor.post(url, data={"action": "save", **CASES["single"][0]})
        assert response.status_code == 400 and "Phiên làm việc đã hết hạn" in response.get_data(as_text=True)
    assert question(session, "bm-single") is None


def test_the_csrf_walk_of_tests_security_covers_the_new_routes(app):
    """tests/security/test_csrf_everywhere.py posts to every POST rule of app.url_map."""
    endpoints = {rule.endpoint for rule in rules(app, "POST")}
    assert {"quizzes.new_question", "quizzes.edit_question_form"} <= endpoints


@pytest.mark.parametrize("role", ["learner", "board", "approver"])
def test_only_authors_reach_the_form(client, login_as, world, session, role):
    q = single(session, "co-san", category="Thử")
    session.commit()
    login_as(world.users[role])
    token = csrf_token(client, "/")
    urls = ("/quizzes/bank/new", "/quizzes/bank/new/single", f"/quizzes/bank/{q.public_id}/form")
    for url in urls:
        assert client.get(url).status_code == 403, url
    for url in urls[1:]:
        response = client.post(url, data={"csrf_token": token, **CASES["single"][0]})
        assert response.status_code == 403, url
    assert question(session, "bm-single") is None
    assert question(session, "co-san").latest.version == 1


def test_anonymous_is_sent_to_login(client, world):
    assert client.get("/quizzes/bank/new/single").status_code == 302


# --- editing -------------------------------------------------------------------------------


class _FormValues(HTMLParser):
    """What a browser would send for the first POST form of a page, as it is shown."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self._in_form = self._done = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method") == "post" and not self._done:
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            if kind not in ("submit", "button"):
                self.fields.append((name, a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            text = "".join(self._text)
            self.fields.append((self._textarea, re.sub(r"^\r?\n", "", text)))  # as a browser drops it
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def shown_form(client, url) -> list[tuple[str, str]]:
    parser = _FormValues()
    parser.feed(client.get(url).get_data(as_text=True))
    return parser.fields


def resubmit(client, url, changes=None):
    fields = [(k, v) for k, v in shown_form(client, url) if k not in (changes or {})]
    fields += list((changes or {}).items()) + [("action", "save")]
    return client.post(url, data=MultiDict(fields))


EXTRA = """$CATEGORY: Thử/Trọng số

// [points:2,5]
::mr-3::Chọn các ý đúng{~%50%A#Hay ~%25%B ~%25%C ~D ~%-50%E}

::num-2::Bao nhiêu?{#=%100%30:2#Đúng. =%50%28..34#Gần đúng. ~#Xem lại đề.}
"""


@pytest.mark.parametrize(
    "code", ["kt-1", "kt-2", "kt-3", "dd-1", "dd-2", "dd-4", "dd-5", "dd-6", "mr-3", "num-2"]
)
def test_saving_the_form_unchanged_changes_nothing(instructor, session, code):
    """Everything the GIFT file gave the question survives a round trip through the form:
    tags, general feedback, custom weights (D keeps its default -1/3 exactly), partial answers,
    feedback, further numerical answers, rubric, points."""
    load_sample(session)
    items, problems = gift.parse(EXTRA, "extra.gift")
    assert not problems
    for item in items:
        services.save_question(session, None, item, NOW)
    session.commit()
    q = question(session, code)
    before = stored(q)
    url = f"/quizzes/bank/{q.public_id}/form"
    response = resubmit(instructor, url)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    follow = instructor.get(response.headers["Location"]).get_data(as_text=True)
    assert "Không có thay đổi" in follow
    assert stored(question(session, code)) == before


def test_editing_keeps_what_the_form_does_not_show(instructor, session):
    load_sample(session)
    session.commit()
    q = question(session, "dd-1")  # short: "Hà Nội" 100 %, "Ha Noi thu do" 50 %
    url = f"/quizzes/bank/{q.public_id}/form"
    page = instructor.get(url).get_data(as_text=True)
    assert "Ha Noi thu do" in page and "được 50%" in page  # listed as kept
    response = resubmit(instructor, url, {"answers": "Hà Nội\nThủ đô Hà Nội"})
    assert response.status_code == 302
    data = question(session, "dd-1").latest.data
    assert data["answers"] == [
        {"text": "Hà Nội", "fraction": 1.0, "feedback": ""},
        {"text": "Thủ đô Hà Nội", "fraction": 1.0, "feedback": ""},
        {"text": "Ha Noi thu do", "fraction": 0.5, "feedback": ""},
    ]
    assert data["ignore_diacritics"] is True
    kt1 = question(session, "kt-1")
    page = instructor.get(f"/quizzes/bank/{kt1.public_id}/form").get_data(as_text=True)
    assert "Xem Điều lệ Đảng, Chương VII." in page and "dang-vien" in page
    response = resubmit(instructor, f"/quizzes/bank/{kt1.public_id}/form", {"text": "Câu mới?"})
    assert response.status_code == 302
    kt1 = question(session, "kt-1")
    assert kt1.latest.general_feedback_html == "Xem Điều lệ Đảng, Chương VII." and kt1.tags == "dang-vien"
    assert kt1.latest.text_html == "Câu mới?" and kt1.latest.version == 1  # unused: edited in place


def test_custom_weights_are_shown_and_default_ones_are_not(instructor, session):
    load_sample(session)
    session.commit()
    kt2 = question(session, "kt-2")  # ~%50% ~%50% ~%-100%
    fields = dict(shown_form(instructor, f"/quizzes/bank/{kt2.public_id}/form"))
    assert [fields[f"choices-{n}-weight"] for n in range(3)] == ["50", "50", "-100"]
    assert "choices-0-correct" in fields and "choices-2-correct" not in fields
    assert post(instructor, "/quizzes/bank/new/multi", CASES["multi"][0]).status_code == 302
    made = question(session, "bm-multi")  # blank weights but one: shown as all custom
    fields = dict(shown_form(instructor, f"/quizzes/bank/{made.public_id}/form"))
    assert fields["choices-4-weight"] == "-100" and fields["choices-0-weight"] == "33,33333"
    assert post(instructor, "/quizzes/bank/new/single", CASES["single"][0]).status_code == 302
    plain = question(session, "bm-single")
    fields = dict(shown_form(instructor, f"/quizzes/bank/{plain.public_id}/form"))
    assert fields["right"] == "0" and all(fields[f"choices-{n}-weight"] == "" for n in range(ROWS))


def test_editing_a_used_question_makes_a_new_version(instructor, session, world):
    assert post(instructor, "/quizzes/bank/new/single", CASES["single"][0]).status_code == 302
    quiz = make_quiz(session, world.commune_a, codes=["bm-single"], purpose="practice")
    session.commit()
    attempt = services.start_attempt(session, world.users["learner"], quiz, NOW)
    session.commit()
    q = question(session, "bm-single")
    url = f"/quizzes/bank/{q.public_id}/form"
    page = instructor.get(url).get_data(as_text=True)
    assert "lưu thay đổi sẽ tạo phiên bản mới" in page
    response = resubmit(instructor, url, {"right": "1", "choices-3-text": "Chi bộ"})
    assert response.status_code == 302
    assert "đã tạo phiên bản mới" in instructor.get(response.headers["Location"]).get_data(as_text=True)
    q = question(session, "bm-single")
    assert [v.version for v in q.versions] == [1, 2]
    assert [c["fraction"] for c in q.versions[0].data["choices"]] == [1.0, 0.0, 0.0]
    assert [(c["text"], c["fraction"]) for c in q.latest.data["choices"]] == [
        ("Ủy ban Kiểm tra Đảng ủy xã", 0.0),
        ("Hội đồng nhân dân xã", 1.0),
        ("Mặt trận Tổ quốc xã", 0.0),
        ("Chi bộ", 0.0),
    ]
    slot = session.scalar(select(Attempt).where(Attempt.id == attempt.id)).slots[0]
    assert slot.version.version == 1  # the attempt keeps what it showed
    audit = session.scalar(select(AuditEntry).where(AuditEntry.action == "question.new_version"))
    assert audit is not None


def test_edit_form_errors_and_matching_stays_gift_only(instructor, session):
    load_sample(session)
    session.commit()
    kt1 = question(session, "kt-1")
    url = f"/quizzes/bank/{kt1.public_id}/form"
    response = resubmit(instructor, url, {"right": ""})
    assert response.status_code == 200 and "Chọn phương án đúng" in response.get_data(as_text=True)
    assert question(session, "kt-1").latest.data == kt1.latest.data
    dd3 = question(session, "dd-3")  # matching
    response = instructor.get(f"/quizzes/bank/{dd3.public_id}/form")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/quizzes/bank/{dd3.public_id}")
    gift_page = instructor.get(f"/quizzes/bank/{dd3.public_id}").get_data(as_text=True)
    assert "chỉ sửa được bằng GIFT" in gift_page
    assert "Sửa theo từng ô" in instructor.get(f"/quizzes/bank/{kt1.public_id}").get_data(as_text=True)
    assert instructor.get("/quizzes/bank/khong-co/form").status_code == 404


def test_rows_added_by_script_are_read(instructor, session):
    """The JS adds rows with the next index; the server reads however many come (up to 30)."""
    fields = {**CASES["single"][0], "choices-6-text": "Phương án thứ bảy", "choices-40-text": "Thứ tám"}
    assert post(instructor, "/quizzes/bank/new/single", fields).status_code == 302
    texts = [c["text"] for c in question(session, "bm-single").latest.data["choices"]]
    assert texts[-2:] == ["Phương án thứ bảy", "Thứ tám"] and len(texts) == 5


# --- the bank page's tag filter --------------------------------------------------------------


def test_bank_filters_by_tag_and_category(instructor, session):
    load_sample(session)  # kt-1 has the tag dang-vien
    for qtype in ("single", "truefalse"):
        assert post(instructor, f"/quizzes/bank/new/{qtype}", CASES[qtype][0]).status_code == 302
    page = instructor.get("/quizzes/bank").get_data(as_text=True)
    assert '<option value="dang-vien">' in page and '<option value="kiem-tra">' in page
    assert "Thêm câu hỏi" in page
    by_tag = instructor.get("/quizzes/bank?tag=dang-vien").get_data(as_text=True)
    assert all(code in by_tag for code in ("kt-1", "bm-single", "bm-tf"))
    assert "kt-2" not in by_tag and "co-san" not in by_tag and "3 câu hỏi" in by_tag
    both = instructor.get("/quizzes/bank?category=Xây dựng Đảng/Kiểm tra giám sát&tag=Dang-Vien ")
    html = both.get_data(as_text=True)
    assert "kt-1" in html and "bm-single" not in html and "1 câu hỏi" in html
    assert '<option value="dang-vien" selected>' in html
    none = instructor.get("/quizzes/bank?tag=kiem").get_data(as_text=True)  # whole tags only
    assert "0 câu hỏi" in none and "Không có câu hỏi nào khớp bộ lọc" in none
    tricky = instructor.get("/quizzes/bank?tag=%25&category=/").get_data(as_text=True)
    assert "0 câu hỏi" in tricky
    category_only = instructor.get("/quizzes/bank?category=Kiểm tra thử/Biểu mẫu").get_data(as_text=True)
    assert "bm-single" in category_only and "bm-tf" in category_only and "kt-1" not in category_only
    assert "Sửa theo từng ô" in category_only


def test_bank_questions_service(session):
    load_sample(session)
    single(session, "khac", category="Thử")
    codes = [q.code for q in services.bank_questions(session, tag="dang-vien")]
    assert codes == ["kt-1"]
    assert [q.code for q in services.bank_questions(session, category="Thử")] == ["khac"]
    assert services.bank_questions(session, category="Thử", tag="dang-vien") == []
    assert "dang-vien" in services.bank_tags(session)


def test_the_gift_importer_applies_the_same_code_length_rule():
    """A code never exceeds the column (that was a database error on PostgreSQL): a title longer
    than 120 characters is a name (Moodle allows it), so the question gets a generated code."""
    items, problems = gift.parse("::" + "x" * 121 + "::Câu hỏi?{T}\n", "dai.gift")
    assert not problems and len(items[0].code) <= 120 and items[0].code.startswith("x" * 80 + " #")
    items, problems = gift.parse("::" + "x" * 120 + "::Câu hỏi?{T}\n", "vua.gift")
    assert not problems and items[0].code == "x" * 120

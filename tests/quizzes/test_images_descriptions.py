"""Moodle images (@@PLUGINFILE@@ + base64 <file>) as question attachments, served only to who
may see the question; Moodle's description type in attempts, GIFT and XML."""

import base64
import hashlib
import re

import pytest
from sqlalchemy import func, select

from lms.quizzes import attachments, gift, moodle_xml
from lms.quizzes.formats import parse_text
from lms.quizzes.models import Attempt, QuestionAttachment
from lms.quizzes.services import finish_attempt, save_question, start_attempt
from lms.sanitize import clean_html
from tests.fixtures import csrf_token
from tests.quizzes.helpers import DATA, NOW, make_quiz, single

PNG = (DATA / "moodle.xml").read_text("utf-8").split('encoding="base64">')[1].split("<")[0]
PNG_BYTES = base64.b64decode(PNG)


def xml(body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n{body}\n</quiz>\n'


def image_question(name="Có ảnh", file_name="so-do.png", content=PNG, feedback_image=True):
    feedback = (
        f'<feedback format="html"><text><![CDATA[<img src="@@PLUGINFILE@@/{file_name}" alt="x">]]></text>'
        f'<file name="{file_name}" path="/" encoding="base64">{content}</file></feedback>'
        if feedback_image
        else ""
    )
    return f"""<question type="multichoice">
    <name><text>{name}</text></name>
    <questiontext format="html">
      <text><![CDATA[<p><img src="@@PLUGINFILE@@/{file_name}" alt="Sơ đồ"></p>]]></text>
      <file name="{file_name}" path="/" encoding="base64">{content}</file></questiontext>
    <single>true</single>
    <answer fraction="100"><text>A</text>{feedback}</answer>
    <answer fraction="0"><text>B</text></answer>
  </question>"""


def read(text):
    return parse_text(text, "m.xml", "xml")


def save(session, text):
    items, problems, _ = read(text)
    assert not problems, problems
    return [save_question(session, None, item, NOW)[0] for item in items]


def test_image_is_stored_and_its_references_rewritten(session):
    (question,) = save(session, xml(image_question()))
    (stored,) = question.latest.attachments
    assert (stored.name, stored.media_type, stored.size) == ("so-do.png", "image/png", len(PNG_BYTES))
    assert stored.sha256 == hashlib.sha256(PNG_BYTES).hexdigest() and stored.content == PNG_BYTES
    url = f"/quizzes/questions/{question.public_id}/files/{stored.sha256}/so-do.png"
    assert question.latest.text_html == f'<p><img src="{url}" alt="Sơ đồ"></p>'
    assert url in question.latest.data["choices"][0]["feedback"]  # an answer's feedback too
    assert "@@PLUGINFILE@@" not in question.latest.text_html + question.latest.data_json
    assert clean_html(f'<img src="{url}" alt="a">') == f'<img src="{url}" alt="a">'
    # importing the same file again changes nothing
    items, _, _ = read(xml(image_question()))
    assert save_question(session, None, items[0], NOW)[1] == "unchanged"
    assert session.scalar(select(func.count(QuestionAttachment.id))) == 1


@pytest.mark.parametrize(
    "body, message",
    [
        (
            image_question(file_name="a.svg", content=base64.b64encode(b"<svg onload=alert(1)>").decode()),
            "SVG",
        ),
        (
            image_question(content=base64.b64encode(b"<html>not an image</html>").decode()),
            "không phải là ảnh",
        ),
        (image_question(file_name="a.exe", content=PNG), "chỉ nhận ảnh PNG"),
        (image_question(content="!!!not base64!!!"), "base64 không hợp lệ"),
        (
            image_question(content=base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * (1024 * 1024)).decode()),
            "lớn quá 1024 KB",
        ),
        (
            image_question(feedback_image=False).replace("<file", "<nofile").replace("</file>", "</nofile>"),
            "không có trong tệp",
        ),
    ],
)
def test_bad_images_are_refused_with_their_line(body, message):
    items, problems, _ = read(xml(body))
    assert problems and message in problems[0].message, problems
    assert problems[0].line >= 2


def test_the_whole_import_is_capped(monkeypatch):
    monkeypatch.setattr(attachments, "MAX_IMPORT_BYTES", len(PNG_BYTES) * 2 - 1)
    body = "\n".join(image_question(name=f"Ảnh {n}") for n in range(2))
    _, problems, _ = read(xml(body))
    assert problems and "các ảnh của tệp lớn quá" in problems[0].message


def test_export_to_xml_writes_the_files_back_and_the_round_trip_holds(session):
    (question,) = save(session, xml(image_question()))
    text = moodle_xml.export([question])
    assert 'img src="@@PLUGINFILE@@/so-do.png" alt="Sơ đồ"' in text
    assert f'<file name="so-do.png" path="/" encoding="base64">{PNG}</file>' in text
    assert "/quizzes/questions/" not in text
    items, problems, _ = read(text)
    assert not problems and items[0].attachments[0].content == PNG_BYTES
    assert save_question(session, None, items[0], NOW)[1] == "unchanged"


def test_export_to_gift_says_images_are_lost(session, runner, tmp_path):
    (question,) = save(session, xml(image_question()))
    single(session, "khong-anh", category=question.category.path)
    session.commit()
    text = gift.export([question])
    assert text.startswith("// Cảnh báo: GIFT không mang được ảnh; xuất Moodle XML để giữ ảnh của: Có ảnh\n")
    items, problems = gift.parse(text, "out.gift")
    assert not problems and len(items) == 1
    out = tmp_path / "out.gift"
    result = runner.invoke(args=["quizzes", "export", question.category.path, str(out), "--format", "gift"])
    assert result.exit_code == 0 and "xuất Moodle XML để giữ ảnh của: Có ảnh" in result.output


def test_a_new_version_keeps_its_images(session, world, factory):
    (question,) = save(session, xml(image_question()))
    factory.profile(user=world.users["learner"])
    quiz = make_quiz(session, world.commune_a, codes=[question.code])
    start_attempt(session, world.users["learner"], quiz, NOW)  # version 1 is now in use
    items, _, _ = read(xml(image_question().replace("<text>B</text>", "<text>C</text>")))
    assert save_question(session, None, items[0], NOW)[1] == "new_version"
    first, second = question.versions
    assert [a.sha256 for a in second.attachments] == [a.sha256 for a in first.attachments]
    # edited on the bank page (no files come in): still kept
    item = items[0]
    item.attachments, item.data["choices"][1]["text"] = (), "D"
    item.text_html = second.text_html
    start_attempt(session, world.users["learner"], quiz, NOW).state  # noqa: B018
    assert save_question(session, None, item, NOW)[1] in ("updated", "new_version")
    assert question.latest.attachments and question.latest.attachments[0].content == PNG_BYTES


def test_learner_sees_the_image_of_their_attempt_and_nobody_else_does(
    client, login_as, world, factory, session
):
    (question,) = save(session, xml(image_question()))
    factory.profile(user=world.users["learner"])
    quiz = make_quiz(session, world.commune_a, codes=[question.code])
    session.commit()
    url = re.search(r'src="([^"]+)"', question.latest.text_html).group(1)
    login_as(world.learner_b)
    assert client.get(url).status_code == 403  # no attempt shows it
    client.post("/logout", data={"csrf_token": csrf_token(client, "/quizzes")})
    login_as(world.users["learner"])
    assert client.get(url).status_code == 403  # not before their attempt shows it
    token = csrf_token(client, "/quizzes")
    started = client.post(f"/quizzes/{quiz.public_id}/start", data={"csrf_token": token})
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    assert f'src="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200 and response.data == PNG_BYTES
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]
    assert client.get(url.replace(url.split("/")[-2], "0" * 64)).status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/quizzes")})
    login_as(world.users["instructor"])
    assert client.get(url).status_code == 200  # the bank's authors


DESCRIBED = xml(
    """<question type="description">
    <name><text>Giới thiệu</text></name>
    <questiontext format="html"><text><![CDATA[<p>Đọc kỹ <b>tình huống</b> sau.</p>]]></text></questiontext>
    <generalfeedback format="html"><text></text></generalfeedback>
    <defaultgrade>0.0000000</defaultgrade>
  </question>"""
)


def test_description_in_xml_and_gift_both_ways(session):
    items, problems, _ = read(DESCRIBED)
    assert not problems and [(i.code, i.qtype, i.points, i.data) for i in items] == [
        ("Giới thiệu", "description", 0.0, {})
    ]
    (question,) = save(session, DESCRIBED)
    out = moodle_xml.export([question])
    assert '<question type="description">' in out and "<defaultgrade>0.0000000</defaultgrade>" in out
    assert "<answer" not in out
    assert save_question(session, None, read(out)[0][0], NOW)[1] == "unchanged"
    text = gift.export([question])
    assert "::Giới thiệu::[html]<p>Đọc kỹ <b>tình huống</b> sau.</p>\n" in text and "{" not in text
    again, problems = gift.parse(text, "out.gift")
    assert not problems and save_question(session, None, again[0], NOW)[1] == "unchanged"


def test_description_in_an_attempt_is_text_only_and_not_counted(client, login_as, world, factory, session):
    (described,) = save(session, DESCRIBED)
    single(session, "s1", category="Thử")
    single(session, "s2", category="Thử")
    factory.profile(user=world.users["learner"])
    quiz = make_quiz(session, world.commune_a, codes=[described.code, "s1", "s2"])
    session.commit()
    login_as(world.users["learner"])
    token = csrf_token(client, "/quizzes")
    started = client.post(f"/quizzes/{quiz.public_id}/start", data={"csrf_token": token})
    public_id = started.headers["Location"].rsplit("/", 1)[-1]
    page = client.get(f"/quizzes/attempts/{public_id}").get_data(as_text=True)
    assert "Đọc kỹ <b>tình huống</b> sau." in page
    assert "Đã trả lời 0/2 câu" in page and 'data-total="2"' in page
    assert 'name="q1"' not in page and 'name="positions" value="1"' not in page
    assert 'name="positions" value="2"' in page
    assert "<legend>Câu 1 <span" in page and "<legend>Câu 2 <span" in page and "Câu 3" not in page
    attempt = session.scalar(select(Attempt).where(Attempt.public_id == public_id))
    assert attempt.max_points == 2 and [s.points for s in attempt.slots] == [0.0, 1.0, 1.0]
    summary = client.get(f"/quizzes/attempts/{public_id}/summary").get_data(as_text=True)
    assert "Đã trả lời 0/2 câu" in summary and "#slot-1" not in summary and 'slot-2">Câu 1<' in summary
    token = csrf_token(client, f"/quizzes/attempts/{public_id}")
    client.post(
        f"/quizzes/attempts/{public_id}",
        data={"csrf_token": token, "positions": ["2", "3"], "q2": "0", "q3": "0", "action": "save"},
    )
    session.expire_all()
    attempt = session.get(Attempt, attempt.id)
    finish_attempt(session, attempt, NOW, outcome="submitted")
    session.commit()
    assert not attempt.pending and attempt.max_points == 2
    assert attempt.slots[0].awarded == 0.0 and attempt.slots[0].fraction is None
    review = client.get(f"/quizzes/attempts/{public_id}/review").get_data(as_text=True)
    assert "Thông tin" in review and "Đọc kỹ <b>tình huống</b> sau." in review
    assert "Câu 2" in review and "Câu 3" not in review  # numbered without the description


def test_a_random_draw_never_picks_a_description(session, world, factory):
    (described,) = save(session, DESCRIBED)
    single(session, "s1", category=described.category.path)
    factory.profile(user=world.users["learner"])
    quiz = make_quiz(session, world.commune_a, draws=[(described.category.path, 1, 1.0)], attempts_allowed=0)
    for _ in range(5):
        attempt = start_attempt(session, world.users["learner"], quiz, NOW)
        assert [s.version.qtype for s in attempt.slots] == ["single"]
        finish_attempt(session, attempt, NOW, outcome="submitted")

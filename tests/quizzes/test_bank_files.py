"""The bank page imports GIFT, Moodle XML and Aiken with a preview (count and every problem
before anything is written; size, type and CSRF checked) and exports a category or a quiz."""

import io

import pytest
from sqlalchemy import func, select

from lms.quizzes.models import Question
from tests.fixtures import csrf_token
from tests.quizzes.helpers import DATA, load_sample, make_quiz

URL = "/quizzes/bank/import"


@pytest.fixture()
def author(client, login_as, world):
    return login_as(world.users["instructor"])


def count(session):
    return session.scalar(select(func.count(Question.id)))


def upload(client, name, data, **fields):
    form = {"csrf_token": csrf_token(client, URL), "action": "preview", **fields}
    form["file"] = (io.BytesIO(data), name)
    return client.post(URL, data=form, content_type="multipart/form-data")


def test_preview_then_import_gift(author, session):
    data = (DATA / "moodle_style.gift").read_bytes()
    page = upload(author, "ngan-hang.gift", data)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "36 câu hỏi" in html and "Nhập 36 câu hỏi" in html
    assert "Mặc định: 30" in html and "Chính quyền/Tự luận: 3" in html
    assert count(session) == 0  # nothing written by the preview
    import html as html_lib
    import re

    content = html_lib.unescape(re.search(r'name="content" type="hidden" value="([^"]*)"', html).group(1))
    assert content == data.decode("utf-8")
    without_token = author.post(
        URL, data={"action": "import", "content": content, "filename": "a.gift", "fmt": "gift"}
    )
    assert without_token.status_code == 400 and count(session) == 0  # CSRF refused: nothing written
    done = author.post(
        URL,
        data={"csrf_token": csrf_token(author, URL), "action": "import", "content": content,
              "filename": "ngan-hang.gift", "fmt": "gift"},
    )  # fmt: skip
    assert done.status_code == 302 and count(session) == 36
    assert "Đã nhập 36 câu hỏi (36 mới)" in author.get(done.headers["Location"]).get_data(as_text=True)


def test_broken_file_lists_every_problem_and_offers_no_import(author, session):
    page = upload(
        author, "hong.gift", "Câu tốt{T}\n\n::a::Câu một{\n=x\n~y\n\n::b::Câu{~%abc%x =y}\n".encode()
    )
    html = page.get_data(as_text=True)
    assert "hong.gift:3: khối đáp án chưa đóng" in html and "hong.gift:7: trọng số %abc% không hợp lệ" in html
    assert "2 lỗi: chưa nhập câu hỏi nào" in html and 'value="import"' not in html
    # a forged confirmation with the same broken text is refused too
    author.post(URL, data={"csrf_token": csrf_token(author, URL), "action": "import",
                           "content": "::a::Câu{=x ~y", "filename": "x.gift", "fmt": "gift"})  # fmt: skip
    assert count(session) == 0


def test_xml_with_unsupported_types_and_aiken(author, session):
    data = (DATA / "moodle.xml").read_bytes()
    html = upload(author, "moodle.xml", data).get_data(as_text=True)
    assert "11 câu hỏi" in html and "Nhập 11 câu hỏi" in html  # the description and the image too
    ddwtos = '<question type="ddwtos"><name><text>Kéo</text></name></question></quiz>'.encode()
    data = data.replace(b"</quiz>", ddwtos)
    html = upload(author, "moodle.xml", data).get_data(as_text=True)
    assert "câu &#39;Kéo&#39;: kéo thả vào văn bản (ddwtos) chưa được hỗ trợ" in html
    assert "Bỏ qua các câu thuộc loại chưa hỗ trợ" in html and 'value="import"' not in html
    html = upload(author, "moodle.xml", data, skip_unsupported="y").get_data(as_text=True)
    assert "11 câu hỏi" in html and "Sẽ bỏ qua (1 câu" in html and "Nhập 11 câu hỏi" in html
    html = upload(author, "cau-hoi.txt", (DATA / "sample.aiken").read_bytes(), fmt="aiken").get_data(
        as_text=True
    )
    assert "3 câu hỏi" in html and "(Aiken)" in html
    assert count(session) == 0


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("a.pdf", b"%PDF-1.4", "Chỉ nhận tệp"),
        ("a.gift", b"x" * (2 * 1024 * 1024 + 1), "Tệp lớn quá 2 MB"),
        ("a.gift", "::a::Câu{T}".encode("cp1258"), "không phải UTF-8"),
        ("a.gift", b"\x89PNG\r\n\x1a\n\x00\x00", "không phải văn bản"),
        ("a.gift", b"   \n", "Tệp trống"),
        ("a.xml", b"<quiz><question", "XML không hợp lệ"),
    ],
)
def test_bad_uploads_get_a_message_not_a_500(author, session, name, data, message):
    response = upload(author, name, data)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert count(session) == 0


def test_export_a_category_or_a_quiz_in_either_format(author, session, world):
    load_sample(session)
    make_quiz(session, world.province, codes=["kt-1", "dd-2"], code="thu-xuat")
    session.commit()
    bank = author.get("/quizzes/bank").get_data(as_text=True)
    assert 'value="quiz:thu-xuat"' in bank and 'value="category:Địa danh"' in bank
    gift_file = author.get(
        "/quizzes/bank/export", query_string={"source": "category:Địa danh", "format": "gift"}
    )
    assert (
        gift_file.status_code == 200
        and 'filename="dia-danh.gift"' in gift_file.headers["Content-Disposition"]
    )
    assert "::dd-1::" in gift_file.get_data(as_text=True) and "::kt-1::" not in gift_file.get_data(
        as_text=True
    )
    xml_file = author.get("/quizzes/bank/export", query_string={"source": "quiz:thu-xuat", "format": "xml"})
    body = xml_file.get_data(as_text=True)
    assert xml_file.status_code == 200 and body.count('<question type="') == 4  # 2 categories + 2 questions
    assert (
        author.get(
            "/quizzes/bank/export", query_string={"source": "quiz:khong-co", "format": "xml"}
        ).status_code
        == 404
    )
    assert (
        author.get("/quizzes/bank/export", query_string={"source": "x", "format": "pdf"}).status_code == 400
    )


def test_learners_cannot_import_or_export(client, login_as, world):
    learner = login_as(world.users["learner"])
    assert learner.get(URL).status_code == 403
    assert (
        learner.get(
            "/quizzes/bank/export", query_string={"source": "category:X", "format": "gift"}
        ).status_code
        == 403
    )

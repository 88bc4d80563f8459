"""A learner's attempt with an image (imported from Moodle XML) and a description, on a phone
(390×844): the image is served to the learner and scales to the screen's width; the description
is text with no input and is not counted in "answered N/M". Axe-clean, photographed."""

from __future__ import annotations

import base64
import struct
import zlib

import pytest
from playwright.sync_api import expect

from tests.e2e.flows import click_and_wait, look
from tests.e2e.quiz_flow_helpers import live_app, quiz_phones


def wide_png(width: int = 900, height: int = 300) -> bytes:
    """A diagram wider than a phone: a blue frame and a red bar."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            frame = x < 12 or x >= width - 12 or y < 12 or y >= height - 12
            bar = 100 < x < width - 100 and 130 < y < 170
            rows += bytes((0x1D, 0x4E, 0x89) if frame else (0xC0, 0x39, 0x2B) if bar else (0xF4, 0xF6, 0xF8))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows)))
        + chunk(b"IEND", b"")
    )


XML = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/E2E ảnh</text></category></question>
  <question type="description">
    <name><text>E2E giới thiệu sơ đồ</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>Đồng chí xem <b>sơ đồ</b> dưới đây rồi trả lời.</p>]]></text>
    </questiontext>
  </question>
  <question type="multichoice">
    <name><text>E2E sơ đồ bộ máy</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>Sơ đồ:</p><p><img src="@@PLUGINFILE@@/so%20do.png" alt="Sơ đồ bộ máy xã"></p>
<p>Khối màu đỏ là cơ quan nào?</p>]]></text>
      <file name="so do.png" path="/" encoding="base64">{png}</file>
    </questiontext>
    <single>true</single>
    <answer fraction="100"><text>Hội đồng nhân dân xã</text></answer>
    <answer fraction="0"><text>Ủy ban Mặt trận Tổ quốc xã</text></answer>
  </question>
</quiz>
"""


@pytest.fixture()
def image_quiz(live_server):
    from sqlalchemy import select

    from lms.auth.models import User
    from lms.db import db
    from lms.quizzes.formats import parse_text
    from lms.quizzes.services import QuizInput, save_question, save_quiz
    from lms.web import now

    app = live_app()
    with app.app_context():
        session = db.new_session()
        try:
            items, problems, _ = parse_text(
                XML.format(png=base64.b64encode(wide_png()).decode()), "anh.xml", "xml"
            )
            assert not problems, problems
            for item in items:
                save_question(session, None, item, now())
            learner = session.scalar(select(User).where(User.username == "hocvien"))
            quiz, _ = save_quiz(
                session,
                None,
                QuizInput(
                    code="e2e-anh",
                    title="E2E: câu hỏi có ảnh",
                    purpose="practice",
                    owner_unit=learner.unit,
                    program_code=None,
                    questions=[(item.code, 1.0) for item in items],
                    draws=[],
                    attempts_allowed=0,
                ),
                now(),
            )
            session.commit()
            yield quiz.public_id
        finally:
            session.close()


@pytest.fixture()
def phones(browser, live_server):
    yield from quiz_phones(browser, live_server)


def test_attempt_with_an_image_on_a_phone(phones, live_server, image_quiz):
    page = phones.open_as("hocvien")
    page.goto(f"{live_server}/quizzes/{image_quiz}")
    click_and_wait(page, page.get_by_role("button", name="Bắt đầu", exact=False).first)
    expect(page.get_by_text("Đã trả lời 0/1 câu")).to_be_visible()
    expect(page.get_by_text("Đồng chí xem sơ đồ dưới đây rồi trả lời.")).to_be_visible()
    image = page.get_by_role("img", name="Sơ đồ bộ máy xã")
    expect(image).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth === 900", arg=image.element_handle())
    box = image.bounding_box()
    assert box is not None and box["width"] <= 390 - 16 and box["height"] < 300, box  # scaled to the width
    assert round(box["width"] / box["height"]) == 3  # and kept its shape
    look(page, "quiz-image-a-01-attempt")
    page.get_by_text("Hội đồng nhân dân xã").click()
    expect(page.get_by_text("Đã trả lời 1/1 câu")).to_be_visible()
    report = phones.problems.report() if hasattr(phones, "problems") else []
    assert not report, "\n".join(report)

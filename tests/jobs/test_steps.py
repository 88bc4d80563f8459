"""A job's step and summary are written in Vietnamese by the worker and shown in the reader's language."""

from flask_babel import force_locale

from lms.jobs.steps import step_text


def test_steps_in_both_languages(app):
    with app.test_request_context():
        assert step_text("Đang đếm trình độ") == "Đang đếm trình độ"
        assert step_text("12/40 hồ sơ") == "12/40 hồ sơ"
        with force_locale("en"):
            assert step_text("Đang đếm trình độ") == "Counting qualification levels"
            assert step_text("12/40 hồ sơ") == "12/40 profiles"
            assert step_text("1 bảng") == "1 table"
            assert step_text("23 bảng") == "23 tables"
            assert step_text("5 hồ sơ đã tính lại") == "5 profiles recomputed"
            assert step_text("something a worker wrote") == "something a worker wrote"
            assert step_text(None) is None

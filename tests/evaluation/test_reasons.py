"""Why a certificate is refused: stored in Vietnamese, shown in the reader's language."""

from flask_babel import force_locale

from lms.evaluation import reasons as why

STORED = (
    "Chưa đủ điều kiện: chuyên cần 60% < 80% yêu cầu; chưa có kết quả kiểm tra đầu ra; "
    "xử lý tình huống còn bài chờ chấm; kiểm tra đầu ra 4.00 < 5.00."
)


def test_the_stored_text_is_the_vietnamese_source():
    parts = [
        why.source(why.LOW_ATTENDANCE, pct="60", min=80),
        why.source(why.NO_EXIT),
        why.source(why.PENDING, component="xử lý tình huống"),
        why.source(why.BELOW_MIN, component="kiểm tra đầu ra", score="4.00", min="5.00"),
    ]
    assert why.stored_text(parts) == STORED


def test_shown_in_both_languages(app):
    with app.test_request_context():
        assert why.reason_text(STORED) == STORED
        with force_locale("en"):
            assert why.reason_text(STORED) == (
                "Not yet eligible: attendance 60% < 80% required; no exit test result yet; "
                "situation handling still has work waiting to be marked; exit test 4.00 < 5.00."
            )
            # what no rule wrote (simulated data, an old text) is shown as stored
            assert why.reason_text("Dữ liệu mô phỏng") == "Dữ liệu mô phỏng"
            assert why.reason_text(None) == ""

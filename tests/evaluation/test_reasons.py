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
        # the stored "4.00" is a score: shown as every page shows one, with a decimal comma
        assert why.reason_text(STORED) == STORED.replace("4.00 < 5.00", "4,00 < 5,00")
        with force_locale("en"):
            assert why.reason_text(STORED) == (
                "Not yet eligible: attendance 60% < 80% required; no exit test result yet; "
                "situation handling still has work waiting to be marked; exit test 4.00 < 5.00."
            )
            # what no rule wrote (simulated data, an old text) is shown as stored
            assert why.reason_text("Dữ liệu mô phỏng") == "Dữ liệu mô phỏng"
            assert why.reason_text(None) == ""


def test_numbers_in_a_reason_read_the_readers_way(app):
    """Attendance is stored as the record rounds it ("66.7"), a score as the record keeps it
    ("4.5"): shown with at most one decimal for a percentage and two for a score, in the reader's
    locale; a value that is not a number is shown as stored."""
    low = why.stored_text(
        [
            why.source(why.LOW_ATTENDANCE, pct="66.7", min=80),
            why.source(why.BELOW_MIN, component="kiểm tra đầu ra", score="4.5", min="5"),
        ]
    )
    odd = why.stored_text([why.source(why.LOW_ATTENDANCE, pct="nan", min="x")])
    with app.test_request_context():
        assert why.reason_text(low) == (
            "Chưa đủ điều kiện: chuyên cần 66,7% < 80% yêu cầu; kiểm tra đầu ra 4,50 < 5,00."
        )
        assert why.reason_text(odd) == odd
        with force_locale("en"):
            assert why.reason_text(low) == (
                "Not yet eligible: attendance 66.7% < 80% required; exit test 4.50 < 5.00."
            )


def test_system_notes_on_scheme_versions_in_both_languages(app):
    from lms.evaluation.schemes import IMPORT_NOTE, note_text

    with app.test_request_context():
        assert note_text(IMPORT_NOTE) == "nhập từ nội dung"
        with force_locale("en"):
            assert note_text(IMPORT_NOTE) == "imported from content"
            assert note_text("content import") == "imported from content"  # written by older code
            assert note_text("Theo Kế hoạch 12/KH-BTC") == "Theo Kế hoạch 12/KH-BTC"  # a person's note
            assert note_text(None) == ""

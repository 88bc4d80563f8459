"""Question type names in the reader's language; "Tự luận" is "Essay" as a question type while the
scenario summary's written part keeps its own translation."""

from flask_babel import force_locale, gettext

from lms.quizzes.qtypes import REGISTRY


def test_essay_is_essay_in_english_and_tu_luan_in_vietnamese(app):
    with app.test_request_context():
        assert str(REGISTRY["essay"].label) == "Tự luận"
        with force_locale("en"):
            assert str(REGISTRY["essay"].label) == "Essay"
            assert gettext("Tự luận") == "Written part"

import pytest

from lms.quizzes.qtypes import REGISTRY, get_type, normalize_text, parse_number


def grade(qtype, data, response):
    return get_type(qtype, data).grade(response)


CHOICES = {
    "choices": [
        {"id": "a", "text": "A", "fraction": 1.0},
        {"id": "b", "text": "B", "fraction": 0.0},
        {"id": "c", "text": "C", "fraction": 0.5},
    ]
}


def test_every_type_is_registered():
    assert set(REGISTRY) == {
        "single", "multi", "truefalse", "short", "numerical", "matching", "essay", "description",
    }  # fmt: skip


@pytest.mark.parametrize(
    "response, expected",
    [
        ({"choice": "a"}, 1.0),
        ({"choice": "b"}, 0.0),
        ({"choice": "c"}, 0.5),
        ({}, 0.0),
        ({"choice": "zz"}, 0.0),
    ],
)
def test_single_choice(response, expected):
    assert grade("single", CHOICES, response) == expected


MULTI = {
    "choices": [
        {"id": "a", "text": "A", "fraction": 0.5},
        {"id": "b", "text": "B", "fraction": 0.5},
        {"id": "c", "text": "C", "fraction": -0.5},
        {"id": "d", "text": "D", "fraction": -1.0},
    ]
}


@pytest.mark.parametrize(
    "chosen, expected",
    [
        (["a", "b"], 1.0),
        (["a"], 0.5),
        (["a", "b", "c"], 0.5),
        (["a", "d"], 0.0),
        (["c", "d"], 0.0),
        (["a", "b", "c", "d"], 0.0),
        ([], 0.0),
    ],
)
def test_multiple_response_partial_credit_penalty_and_floor(chosen, expected):
    assert grade("multi", MULTI, {"choices": chosen}) == pytest.approx(expected)


def test_multiple_response_default_penalty_makes_select_all_lose():
    from lms.quizzes.qtypes import MultipleResponse

    choices = MultipleResponse.default_penalties(
        [
            {"id": "a", "fraction": 0.5},
            {"id": "b", "fraction": 0.5},
            {"id": "c", "fraction": None},
        ]
    )
    assert choices[2]["fraction"] == pytest.approx(-0.5)
    assert grade("multi", {"choices": choices}, {"choices": ["a", "b", "c"]}) == pytest.approx(0.5)


def test_multi_validation_requires_weights_summing_to_one():
    assert get_type(
        "multi", {"choices": [{"id": "a", "fraction": 0.5}, {"id": "b", "fraction": 0}]}
    ).validate()


def test_true_false():
    data = {"answer": False}
    assert grade("truefalse", data, {"value": "false"}) == 1.0
    assert grade("truefalse", data, {"value": "true"}) == 0.0
    assert grade("truefalse", data, {}) == 0.0


SHORT = {"answers": [{"text": "Hà Nội", "fraction": 1.0}, {"text": "Thăng Long", "fraction": 0.5}]}


@pytest.mark.parametrize(
    "given, expected",
    [
        ("Hà Nội", 1.0),
        ("  hà   nội ", 1.0),
        ("HÀ NỘI", 1.0),
        ("ha noi", 0.0),
        ("Hà Nôi", 0.0),
        ("Ha\u0300 N\u00f4\u0323i", 1.0),  # decomposed (NFD-ish) input equals the NFC key
        ("thăng long", 0.5),
        ("", 0.0),
    ],
)
def test_short_answer_diacritics_matter_by_default(given, expected):
    assert grade("short", SHORT, {"value": given}) == expected


def test_short_answer_ignore_diacritics_option():
    data = dict(SHORT, ignore_diacritics=True)
    assert grade("short", data, {"value": "ha noi"}) == 1.0
    assert grade("short", data, {"value": "HA NOI"}) == 1.0
    assert grade("short", data, {"value": "Đà Nẵng"}) == 0.0
    assert normalize_text("Đường", True) == "duong"


NUM = {
    "answers": [
        {"value": 3.5, "tolerance": 0.1, "fraction": 1.0},
        {"value": 3.0, "tolerance": 0, "fraction": 0.5},
    ]
}


@pytest.mark.parametrize(
    "given, expected",
    [
        ("3.5", 1.0),
        ("3,5", 1.0),
        ("3.6", 1.0),
        ("3.61", 0.0),
        ("3", 0.5),
        ("abc", 0.0),
        ("", 0.0),
        ("nan", 0.0),
        ("inf", 0.0),
    ],
)
def test_numerical_tolerance_and_comma(given, expected):
    assert grade("numerical", NUM, {"value": given}) == expected


def test_parse_number_thousands():
    assert parse_number("1.000,5") == 1000.5
    assert parse_number("1 000") == 1000


MATCH = {
    "pairs": [
        {"id": "p1", "left": "Xã", "right": "cấp xã"},
        {"id": "p2", "left": "Tỉnh", "right": "cấp tỉnh"},
        {"id": "p3", "left": "", "right": "cấp huyện"},
    ]
}


def test_matching_share_of_pairs_and_distractor():
    assert grade("matching", MATCH, {"matches": {"p1": "cấp xã", "p2": "cấp tỉnh"}}) == 1.0
    assert grade("matching", MATCH, {"matches": {"p1": "cấp xã", "p2": "cấp huyện"}}) == 0.5
    assert grade("matching", MATCH, {}) == 0.0
    parsed = get_type("matching", MATCH).parse_form({"q1-p1": ["cấp xã"], "q1-p2": ["bịa đặt"]}, "q1")
    assert parsed == {"matches": {"p1": "cấp xã"}}


def test_essay_needs_a_person():
    assert grade("essay", {}, {"value": "bài viết"}) is None


def test_learner_view_never_contains_the_key():
    import random

    for qtype, data in [("single", CHOICES), ("multi", MULTI), ("matching", MATCH)]:
        kind = get_type(qtype, data)
        view = kind.learner_view(kind.initial_order(random.Random(1), True))
        text = repr(view)
        assert "fraction" not in text and "feedback" not in text
        if qtype != "matching":
            assert [c["id"] for c in view["choices"]] == ["0", "1", "2", "3"][: len(view["choices"])]
        if qtype == "matching":
            assert "p1" not in repr(view["rights"]) and all(set(r) == {"id", "text"} for r in view["lefts"])
    assert get_type("short", SHORT).learner_view([]) == {}
    assert get_type("numerical", NUM).learner_view([]) == {}


def test_choice_form_values_map_back_through_the_stored_order():
    kind = get_type("single", CHOICES)
    order = ["c", "a", "b"]
    assert kind.parse_form({"q1": ["1"]}, "q1", order) == {"choice": "a"}
    assert kind.parse_form({"q1": ["7"]}, "q1", order) == {}
    assert kind.parse_form({"q1": ["a"]}, "q1", order) == {}
    assert kind.to_display(order, {"choice": "a"}) == {"choice": "1"}
    multi = get_type("multi", MULTI)
    order = ["d", "c", "b", "a"]
    assert multi.parse_form({"q1": ["3", "2", "9"]}, "q1", order) == {"choices": ["a", "b"]}
    assert multi.to_display(order, {"choices": ["a", "b"]}) == {"choices": ["3", "2"]}

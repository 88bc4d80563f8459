"""The grader sees the answer's word count and radios beside their labels; the learner sees the
level given for each criterion once the answer is graded."""

from __future__ import annotations

import html
import re

from lms.scenarios import services as sv
from tests.scenarios.helpers import import_good
from tests.scenarios.test_views import _finished_assessed, _post


def test_grader_sees_word_count_and_learner_sees_each_criterion(client, login_as, world, session, factory):
    scenario = import_good(session, world.province)
    session.commit()
    run = _finished_assessed(session, world, factory, scenario)
    response = run.responses[0]
    session.commit()
    login_as(world.users["instructor"])
    page = html.unescape(client.get(f"/scenarios/grading/{response.public_id}").get_data(as_text=True))
    assert "Số từ: 3" in page  # "Theo Điều 235"
    # each radio sits inside its label, with the label text right after it
    assert re.search(
        r'<label class="sc-grade-level"><input type="radio" name="level-0" value="2" required>'
        r"<span>Đầy đủ",
        page,
    )
    _post(client, f"/scenarios/grading/{response.public_id}", {"level-0": 1, "comment": "Cần nêu đủ"})
    client.post("/logout", data={"csrf_token": _token(client)})
    login_as(world.users["learner"])
    summary = html.unescape(client.get(f"/scenarios/runs/{run.public_id}").get_data(as_text=True))
    levels = summary.split('class="sc-levels"', 1)[1].split("</ul>", 1)[0]
    assert "Căn cứ pháp lý</strong>: Một phần" in levels
    assert re.search(r"2(,0)?/4(,0)? điểm", levels)


def _token(client) -> str:
    from tests.fixtures import csrf_token

    return csrf_token(client, "/scenarios/grading")


def test_word_count_and_levels_helpers():
    assert sv.word_count("  Theo   Điều\n235 ") == 3 and sv.word_count(None) == 0
    node = {
        "rubric": [{"criterion": "A", "levels": [{"label": "x", "points": 0}, {"label": "y", "points": 2}]}]
    }

    class Graded:
        chosen_levels = [1]

    class Stale:
        chosen_levels = [5]

    assert sv.criterion_levels(node, Graded()) == [{"criterion": "A", "label": "y", "points": 2, "max": 2}]
    assert sv.criterion_levels(node, Stale()) == []


def test_scenario_summary_and_results_write_scores_as_the_quizzes_do(
    client, login_as, world, session, factory
):
    """A score on the 10-point scale (the run's score, its path score, the pass mark) has two
    decimals everywhere, as on the quiz pages ("6,40/10"); rubric points are written as the
    rubric levels are (whole points in every shipped scenario: "2/4", not "2,0/4,0")."""
    from tests.results.test_vietnamese_numbers import visible_numbers_problems

    scenario = import_good(session, world.province)
    session.commit()
    run = _finished_assessed(session, world, factory, scenario)
    response = run.responses[0]
    session.commit()
    login_as(world.users["instructor"])
    _post(client, f"/scenarios/grading/{response.public_id}", {"level-0": 1, "comment": "Cần nêu đủ"})
    queue = html.unescape(client.get("/scenarios/grading?all=1").get_data(as_text=True))
    assert "đã chấm 2/4" in queue
    page = html.unescape(client.get(f"/scenarios/grading/{response.public_id}").get_data(as_text=True))
    assert ": 2 điểm." in page and "(4 điểm)" in page  # the grade given, a level's points
    client.post("/logout", data={"csrf_token": _token(client)})
    login_as(world.users["learner"])

    summary = client.get(f"/scenarios/runs/{run.public_id}").get_data(as_text=True)
    assert visible_numbers_problems(summary) == []
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html.unescape(summary)))
    assert re.search(r"Điểm: \d{1,2},\d\d/10 — ", text), text
    assert re.search(r"Điểm đường đi: \d{1,2},\d\d/10 · Tự luận: 2/4 \(trọng số 30%\)", text), text
    assert "Điểm chấm: 2/4" in text and "Căn cứ pháp lý: Một phần — 2/4 điểm" in text
    score = re.search(r"Điểm: (\d{1,2},\d\d)/10", text).group(1)

    results = client.get("/results/me").get_data(as_text=True)
    assert visible_numbers_problems(results) == []
    assert f"{score}/10" in re.sub(r"<[^>]+>", "", results)
    intro = client.get(f"/scenarios/{scenario.public_id}").get_data(as_text=True)
    assert re.search(r"<dt>Điểm đạt</dt><dd>5,00/10</dd>", intro)

import re

import pytest
from sqlalchemy import func, select, update

from lms.results.models import Result
from lms.scenarios import services as sv
from lms.scenarios.models import RunMode, RunStatus, Scenario, ScenarioRun, ScenarioStatus
from tests.fixtures import csrf_token
from tests.scenarios.helpers import DATA, NOW, import_good


@pytest.fixture()
def scenario(session, world):
    s = import_good(session, world.province)
    session.commit()
    return s


def _post(client, path, data, page=None):
    data = dict(data, csrf_token=csrf_token(client, page or path))
    return client.post(path, data=data)


def _start(client, scenario, mode="practice"):
    intro = f"/scenarios/{scenario.public_id}"
    response = _post(client, f"{intro}/start", {"mode": mode}, page=intro)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response.headers["Location"]


def _step(client, run_url):
    html = client.get(run_url).get_data(as_text=True)
    return int(re.search(r'name="step" value="(\d+)"', html).group(1))


def test_every_scenario_route_declares_permission(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("scenarios."):
            assert getattr(app.view_functions[rule.endpoint], "lms_permission", None), rule.endpoint


def test_learner_plays_to_the_end_with_resume(client, login_as, world, scenario, session):
    login_as(world.users["learner"])
    run_url = _start(client, scenario)
    page = client.get(run_url).get_data(as_text=True)
    assert "<strong>ranh giới</strong>" in page and "<script>alert" not in page
    assert _post(client, run_url, {"step": 0, "action": "continue"}).status_code == 302
    # closing the phone: the list offers "Tiếp tục" to the same run
    listing = client.get("/scenarios/").get_data(as_text=True)
    assert "Tiếp tục" in listing and run_url.rsplit("/", 1)[-1] in listing
    _post(client, run_url, {"step": 1, "action": "choose", "choice": 1})
    page = client.get(run_url).get_data(as_text=True)
    assert "Đúng Điều 235." in page and "Hai bên đồng ý họp." in page  # feedback + consequence
    assert "Chọn lại" not in page  # allow_retry is false
    _post(client, run_url, {"step": 2, "action": "choose", "choice": 0})
    page = client.get(run_url).get_data(as_text=True)
    assert "Nêu căn cứ pháp lý" in page
    assert "MODEL-ANSWER-SECRET" not in page  # never before finishing
    _post(client, run_url, {"step": 3, "action": "respond", "answer": "Điều 235 Luật Đất đai"})
    summary = client.get(run_url).get_data(as_text=True)
    assert "Hòa giải thành" in summary and "Đang chờ giảng viên chấm" in summary
    assert "MODEL-ANSWER-SECRET" in summary  # after finishing, the model answer is shown


def test_model_answer_not_in_any_page_before_finishing(client, login_as, world, scenario):
    login_as(world.users["learner"])
    pages = [client.get("/scenarios/").get_data(as_text=True)]
    pages.append(client.get(f"/scenarios/{scenario.public_id}").get_data(as_text=True))
    run_url = _start(client, scenario)
    for step, data in enumerate(
        [{"action": "continue"}, {"action": "choose", "choice": 1}, {"action": "choose", "choice": 0}]
    ):
        pages.append(client.get(run_url).get_data(as_text=True))
        _post(client, run_url, dict(data, step=step))
    pages.append(client.get(run_url).get_data(as_text=True))
    assert not any("MODEL-ANSWER-SECRET" in p or "Điều 235 Luật Đất đai 2024." in p for p in pages)


def test_double_post_same_choice_is_idempotent(client, login_as, world, scenario, session):
    login_as(world.users["learner"])
    run_url = _start(client, scenario)
    _post(client, run_url, {"step": 0, "action": "continue"})
    token = csrf_token(client, run_url)
    first = client.post(run_url, data={"step": 1, "action": "choose", "choice": 0, "csrf_token": token})
    second = client.post(run_url, data={"step": 1, "action": "choose", "choice": 0, "csrf_token": token})
    third = client.post(run_url, data={"step": 1, "action": "choose", "choice": 1, "csrf_token": token})
    assert first.status_code == second.status_code == third.status_code == 302
    run = session.scalar(select(ScenarioRun))
    session.refresh(run)
    assert len(run.steps) == 1 and run.steps[0].choice_index == 0 and run.current_node == "d2"


@pytest.mark.parametrize(
    "data",
    [
        {"step": "x", "action": "choose"},
        {"step": 1, "action": "choose", "choice": 99},
        {"step": 1, "action": "fly"},
    ],
)
def test_bad_post_is_4xx_never_500(client, login_as, world, scenario, data):
    login_as(world.users["learner"])
    run_url = _start(client, scenario)
    _post(client, run_url, {"step": 0, "action": "continue"})
    response = _post(client, run_url, data)
    assert response.status_code in (302, 400)


def test_other_learner_cannot_open_run(client, login_as, world, scenario, session):
    run = sv.start_run(session, scenario, world.users["learner"], RunMode.practice, NOW)
    session.commit()
    login_as(world.learner_b)
    assert client.get(f"/scenarios/runs/{run.public_id}").status_code == 403


def test_assessed_without_profile_explains(client, login_as, world, scenario):
    login_as(world.users["learner"])
    page = client.get(f"/scenarios/{scenario.public_id}").get_data(as_text=True)
    assert "hồ sơ cán bộ" in page
    response = _post(
        client,
        f"/scenarios/{scenario.public_id}/start",
        {"mode": "assessed"},
        page=f"/scenarios/{scenario.public_id}",
    )
    assert response.status_code == 403 and "hồ sơ cán bộ" in response.get_data(as_text=True)


def test_unit_outside_owner_subtree_cannot_play(client, login_as, world, session, factory):
    other_province = factory.unit("Tỉnh Khác", kind="province")
    scenario = import_good(session, world.commune_b)
    learner = factory.user("learner", other_province)
    session.commit()
    login_as(learner)
    assert scenario.title not in client.get("/scenarios/").get_data(as_text=True)
    assert client.get(f"/scenarios/{scenario.public_id}").status_code == 403


def _finished_assessed(session, world, factory, scenario):
    factory.profile(user=world.users["learner"])
    run = sv.start_run(session, scenario, world.users["learner"], RunMode.assessed, NOW)
    sv.advance(session, run, run.step, NOW)
    sv.choose(session, run, run.step, 1, NOW)
    sv.choose(session, run, run.step, 0, NOW)
    sv.respond(session, run, run.step, "Theo Điều 235", NOW)
    session.commit()
    return run


def test_grading_flow_and_scope(client, login_as, world, scenario, session, factory):
    run = _finished_assessed(session, world, factory, scenario)
    response = run.responses[0]
    outsider = factory.user("instructor", world.commune_b)
    session.commit()
    login_as(outsider)
    assert client.get(f"/scenarios/grading/{response.public_id}").status_code == 403
    assert response.public_id not in client.get("/scenarios/grading").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/scenarios/grading")})
    login_as(world.users["instructor"])
    queue = client.get("/scenarios/grading").get_data(as_text=True)
    assert response.public_id in queue
    page = client.get(f"/scenarios/grading/{response.public_id}").get_data(as_text=True)
    assert "MODEL-ANSWER-SECRET" in page
    bad = _post(client, f"/scenarios/grading/{response.public_id}", {"comment": "x"})
    assert bad.status_code == 400
    grading = f"/scenarios/grading/{response.public_id}"
    too_long = _post(client, grading, {"level-0": 2, "comment": "x" * 4001})
    assert too_long.status_code == 400 and 'href="#comment"' in too_long.get_data(as_text=True)
    ok = _post(client, f"/scenarios/grading/{response.public_id}", {"level-0": 2, "comment": "Rất tốt"})
    assert ok.status_code == 302
    result = session.scalar(select(Result).where(Result.origin_id == run.id))
    session.refresh(result)
    assert not result.pending and str(result.score) == "10.00"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/scenarios/grading")})
    login_as(world.users["learner"])
    summary = client.get(f"/scenarios/runs/{run.public_id}").get_data(as_text=True)
    assert "Rất tốt" in summary and "Điểm chấm: 4/4" in summary  # as the rubric levels are written


def test_author_creates_with_validation_and_approver_publishes(client, login_as, world, session):
    text = (DATA / "small.yaml").read_text("utf-8")
    login_as(world.users["instructor"])
    bad = _post(
        client,
        "/scenarios/manage/new",
        {"source": text.replace("start: s1", "start: zz"), "owner_unit_id": world.province.id},
    )
    assert bad.status_code == 200 and "Dòng 8" in bad.get_data(as_text=True)
    assert sv.latest(session, "nho") is None
    good = _post(client, "/scenarios/manage/new", {"source": text, "owner_unit_id": world.province.id})
    assert good.status_code == 302
    scenario = sv.latest(session, "nho")
    detail = client.get(good.headers["Location"]).get_data(as_text=True)
    assert "<svg" in detail and "<title" in detail and "sg-decision" in detail
    edit_url = f"/scenarios/manage/{scenario.public_id}/edit"
    broken = _post(
        client,
        edit_url,
        {"source": text.replace('      - label: "B"\n        points: 0\n        next: e1\n', "")},
    )
    assert "từ 2 đến 6 lựa chọn" in broken.get_data(as_text=True)
    _post(
        client,
        f"/scenarios/manage/{scenario.public_id}/submit",
        {},
        page=f"/scenarios/manage/{scenario.public_id}",
    )
    # the author may not approve
    response = _post(
        client,
        f"/scenarios/manage/{scenario.public_id}/review",
        {"action": "approve"},
        page=f"/scenarios/manage/{scenario.public_id}",
    )
    assert response.status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/scenarios/manage")})
    login_as(world.users["approver"])
    page = f"/scenarios/manage/{scenario.public_id}"
    assert (
        _post(client, f"{page}/review", {"action": "return"}, page=page).status_code == 400
    )  # comment needed
    assert _post(client, f"{page}/review", {"action": "approve"}, page=page).status_code == 302
    assert _post(client, f"{page}/review", {"action": "publish"}, page=page).status_code == 302
    session.refresh(scenario)
    assert scenario.status == ScenarioStatus.published


def test_editing_published_via_browser_makes_new_version(client, login_as, world, scenario, session):
    login_as(world.users["instructor"])
    page = f"/scenarios/manage/{scenario.public_id}"
    assert client.get(f"{page}/edit").status_code == 302  # published: not editable
    response = _post(client, f"{page}/new-version", {}, page=page)
    assert response.status_code == 302
    draft = sv.latest(session, scenario.code)
    assert draft.version == 2 and draft.status == ScenarioStatus.draft
    session.refresh(scenario)
    assert scenario.status == ScenarioStatus.published


def test_analytics_page(client, login_as, world, scenario, session, factory):
    _finished_assessed(session, world, factory, scenario)
    other = sv.start_run(session, scenario, world.learner_b, RunMode.practice, NOW)
    sv.advance(session, other, other.step, NOW)
    session.commit()
    login_as(world.users["instructor"])
    html = client.get(f"/scenarios/manage/{scenario.public_id}/analytics").get_data(as_text=True)
    assert "Thụ lý, lập Hội đồng hòa giải" in html and "d1→2 · d2→1 ⇒ e-good" in html
    assert "d1 · Bước 1 — 1 lượt" in html  # learner_b stopped at d1


def test_learner_cannot_open_staff_pages(client, login_as, world, scenario):
    login_as(world.users["learner"])
    for path in (
        "/scenarios/manage",
        "/scenarios/manage/new",
        "/scenarios/grading",
        f"/scenarios/manage/{scenario.public_id}/analytics",
    ):
        assert client.get(path).status_code == 403, path


# --- the intro page of a scenario with an unfinished run -------------------------------------


def test_intro_offers_to_continue_or_start_over_a_practice_run(client, login_as, world, scenario, session):
    login_as(world.users["learner"])
    intro = f"/scenarios/{scenario.public_id}"
    page = client.get(intro).get_data(as_text=True)
    assert "làm dở" not in page and "Luyện tập (không tính điểm)" in page
    run_url = _start(client, scenario)
    _post(client, run_url, {"step": 0, "action": "continue"})
    page = client.get(intro).get_data(as_text=True)
    assert "Đồng chí đang luyện tập dở tình huống này" in page
    assert "Đang ở bước: Bước 1" in page  # the node's title, not its id
    assert f'href="{run_url}">Tiếp tục luyện tập</a>' in page
    assert "Làm lại từ đầu" in page and "Luyện tập (không tính điểm)" not in page
    restart_url = f"{run_url}/restart"
    first = _post(client, restart_url, {}, page=intro)
    second = _post(client, restart_url, {}, page=intro)  # double tap
    assert first.status_code == second.status_code == 302
    fresh_url = first.headers["Location"]
    assert fresh_url != run_url and second.headers["Location"] == fresh_url
    assert session.scalar(select(func.count()).select_from(ScenarioRun)) == 2
    assert "Tình huống" in client.get(fresh_url).get_data(as_text=True)
    assert _step(client, fresh_url) == 0
    # the old tab: its page sends the learner to the intro, and its buttons change nothing
    old = client.get(run_url)
    assert old.status_code == 302 and old.headers["Location"].endswith(intro)
    assert "Đồng chí đã bỏ lượt này để làm lại từ đầu." in client.get(intro).get_data(as_text=True)
    _post(client, run_url, {"step": 1, "action": "choose", "choice": 1}, page=intro)
    old_run = session.scalar(select(ScenarioRun).where(ScenarioRun.status == RunStatus.abandoned))
    assert old_run.current_node == "d1" and old_run.steps == []


def test_intro_shows_why_an_assessed_run_cannot_start_over(
    client, login_as, world, scenario, session, factory
):
    factory.profile(user=world.users["learner"])
    session.execute(update(Scenario).where(Scenario.id == scenario.id).values(attempts_allowed=1))
    session.commit()
    login_as(world.users["learner"])
    intro = f"/scenarios/{scenario.public_id}"
    run_url = _start(client, scenario, mode="assessed")
    page = client.get(intro).get_data(as_text=True)
    assert "Đồng chí đang làm dở bài tính điểm của tình huống này" in page
    assert "Đang ở bước: Tình huống" in page and "Tiếp tục bài tính điểm" in page
    assert "Làm lại từ đầu" not in page and "dùng hết 1 lượt tính điểm" in page
    refused = _post(client, f"{run_url}/restart", {}, page=intro)
    assert refused.status_code == 409 and "dùng hết 1 lượt" in refused.get_data(as_text=True)


def test_restart_is_refused_to_others_and_without_csrf(client, login_as, world, scenario, session):
    run = sv.start_run(session, scenario, world.users["learner"], RunMode.practice, NOW)
    session.commit()
    restart_url = f"/scenarios/runs/{run.public_id}/restart"
    login_as(world.learner_b)
    assert _post(client, restart_url, {}, page="/scenarios/").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/scenarios/")})
    login_as(world.users["instructor"])  # may view the run (unit scope), never restart it
    assert _post(client, restart_url, {}, page="/scenarios/").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/scenarios/")})
    login_as(world.users["learner"])
    assert client.post(restart_url, data={}).status_code == 400
    session.refresh(run)
    assert run.in_progress


def test_grading_queue_names_the_step_of_the_answer(client, login_as, world, scenario, session, factory):
    run = _finished_assessed(session, world, factory, scenario)
    login_as(world.users["instructor"])
    queue = client.get("/scenarios/grading").get_data(as_text=True)
    assert f"{scenario.title} — Căn cứ pháp lý</a>" in queue
    assert "— r1<" not in queue and run.responses[0].node_id == "r1"


def test_analytics_counts_an_abandoned_run_where_it_stopped(client, login_as, world, scenario, session):
    run = sv.start_run(session, scenario, world.learner_b, RunMode.practice, NOW)
    sv.advance(session, run, run.step, NOW)
    sv.restart_run(session, run, world.learner_b, NOW)
    session.commit()
    login_as(world.users["instructor"])
    html = client.get(f"/scenarios/manage/{scenario.public_id}/analytics").get_data(as_text=True)
    assert "d1 · Bước 1 — 1 lượt" in html

"""Typing "nan", "inf" or "1e999999" in a number field is a form error, never a 500."""

import pytest

from tests.fixtures import csrf_token


@pytest.mark.parametrize("typed", ["nan", "NaN", "inf", "-Infinity", "snan", "1e999999"])
def test_non_finite_points_are_a_form_error(client, world, factory, login_as, typed):
    cadre = factory.profile(unit=world.commune_a, name="Người Được Chấm")
    login_as(world.users["instructor"])
    url = f"/evaluation/assess/{cadre.public_id}"
    response = client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "cohort_id": "1", "kind": "monthly", "month": "2026-03",
              "points": typed},  # fmt: skip
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert typed in html or "số" in html  # the field keeps what was typed or says what it wants

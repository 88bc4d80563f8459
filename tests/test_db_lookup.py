"""lms.db.get_by_public_id: the one lookup behind every service's get_<thing>(public_id)."""

from __future__ import annotations

import pytest

from lms.db import get_by_public_id
from lms.errors import NotFound
from lms.org.models import CadreProfile
from lms.programs.topics import get_topic
from lms.scenarios.documents import get_scenario


def test_finds_the_row_by_its_public_id(session, factory):
    profile = factory.profile()
    assert get_by_public_id(session, CadreProfile, profile.public_id, "Không tìm thấy hồ sơ.") is profile


def test_unknown_public_id_is_not_found_with_the_callers_message(session):
    with pytest.raises(NotFound) as caught:
        get_by_public_id(session, CadreProfile, "khong-co", "Không tìm thấy hồ sơ.")
    assert caught.value.message == "Không tìm thấy hồ sơ."
    assert caught.value.status == 404


@pytest.mark.parametrize(
    ("lookup", "message"),
    [(get_topic, "Không tìm thấy chuyên đề."), (get_scenario, "Không tìm thấy tình huống.")],
)
def test_services_keep_their_own_message(session, lookup, message):
    with pytest.raises(NotFound) as caught:
        lookup(session, "khong-co")
    assert caught.value.message == message


def test_loader_options_are_applied(session, factory):
    from sqlalchemy import inspect
    from sqlalchemy.orm import selectinload

    public_id = factory.profile().public_id
    session.flush()
    session.expunge_all()
    plain = get_by_public_id(session, CadreProfile, public_id, "x")
    assert "qualifications" in inspect(plain).unloaded
    session.expunge_all()
    loaded = get_by_public_id(
        session, CadreProfile, public_id, "x", selectinload(CadreProfile.qualifications)
    )
    assert "qualifications" not in inspect(loaded).unloaded

import datetime as dt

from sqlalchemy import func, select

from lms.org.models import Title, TitleStandard
from lms.org.services import seed_reference, standard_gaps


def test_reference_titles_have_legal_basis_and_validity(session):
    titles = {t.code: t for t in session.scalars(select(Title))}
    assert len([t for t in titles.values() if t.category == "can_bo"]) >= 11
    police = titles["truong-cong-an"]
    assert police.valid_to == dt.date(2023, 7, 31)
    assert not police.valid_on(dt.date(2024, 1, 1)) and police.valid_on(dt.date(2020, 1, 1))
    assert titles["cc-phong-kinh-te"].valid_from == dt.date(2025, 7, 1)
    assert all(t.legal_basis for t in titles.values())


def test_seeding_again_changes_nothing(session):
    count = session.scalar(select(func.count(TitleStandard.id)))
    seed_reference(session)
    session.flush()
    assert session.scalar(select(func.count(TitleStandard.id))) == count


def test_gaps_list_missing_levels_with_due_date(factory, session):
    profile = factory.profile(
        title="chu-tich-ubnd", qualifications=[("education", "thpt"), ("professional", "cao-dang")]
    )
    gaps = standard_gaps(session, profile, dt.date(2026, 11, 23))
    kinds = {g.kind: g for g in gaps}
    assert set(kinds) == {"professional", "political"}
    assert kinds["professional"].current == "Cao đẳng"
    assert kinds["professional"].due_by == dt.date(2028, 8, 1)
    assert not kinds["professional"].overdue
    assert kinds["political"].current is None


def test_higher_level_meets_a_lower_standard_and_overdue_is_flagged(factory, session):
    profile = factory.profile(
        title="chu-tich-ubnd",
        qualifications=[("education", "thpt"), ("professional", "thac-si"), ("political", "cao-cap")],
    )
    assert standard_gaps(session, profile, dt.date(2026, 11, 23)) == []
    weak = factory.profile(title="tu-phap-ho-tich", qualifications=[("education", "thpt")])
    gaps = standard_gaps(session, weak, dt.date(2028, 9, 1))
    assert gaps and gaps[0].overdue


def test_standards_are_only_applied_while_valid(factory, session):
    profile = factory.profile(title="chu-tich-ubnd", qualifications=[])
    assert standard_gaps(session, profile, dt.date(2020, 1, 1)) == []


def test_cadre_page_shows_gaps(client, world, factory, session, login_as):
    profile = factory.profile(
        unit=world.commune_a, title="bi-thu-dang-uy", qualifications=[("education", "thpt")]
    )
    session.commit()
    login_as(world.board_a)
    html = client.get(f"/cadres/{profile.public_id}").get_data(as_text=True)
    assert "Hạn đạt chuẩn" in html and "01/08/2028" in html

"""Small factories for test data (flush, never commit: the test's transaction is rolled back)."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import select

from lms.auth.models import Role, User
from lms.auth.services import hash_password
from lms.org.models import CadreProfile, QualificationKind, QualificationLevel, Title, Unit
from lms.org.services import create_unit

PASSWORD = "Mat-khau-2026!"
_HASH = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose
_counter = itertools.count(1)


class Factory:
    def __init__(self, session):
        self.session = session

    def unit(self, name: str | None = None, kind: str = "commune", parent: Unit | None = None) -> Unit:
        n = next(_counter)
        return create_unit(self.session, code=f"u{n}", name=name or f"Xã Thử {n}", kind=kind, parent=parent)

    def user(
        self, role: Role | str = Role.learner, unit: Unit | None = None, username: str | None = None, **extra
    ) -> User:
        n = next(_counter)
        user = User(
            username=username or f"user{n}",
            display_name=f"Người dùng {n}",
            role=Role(role),
            unit=unit or self.unit(),
            password_hash=_HASH,
            **extra,
        )
        self.session.add(user)
        self.session.flush()
        return user

    def title(self, code: str) -> Title:
        return self.session.scalar(select(Title).where(Title.code == code))

    def level(self, kind: str, code: str) -> QualificationLevel:
        return self.session.scalar(
            select(QualificationLevel).where(
                QualificationLevel.kind == QualificationKind(kind), QualificationLevel.code == code
            )
        )

    def profile(
        self,
        unit: Unit | None = None,
        user: User | None = None,
        title: str | None = "chu-tich-ubnd",
        name: str = "Nguyễn Văn An",
        qualifications=(),
        **extra,
    ) -> CadreProfile:
        profile = CadreProfile(
            birth_year=extra.pop("birth_year", 1980),
            gender=extra.pop("gender", "nam"),
            unit=unit or (user.unit if user else self.unit()),
            title=self.title(title) if title else None,
            title_since=extra.pop("title_since", dt.date(2021, 1, 1)),
            user_id=user.id if user else None,
            **extra,
        )
        profile.set_name(name)
        for kind, code in qualifications:
            from lms.org.models import CadreQualification

            profile.qualifications.append(CadreQualification(level=self.level(kind, code)))
        self.session.add(profile)
        self.session.flush()
        return profile

"""Build hook: the wheel carries what the installed app needs beside its code.

``migrations/`` and ``content/`` stay at the top of the repository (where Alembic and authors
expect them) and are copied into the built package as ``lms/_data/migrations`` and
``lms/_data/content``; the translation catalogs are compiled (.po → .mo), since the .mo files
are build products and not in git. ``lms.paths`` finds either layout.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = ("migrations", "content")


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "lms" / "_data"
        for name in SHIPPED:
            source = ROOT / name
            if source.is_dir():
                shutil.rmtree(target / name, ignore_errors=True)
                shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        self._compile_catalogs(Path(self.build_lib) / "lms" / "translations")

    @staticmethod
    def _compile_catalogs(folder: Path) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in folder.glob("*/LC_MESSAGES/*.po"):
            with po.open("rb") as source:
                catalog = read_po(source)
            with po.with_suffix(".mo").open("wb") as target:
                write_mo(target, catalog)


setup(cmdclass={"build_py": BuildWithData})

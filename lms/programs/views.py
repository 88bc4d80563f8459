from flask import Blueprint

from lms.programs import permissions  # noqa: F401  (registers the rules)

bp = Blueprint("programs", __name__)

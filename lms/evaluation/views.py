from flask import Blueprint

from lms.evaluation import permissions  # noqa: F401  (registers the rules)

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")

from flask import Blueprint

bp = Blueprint("voting", __name__, template_folder="templates")

from app.voting import resident_routes, staff_routes, templating  # noqa: E402,F401
from app.demo import EXTRA_STEPS  # noqa: E402
from app.voting.demo import seed_rounds  # noqa: E402

EXTRA_STEPS.append(seed_rounds)

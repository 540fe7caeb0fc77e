from flask import Blueprint

bp = Blueprint("proposals", __name__, template_folder="templates")

from app.proposals import routes, staff_routes  # noqa: E402,F401
from app.demo import EXTRA_STEPS  # noqa: E402
from app.proposals.demo import seed_proposals  # noqa: E402

EXTRA_STEPS.append(seed_proposals)

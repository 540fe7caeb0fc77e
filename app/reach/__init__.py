"""Who did we reach? The participation report per council and over time, the reference
distribution it is compared with, and the public summaries."""
from flask import Blueprint

bp = Blueprint("reach", __name__, template_folder="templates")

from app.demo import EXTRA_STEPS
from app.reach import routes, templating  # noqa: F401
from app.reach.demo import seed_reach

EXTRA_STEPS.append(seed_reach)

from flask import Blueprint

bp = Blueprint("compensation", __name__, template_folder="templates")

from app.compensation import payout_routes, routes, templating  # noqa: E402,F401
from app.compensation.demo import seed_allowances  # noqa: E402
from app.demo import EXTRA_STEPS  # noqa: E402

EXTRA_STEPS.append(seed_allowances)

from app.cli import EXTRA_COMMANDS  # noqa: E402
from app.compensation.cli import purge_volunteer_contacts_command  # noqa: E402

EXTRA_COMMANDS.append(purge_volunteer_contacts_command)

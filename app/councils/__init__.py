from flask import Blueprint

bp = Blueprint("councils", __name__, template_folder="templates")

from app.councils import resident_routes, routes, staff_routes  # noqa: E402,F401
from app.councils.demo import seed_councils  # noqa: E402
from app.demo import EXTRA_STEPS  # noqa: E402

EXTRA_STEPS.append(seed_councils)

from app.cli import EXTRA_COMMANDS  # noqa: E402
from app.councils.cli import purge_contacts_command  # noqa: E402

EXTRA_COMMANDS.append(purge_contacts_command)

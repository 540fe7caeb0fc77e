from flask import Blueprint

bp = Blueprint("voting", __name__, template_folder="templates")

from app.voting import evening_routes, resident_routes, results_routes, staff_routes, templating  # noqa: E402,F401
from app.demo import EXTRA_STEPS  # noqa: E402
from app.voting.demo import seed_rounds  # noqa: E402

EXTRA_STEPS.append(seed_rounds)

from app.cli import EXTRA_COMMANDS  # noqa: E402
from app.voting.cli import tally_command  # noqa: E402

EXTRA_COMMANDS.append(tally_command)

from app.cli import EXTRA_COMMANDS  # noqa: E402
from app.voting.bench_cli import bench_setup_command  # noqa: E402

EXTRA_COMMANDS.append(bench_setup_command)

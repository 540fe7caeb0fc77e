"""Who did we reach? The participation report per council and over time, the reference
distribution it is compared with, and the public summaries. Its views attach to `bp` when
create_app imports them; importing this package alone imports nothing else of the app."""

from flask import Blueprint

bp = Blueprint("reach", __name__, template_folder="templates")

"""The public domain. Its views attach to `bp` when create_app imports them; importing this
package alone imports nothing else of the app."""

from flask import Blueprint

bp = Blueprint("public", __name__, template_folder="templates")

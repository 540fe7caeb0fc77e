"""Every link between domains, declared in one place.

A domain never changes another by being imported. Where one domain shows something on
another's page, the page sends a signal declared here and ``create_app`` connects the
receivers (``app/__init__.py``, ``_connect_domains``): that function is the whole list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from blinker import Namespace, Signal


@dataclass(frozen=True)
class Link:
    url: str
    label: str


@dataclass(frozen=True)
class Panel:
    """A box on the staff dashboard for everyone holding ``role``."""

    role: Any  # app.roles.Role (kept loose so that this module imports nothing of the app)
    title: object
    links: tuple[tuple[str, object], ...]  # (endpoint, label)


_signals = Namespace()

#: Sent by the public home page (sender: None). Each receiver returns a dict that is merged
#: into the page's context, for example ``{"rounds": [...]}``.
home_page = _signals.signal("home-page")

#: Sent by a council's staff page (sender: the Council). Each receiver returns a list of Links.
council_page = _signals.signal("council-page")

#: Sent by a council's public page, its outcomes page and the outcomes e-mail (sender: the
#: Council; ``absolute=True`` in the e-mail). Each receiver returns a list of Links.
council_public_page = _signals.signal("council-public-page")

#: Sent by the resident's welcome page after signing in with a ticket (sender: the Ticket).
#: Each receiver returns ``{"url": ..., "label": ...}`` or None.
ticket_next_step = _signals.signal("ticket-next-step")


def collect(signal: Signal, sender: Any = None, **kwargs: Any) -> list:
    """The receivers' answers, leaving out None."""
    return [value for _receiver, value in signal.send(sender, **kwargs) if value is not None]


def collect_lists(signal: Signal, sender: Any = None, **kwargs: Any) -> list:
    """The receivers' lists, joined into one."""
    return [item for answer in collect(signal, sender, **kwargs) for item in answer]

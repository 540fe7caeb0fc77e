"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, and one that
refuses some recipients, as a full mailbox or a blocked address does."""

from __future__ import annotations

import socket
from collections.abc import Callable
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self):
        self.messages = []
        self.refuse: Callable[[str], bool] = lambda address: False
        self.on_data: Callable[[], None] | None = None  # runs while a message is being accepted

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse(address):
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.on_data is not None:
            self.on_data()
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_smtp() -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, inbox

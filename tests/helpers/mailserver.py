"""A real SMTP server on 127.0.0.1 for a test, and the mailbox that keeps what it accepts.

A pytest plugin (tests/conftest.py names it in pytest_plugins), so the worker's and the browser's
tests alike get the `smtp_server` fixture without importing it.
"""

import email
import email.policy
import socket
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    """A TCP port nothing listens on right now (aiosmtpd's Controller cannot take port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that keeps every message it accepts and refuses when told to.

    `busy` answers 451 to that many attempts, then accepts; `reject` answers 550 to all. `stage` is
    the SMTP command that refuses: "RCPT" or "DATA".
    """

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []  # each message's envelope recipients, in step
        self.peers: list[tuple[str, int]] = []  # each message's connection (address, port), in step
        self.refusals = 0
        self.noops = 0
        self.busy = 0
        self.reject = False
        self.stage = "DATA"

    def _refusal(self, stage: str) -> str | None:
        if stage != self.stage:
            return None
        if self.reject:
            self.refusals += 1
            return "550 5.1.1 no such user"
        if self.busy > 0:
            self.busy -= 1
            self.refusals += 1
            return "451 4.3.0 try again later"
        return None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if refusal := self._refusal("RCPT"):
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_NOOP(self, server, session, envelope, arg) -> str:
        self.noops += 1
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if refusal := self._refusal("DATA"):
            return refusal
        self.recipients.append(list(envelope.rcpt_tos))
        self.peers.append(tuple(session.peer))
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"

    def with_id(self, message_id: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["Message-ID"] == message_id]


class SmtpServer:
    def __init__(self, mailbox: Mailbox, port: int) -> None:
        self.mailbox, self.port = mailbox, port
        self.url = f"smtp://127.0.0.1:{port}"


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 for one test; its `mailbox` holds what arrived."""
    mailbox = Mailbox()
    for attempt in range(5):
        port = free_port()
        controller = Controller(mailbox, hostname="127.0.0.1", port=port)
        try:
            controller.start()
            break
        except OSError:  # another xdist worker took the port between free_port() and here
            controller.loop.close()
            if attempt == 4:
                raise
    try:
        yield SmtpServer(mailbox, port)
    finally:
        controller.stop()

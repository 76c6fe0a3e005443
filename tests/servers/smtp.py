"""A real SMTP server on 127.0.0.1 (aiosmtpd) that records what it receives.

It can be stopped and started again on the same port (to kill it in the
middle of a mailing) and told to answer the next messages with a temporary
(4xx) or permanent (5xx) failure.
"""

import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage

    @property
    def to(self) -> str:
        return self.message["To"]

    @property
    def subject(self) -> str:
        return self.message["Subject"]

    def header(self, name):
        return self.message[name]

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part else ""

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part else ""


class _Handler:
    def __init__(self, server):
        self.server = server

    async def handle_MAIL(self, smtp, session, envelope, address, mail_options):
        with self.server.lock:
            if self.server.sender_refusals:
                return self.server.sender_refusals.pop(0)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope):
        with self.server.lock:
            if self.server.failures:
                return self.server.failures.pop(0)
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.server.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), message)
            )
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.received: list[Received] = []
        self.failures: list[str] = []
        self.sender_refusals: list[str] = []
        self.lock = threading.Lock()
        self._controller = None

    def start(self):
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def fail_next(self, count: int = 1, reply: str = "451 4.3.0 Try again later"):
        """Answer the next ``count`` messages with ``reply`` instead of accepting them."""
        with self.lock:
            self.failures.extend([reply] * count)

    def refuse_sender_next(self, count: int = 1, reply: str = "550 5.7.1 Sender not allowed"):
        """Refuse the sender (MAIL FROM) of the next ``count`` messages: the
        server refuses the site, not a recipient (say, a wrong relay setting)."""
        with self.lock:
            self.sender_refusals.extend([reply] * count)

    def to(self, address: str) -> list[Received]:
        return [m for m in self.received if address in m.rcpt_tos]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received

    def clear(self):
        with self.lock:
            self.received.clear()

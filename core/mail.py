"""Email helpers every app uses: one rendered message per recipient, plain text
plus HTML, RFC 8058 unsubscribe headers, and batches over one SMTP connection.

Templates for a message named ``prefix`` are ``prefix_subject.txt``,
``prefix.txt`` and (optional) ``prefix.html``, e.g.
``comments/email/reply_subject.txt``.
"""

import email.policy
import smtplib
from itertools import chain

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.template.exceptions import TemplateDoesNotExist
from django.template.loader import render_to_string


def unsubscribe_headers(url: str, *, mailto: str | None = None) -> dict[str, str]:
    """List-Unsubscribe headers for one-click unsubscribe (RFC 2369 and RFC 8058).

    ``url`` must accept a POST with no login (the mail client sends
    ``List-Unsubscribe=One-Click``)."""
    targets = [f"<{url}>"]
    if mailto:
        targets.append(f"<mailto:{mailto}>")
    return {
        "List-Unsubscribe": ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


class _Message(EmailMultiAlternatives):
    """Writes URL-valued list headers on one line, as they are: folding a long
    URL would turn it into RFC 2047 encoded words, which mail clients do not
    read as a List-Unsubscribe address (RFC 5322 allows lines of 998)."""

    unfolded_headers = ("List-Unsubscribe",)

    def message(self, *, policy=email.policy.default):
        msg = super().message(policy=policy)
        for name in self.unfolded_headers:
            value = self.extra_headers.get(name)
            if value and name in msg:
                del msg[name]
                msg.set_raw(name, value)
        msg.policy = msg.policy.clone(refold_source="none")
        return msg


def render_email(
    *,
    template_prefix: str,
    context: dict,
    to: str,
    headers: dict[str, str] | None = None,
    from_email: str | None = None,
    reply_to: list[str] | None = None,
) -> EmailMultiAlternatives:
    """One message to one recipient: nobody ever sees another recipient's address."""
    context = {"SITE_URL": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
    body = render_to_string(f"{template_prefix}.txt", context)
    message = _Message(
        subject=subject,
        body=body,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers or {},
        reply_to=reply_to,
    )
    try:
        html = render_to_string(f"{template_prefix}.html", context)
    except TemplateDoesNotExist:
        html = None
    if html:
        message.attach_alternative(html, "text/html")
    return message


def send_batch(messages, *, on_result=None) -> int:
    """Send messages over one connection of the default mailer; errors propagate
    (the calling task decides what to retry).

    With ``on_result(message, error)``, messages are handed over one at a time
    and the callback hears about each (``error`` is None once the server has
    accepted it, else the exception), so a caller can record every recipient;
    the callback returns False to end the batch (say, the connection is gone).
    ``messages`` may be a generator: it is read one message at a time."""
    if on_result is None:
        messages = list(messages)
        if not messages:
            return 0
        with mailers.default as connection:
            return connection.send_messages(messages) or 0
    messages = iter(messages)
    first = next(messages, None)
    if first is None:
        return 0
    sent = 0
    with mailers.default as connection:
        for message in chain([first], messages):
            try:
                connection.send_messages([message])
            except (OSError, smtplib.SMTPException, ValueError) as error:
                if on_result(message, error) is False:
                    break
            else:
                sent += 1
                if on_result(message, None) is False:
                    break
    return sent


# What a failed send means; every app that retries mail decides by this.
PERMANENT, TEMPORARY, CONNECTION = "permanent", "temporary", "connection"


def classify(error: BaseException) -> tuple[str, str]:
    """(kind, reason) for an error from sending one message (OSError,
    SMTPException or ValueError): PERMANENT, the server refused this recipient
    or message for good (5xx), or it cannot be encoded; TEMPORARY, this
    recipient or message may go through later (4xx); CONNECTION, the server is
    gone or refuses us rather than the recipient (sender refused, HELO, auth):
    try again later, and end a batch."""

    def text(value):
        return value.decode(errors="replace") if isinstance(value, bytes) else str(value)

    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, message = next(iter(error.recipients.values()))
        return (PERMANENT if code >= 500 else TEMPORARY), f"{code} {text(message)}"
    if isinstance(error, smtplib.SMTPDataError):
        kind = PERMANENT if error.smtp_code >= 500 else TEMPORARY
        return kind, f"{error.smtp_code} {text(error.smtp_error)}"
    if isinstance(error, smtplib.SMTPResponseException):  # sender refused, HELO, auth
        return CONNECTION, f"{error.smtp_code} {text(error.smtp_error)}"
    if isinstance(error, ValueError):  # an address Django cannot encode
        return PERMANENT, str(error)
    return CONNECTION, f"{type(error).__name__}: {error}"[:500]

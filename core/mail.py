"""Email helpers every app uses: one rendered message per recipient, plain text
plus HTML, RFC 8058 unsubscribe headers, and batches over one SMTP connection.

Templates for a message named ``prefix`` are ``prefix_subject.txt``,
``prefix.txt`` and (optional) ``prefix.html``, e.g.
``comments/email/reply_subject.txt``.
"""

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
    message = EmailMultiAlternatives(
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


def send_batch(messages) -> int:
    """Send messages over one connection of the default mailer; errors propagate
    (the calling task decides what to retry)."""
    messages = list(messages)
    if not messages:
        return 0
    with mailers.default as connection:
        return connection.send_messages(messages) or 0

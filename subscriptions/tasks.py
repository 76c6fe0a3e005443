"""Background work of the subscriptions app, run by the task worker
(``manage.py db_worker``). django.tasks has no retries of its own: a task that
meets a temporary failure queues itself again with ``run_after``."""

import logging
import smtplib
from datetime import timedelta

from django.tasks import default_task_backend, task
from django.utils import timezone

from core.mail import PERMANENT, classify, render_email, send_batch
from core.models import SiteSettings
from subscriptions import mailings, services
from subscriptions.models import Subscriber

logger = logging.getLogger(__name__)

CONFIRMATION_RETRY_DELAYS = [60, 600, 3600]


def can_schedule() -> bool:
    """Whether the task backend can run a task later (``run_after``)."""
    return default_task_backend.supports_defer


def enqueue_at(task_obj, when=None, **kwargs):
    """Enqueue ``task_obj`` now, or at ``when`` when that is in the future.
    A backend that cannot defer (the immediate one) skips future work."""
    if when is not None and when > timezone.now():
        if not can_schedule():
            logger.info("Not scheduling %s for %s: the task backend cannot defer.", task_obj, when)
            return None
        return task_obj.using(run_after=when).enqueue(**kwargs)
    return task_obj.enqueue(**kwargs)


@task
def send_confirmation(*, payload: dict, attempt: int = 1):
    """Email the double opt-in link; the subscriber confirms from its page."""
    subscriber = Subscriber.objects.filter(pk=payload["s"]).first()
    if subscriber is None:
        return "gone"
    message = render_email(
        template_prefix="subscriptions/email/confirm",
        context={
            "site": SiteSettings.get_solo(),
            "subscriber": subscriber,
            "frequency": Subscriber.Frequency(payload["f"]).label,
            "confirm_url": services.confirm_url(payload),
            "already_subscribed": subscriber.is_active,
        },
        to=subscriber.email,
        headers={"Auto-Submitted": "auto-generated"},
    )
    try:
        send_batch([message])
    except (OSError, smtplib.SMTPException) as error:
        kind, reason = classify(error)
        if kind == PERMANENT or attempt > len(CONFIRMATION_RETRY_DELAYS):
            logger.warning("Confirmation for subscriber %s not sent: %s", subscriber.pk, reason)
            return f"failed: {reason}"
        delay = timedelta(seconds=CONFIRMATION_RETRY_DELAYS[attempt - 1])
        enqueue_at(send_confirmation, timezone.now() + delay, payload=payload, attempt=attempt + 1)
        return f"retry queued: {reason}"
    return "sent"


@task
def start_post_mailing(*, post_id: int, published_at: str):
    """At the post's publication time: create its mailing and send it."""
    mailing = mailings.start_post_mailing(post_id=post_id, published_at=published_at)
    if mailing is None:
        return {"status": "not mailed"}
    return mailings.send(mailing_id=mailing.pk, attempt=1)


@task
def send_mailing(*, mailing_id: int, attempt: int = 1):
    return mailings.send(mailing_id=mailing_id, attempt=attempt)


@task
def watch_mailing(*, mailing_id: int):
    return mailings.watch(mailing_id=mailing_id)


@task
def send_weekly_digest(*, period_end: str):
    """Send the week's digest, having queued next week's run (no cron)."""
    mailing = mailings.run_digest(period_end=period_end)
    if mailing is None:
        return {"status": "nothing new this week"}
    return mailings.send(mailing_id=mailing.pk, attempt=1)

"""Mailings: a new post (once, ever), a dated update the author chose to send,
and the weekly digest; and sending them so that every subscriber gets exactly
one email, whatever the mail server or the worker does.

How sending stays exactly-once:
- every recipient has a Delivery row, created when the mailing starts;
- a run claims a batch of rows in the database (``FOR UPDATE SKIP LOCKED``),
  then sends the batch over one SMTP connection, one message at a time: each
  row is stamped ``attempted_at`` just before its message is handed over and
  marked sent as soon as the server accepts it;
- a temporary failure puts the row back (to retry later, the run re-enqueues
  itself with ``run_after``); a permanent one marks it failed with the reason;
- if the worker dies, the watchdog task notices the mailing made no progress,
  puts the claimed rows that were never attempted back, and resumes. The one
  row that was in the server's hands at the crash is marked "interrupted"
  rather than sent again: it may have arrived.
"""

import logging
import smtplib
import uuid
from datetime import datetime, timedelta
from functools import partial
from itertools import batched
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from core.html import absolute_urls
from core.mail import (
    CONNECTION,
    PERMANENT,
    classify,
    render_email,
    send_batch,
    unsubscribe_headers,
)
from core.models import SiteSettings
from core.sites import absolute_url
from posts.models import Post, PostUpdate
from posts.text import plain_text, without_markup
from subscriptions import services
from subscriptions.models import Delivery, DigestSchedule, Mailing, Subscriber

logger = logging.getLogger(__name__)

DIGEST_GRACE = timedelta(hours=1)
FINISHED = (Mailing.Status.DONE, Mailing.Status.NOT_SENT)


def max_attempts() -> int:
    return len(settings.SUBSCRIPTIONS_RETRY_DELAYS) + 1


def _stale_after() -> timedelta:
    return timedelta(seconds=settings.SUBSCRIPTIONS_STALE_AFTER)


def _enqueue(task_name, *, when=None, **kwargs):
    """Enqueue a task of this app after the current transaction commits."""
    from subscriptions import tasks

    transaction.on_commit(partial(tasks.enqueue_at, getattr(tasks, task_name), when, **kwargs))


# --- Starting mailings ------------------------------------------------------


def post_saved(post: Post, *, imported: bool = False) -> None:
    """A post was saved: if it is (or will be) published and was never mailed,
    queue its mailing for its publication time. Nothing is sent early: the
    task checks, when it runs, that the post is still due at that time.

    An imported post (published or scheduled) was news on the old site, whose
    own mailing list had it or would have: it is recorded as never to be
    mailed, so neither the import nor a later edit here mails it."""
    if post.status != Post.Status.PUBLISHED or post.published_at is None:
        return
    if imported:
        Mailing.objects.get_or_create(
            kind=Mailing.Kind.NEW_POST,
            post=post,
            defaults={
                "subject": post.title[:300],
                "status": Mailing.Status.NOT_SENT,
                "finished_at": timezone.now(),
            },
        )
        return
    window = timedelta(hours=settings.SUBSCRIPTIONS_NEW_POST_WINDOW_HOURS)
    if post.published_at < timezone.now() - window:
        return  # backdated or imported: not news
    if Mailing.objects.filter(kind=Mailing.Kind.NEW_POST, post=post).exists():
        return
    transaction.on_commit(
        partial(_schedule_post_mailing, post_id=post.pk, published_at=post.published_at)
    )


def _schedule_post_mailing(*, post_id, published_at):
    from subscriptions import tasks

    tasks.enqueue_at(
        tasks.start_post_mailing,
        published_at,
        post_id=post_id,
        published_at=published_at.isoformat(),
    )
    ensure_digest_scheduled()


def start_post_mailing(*, post_id: int, published_at: str) -> Mailing | None:
    """Create the post's one mailing, if the post is published as it was when
    the task was queued (a post moved to a later time has a newer task), and
    if it was never mailed."""
    post = Post.objects.published().filter(pk=post_id).first()
    if post is None or post.published_at != datetime.fromisoformat(published_at):
        return None
    return _create_mailing(
        Subscriber.objects.for_new_posts(),
        kind=Mailing.Kind.NEW_POST,
        post=post,
        subject=post.title,
    )


def start_update_mailing(update: PostUpdate) -> Mailing | None:
    """The author chose to email a dated update (once per update). Subscribers
    to every post get it now; digest readers find it in their next digest."""
    mailing = _create_mailing(
        Subscriber.objects.for_new_posts(),
        kind=Mailing.Kind.UPDATE,
        post=update.post,
        update=update,
        subject=_("Update: %(title)s") % {"title": update.post.title},
    )
    if mailing is not None:
        _enqueue("send_mailing", mailing_id=mailing.pk, attempt=1)
    return mailing


def _create_mailing(recipients, **fields) -> Mailing | None:
    try:
        with transaction.atomic():
            mailing = Mailing.objects.create(heartbeat_at=timezone.now(), **fields)
            add_recipients(mailing, recipients)
    except IntegrityError:
        return None  # mailed already: the database allows it once
    _watch(mailing)
    return mailing


def add_recipients(mailing: Mailing, subscribers) -> None:
    ids = subscribers.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=2000)
    for chunk in batched(ids, 2000, strict=False):
        Delivery.objects.bulk_create(
            [Delivery(mailing=mailing, subscriber_id=pk) for pk in chunk], ignore_conflicts=True
        )


# --- The weekly digest ------------------------------------------------------


def next_digest_time(after: datetime) -> datetime:
    """The first digest time (weekday and hour in the site's time zone) after ``after``."""
    local = timezone.localtime(after)
    candidate = local.replace(
        hour=settings.SUBSCRIPTIONS_DIGEST_HOUR, minute=0, second=0, microsecond=0
    ) + timedelta(days=(settings.SUBSCRIPTIONS_DIGEST_WEEKDAY - local.weekday()) % 7)
    if candidate <= local:
        candidate += timedelta(days=7)
    return candidate


def ensure_digest_scheduled() -> DigestSchedule | None:
    """Make sure the digest's next run is queued. The digest task queues its
    own next run; this restarts the chain if it was never started or broke
    (its next run is long overdue). Called when a post is published and when
    someone chooses the digest."""
    from subscriptions import tasks

    if not tasks.can_schedule():
        return None
    now = timezone.now()
    with transaction.atomic():
        schedule = DigestSchedule.objects.select_for_update().filter(pk=1).first()
        if schedule is not None and schedule.next_run_at > now - DIGEST_GRACE:
            return schedule
        when = next_digest_time(now)
        if schedule is None:
            try:
                with transaction.atomic():
                    schedule = DigestSchedule.objects.create(pk=1, next_run_at=when)
            except IntegrityError:  # started by someone else just now
                return None
        else:
            schedule.next_run_at = when
            schedule.save(update_fields=["next_run_at"])
        _enqueue("send_weekly_digest", when=when, period_end=when.isoformat())
    return schedule


def run_digest(*, period_end: str) -> Mailing | None:
    """The digest for the week up to ``period_end``: new posts and the updates
    the author sent, to digest subscribers. Queues the next run first thing,
    so a failure here does not end the chain."""
    end = datetime.fromisoformat(period_end)
    with transaction.atomic():
        schedule = DigestSchedule.objects.select_for_update().filter(pk=1).first()
        if schedule is None or schedule.next_run_at != end:
            return None  # a stale duplicate of the chain
        start = schedule.last_period_end or end - timedelta(days=7)
        schedule.last_period_end = end
        schedule.next_run_at = next_digest_time(max(end, timezone.now()))
        schedule.save()
        _enqueue(
            "send_weekly_digest",
            when=schedule.next_run_at,
            period_end=schedule.next_run_at.isoformat(),
        )
        # Housekeeping that needs no cron either: unconfirmed addresses go.
        Subscriber.objects.stale_pending().delete()
    posts = _digest_posts(start, end)
    updates = _digest_updates(start, end)
    if not posts and not updates:
        return None
    count = len(posts)
    subject = (
        _("%(count)d new post this week") if count == 1 else _("%(count)d new posts this week")
    ) % {"count": count}
    if not posts:
        subject = _("An update this week")
    return _create_mailing(
        Subscriber.objects.for_digest(),
        kind=Mailing.Kind.DIGEST,
        period_start=start,
        period_end=end,
        subject=subject,
    )


def _digest_posts(start, end):
    """The week's new posts, less the imported ones (not news here)."""
    imported = Mailing.objects.filter(
        kind=Mailing.Kind.NEW_POST, status=Mailing.Status.NOT_SENT, post=OuterRef("pk")
    )
    return list(
        Post.objects.published()
        .filter(published_at__gt=start, published_at__lte=end)
        .exclude(Exists(imported))
        .select_related("author__author_profile")
        .order_by("published_at")
    )


def _digest_updates(start, end):
    return list(
        PostUpdate.objects.filter(
            mailings__kind=Mailing.Kind.UPDATE,
            mailings__created_at__gt=start,
            mailings__created_at__lte=end,
            post__in=Post.objects.published(),
        )
        .select_related("post")
        .order_by("date", "pk")
    )


# --- Composing --------------------------------------------------------------


class Composer:
    """Builds each recipient's message; what all recipients share is rendered once."""

    def __init__(self, mailing: Mailing):
        self.mailing = mailing
        self.template_prefix = f"subscriptions/email/{mailing.kind}"
        site = SiteSettings.get_solo()
        self.list_id = f"{site.site_title} <posts.{urlsplit(settings.SITE_URL).hostname}>"
        self.context = {"site": site, "mailing": mailing, **self._content()}

    def _content(self) -> dict:
        mailing = self.mailing
        if mailing.kind == Mailing.Kind.DIGEST:
            posts = _digest_posts(mailing.period_start, mailing.period_end)
            return {
                "posts": [self._post(post, full=False) for post in posts],
                "updates": [
                    {
                        "update": update,
                        "post": update.post,
                        "url": absolute_url(update.get_absolute_url()),
                    }
                    for update in _digest_updates(mailing.period_start, mailing.period_end)
                ],
            }
        post = mailing.post
        if post is None:
            return {}
        content = {"item": self._post(post, full=settings.SUBSCRIPTIONS_FULL_TEXT)}
        if mailing.kind == Mailing.Kind.UPDATE and mailing.update is not None:
            content["update"] = mailing.update
            content["update_html"] = absolute_urls(without_markup(mailing.update.text))
            content["update_text"] = plain_text(mailing.update.text)
            content["update_url"] = absolute_url(mailing.update.get_absolute_url())
        return content

    @staticmethod
    def _post(post: Post, *, full: bool) -> dict:
        profile = getattr(post.author, "author_profile", None)
        return {
            "post": post,
            "url": absolute_url(post.get_absolute_url()),
            "author": profile.full_name if profile else post.author.get_username(),
            "summary": post.summary,
            "body_html": absolute_urls(without_markup(post.body)) if full else "",
            "body_text": plain_text(post.body) if full else "",
        }

    def message(self, subscriber: Subscriber):
        unsubscribe = services.unsubscribe_url(subscriber)
        context = {
            **self.context,
            "subscriber": subscriber,
            "unsubscribe_url": unsubscribe,
            "preferences_url": services.preferences_url(subscriber),
        }
        headers = {**unsubscribe_headers(unsubscribe), "List-Id": self.list_id}
        return render_email(
            template_prefix=self.template_prefix,
            context=context,
            to=subscriber.email,
            headers=headers,
        )


# --- Sending ----------------------------------------------------------------


def send(*, mailing_id: int, attempt: int = 1) -> dict:
    """One run over a mailing's waiting recipients, in batches; afterwards the
    mailing is finished, or a retry is queued for what is left."""
    mailing = Mailing.objects.select_related("post__author__author_profile", "update").filter(
        pk=mailing_id
    )
    mailing = mailing.first()
    if mailing is None or mailing.status in FINISHED:
        return {"status": "nothing to do"}
    if not _take_over_interrupted(mailing):
        return {"status": "busy"}
    Mailing.objects.filter(pk=mailing.pk).update(
        status=Mailing.Status.SENDING,
        attempt=attempt,
        next_attempt_at=None,
        heartbeat_at=timezone.now(),
    )
    composer = Composer(mailing)
    run = uuid.uuid4().hex
    sent = 0
    while True:
        batch = _claim(mailing, run=run, attempt=attempt)
        if not batch:
            break
        batch_sent, stopped = _send_claimed(batch, composer, run=run, attempt=attempt)
        sent += batch_sent
        if stopped:
            break
    return {"status": _after_run(mailing, attempt), "sent": sent}


def _claim(mailing: Mailing, *, run: str, attempt: int) -> list[Delivery]:
    with transaction.atomic():
        ids = list(
            Delivery.objects.filter(
                mailing=mailing, status=Delivery.Status.PENDING, attempts__lt=attempt
            )
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[: settings.SUBSCRIPTIONS_BATCH_SIZE]
        )
        if not ids:
            return []
        now = timezone.now()
        Delivery.objects.filter(pk__in=ids).update(
            status=Delivery.Status.CLAIMED, claim=run, claimed_at=now, attempted_at=None
        )
        Mailing.objects.filter(pk=mailing.pk).update(heartbeat_at=now)
    return list(Delivery.objects.filter(pk__in=ids).select_related("subscriber").order_by("pk"))


def _send_claimed(batch, composer, *, run: str, attempt: int) -> tuple[int, bool]:
    """Send a claimed batch over one connection. Returns (sent, stopped).

    One statement (one commit) per message: it marks the message about to be
    handed over as attempted (while this run's claim on it holds) and the one
    the server just accepted as sent."""
    state = {"current": None, "accepted": None, "stopped": False, "sent": 0}
    inactive = [d.pk for d in batch if not d.subscriber.is_active]
    if inactive:
        Delivery.objects.filter(pk__in=inactive, claim=run).update(
            status=Delivery.Status.SKIPPED, claim="", reason="No longer subscribed"
        )

    def record(next_pk=None) -> bool:
        """Mark the accepted message sent and ``next_pk`` attempted; False if
        ``next_pk`` is no longer ours (a resumed run took it over)."""
        accepted, state["accepted"] = state["accepted"], None
        if accepted is None and next_pk is None:
            return True
        now = timezone.now()
        wanted = Q(pk=next_pk, claim=run, status=Delivery.Status.CLAIMED)
        updated = Delivery.objects.filter(Q(pk=accepted) | wanted).update(
            attempted_at=Case(When(pk=next_pk, then=Value(now)), default=F("attempted_at")),
            status=Case(When(pk=accepted, then=Value(Delivery.Status.SENT)), default=F("status")),
            sent_at=Case(When(pk=accepted, then=Value(now)), default=F("sent_at")),
            claim=Case(When(pk=accepted, then=Value("")), default=F("claim")),
        )
        return next_pk is None or updated == (2 if accepted is not None else 1)

    def messages():
        for delivery in batch:
            if not delivery.subscriber.is_active:
                continue
            message = composer.message(delivery.subscriber)
            if not record(next_pk=delivery.pk):
                continue
            state["current"] = delivery
            yield message

    def on_result(message, error):
        delivery, state["current"] = state["current"], None
        if error is None:
            state["accepted"] = delivery.pk
            state["sent"] += 1
            return True
        kind, reason = classify(error)
        _record_failure(delivery, kind=kind, reason=reason, attempt=attempt)
        if kind == CONNECTION:
            state["stopped"] = True
            return False
        return True

    try:
        send_batch(messages(), on_result=on_result)
    except (OSError, smtplib.SMTPException) as error:
        # The connection could not be opened (or closed): the message in hand
        # never reached the server.
        state["stopped"] = True
        if state["current"] is not None:
            _kind, reason = classify(error)
            _record_failure(state["current"], kind=CONNECTION, reason=reason, attempt=attempt)
    finally:
        record()  # the last accepted message
        # Rows of this batch never handed over go back to the queue as they were.
        Delivery.objects.filter(
            claim=run, status=Delivery.Status.CLAIMED, attempted_at__isnull=True
        ).update(status=Delivery.Status.PENDING, claim="", claimed_at=None)
    return state["sent"], state["stopped"]


def _record_failure(delivery, *, kind, reason, attempt):
    if kind == PERMANENT:
        fields = {"status": Delivery.Status.FAILED}
    else:
        fields = {"status": Delivery.Status.PENDING, "attempts": attempt, "attempted_at": None}
    Delivery.objects.filter(pk=delivery.pk).update(claim="", reason=reason[:500], **fields)


def _take_over_interrupted(mailing: Mailing) -> bool:
    """Rows claimed by a run that stopped making progress (its worker died) are
    taken back. False while another run is still at work on the mailing."""
    claimed = Delivery.objects.filter(mailing=mailing, status=Delivery.Status.CLAIMED)
    if not claimed.exists():
        return True
    heartbeat = mailing.heartbeat_at
    if heartbeat is not None and heartbeat > timezone.now() - _stale_after():
        return False
    claimed.filter(attempted_at__isnull=False).update(
        status=Delivery.Status.UNKNOWN,
        claim="",
        reason=_(
            "The worker stopped while handing this email to the mail server. It may "
            "have arrived, so it was not sent again."
        ),
    )
    claimed.filter(attempted_at__isnull=True).update(
        status=Delivery.Status.PENDING, claim="", claimed_at=None
    )
    return True


def _after_run(mailing: Mailing, attempt: int) -> str:
    deliveries = Delivery.objects.filter(mailing=mailing)
    if deliveries.filter(status=Delivery.Status.CLAIMED).exists():
        return "another run is sending"
    waiting = deliveries.filter(status=Delivery.Status.PENDING)
    if waiting.exists() and attempt < max_attempts():
        when = timezone.now() + timedelta(seconds=settings.SUBSCRIPTIONS_RETRY_DELAYS[attempt - 1])
        Mailing.objects.filter(pk=mailing.pk).update(
            status=Mailing.Status.RETRYING, next_attempt_at=when
        )
        _enqueue("send_mailing", when=when, mailing_id=mailing.pk, attempt=attempt + 1)
        return "retry queued"
    for delivery in waiting:
        delivery.status = Delivery.Status.FAILED
        delivery.reason = (
            _("Gave up after %(count)d attempts. Last error: %(reason)s")
            % {"count": attempt, "reason": delivery.reason or "-"}
        )[:500]
        delivery.save(update_fields=["status", "reason"])
    Mailing.objects.filter(pk=mailing.pk).update(
        status=Mailing.Status.DONE, finished_at=timezone.now(), next_attempt_at=None
    )
    return "done"


# --- The watchdog -----------------------------------------------------------


def _watch(mailing: Mailing, *, after: datetime | None = None) -> None:
    when = (after or timezone.now()) + _stale_after() + timedelta(minutes=1)
    _enqueue("watch_mailing", when=when, mailing_id=mailing.pk)


def watch(*, mailing_id: int) -> str:
    """Checks on a mailing until it is done; resumes it if it is stuck (its
    worker died, or its retry was lost). Queued when the mailing starts."""
    mailing = Mailing.objects.filter(pk=mailing_id).first()
    if mailing is None or mailing.status in FINISHED:
        return "done"
    now = timezone.now()
    if (
        mailing.status == Mailing.Status.RETRYING
        and mailing.next_attempt_at
        and mailing.next_attempt_at > now - _stale_after()
    ):
        _watch(mailing, after=max(mailing.next_attempt_at, now))
        return "waiting for its retry"
    if mailing.heartbeat_at and mailing.heartbeat_at > now - _stale_after():
        _watch(mailing, after=mailing.heartbeat_at)
        return "sending"
    attempt = mailing.attempt + 1
    if attempt > max_attempts():
        _take_over_interrupted(mailing)
        _after_run(mailing, max_attempts())
        return "gave up"
    logger.warning("Mailing %s made no progress: resuming it (attempt %d).", mailing.pk, attempt)
    Mailing.objects.filter(pk=mailing.pk).update(heartbeat_at=None)
    _enqueue("send_mailing", mailing_id=mailing.pk, attempt=attempt)
    _watch(mailing)
    return "resumed"


def stalled():
    """Mailings that are not done and made no progress for a while."""
    cutoff = timezone.now() - _stale_after()
    return Mailing.objects.exclude(status__in=FINISHED).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True),
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=cutoff),
    )

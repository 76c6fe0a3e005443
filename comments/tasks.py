"""Work done after the request: emails (one per recipient, retried while the
mail server is unreachable) and spam/ham reports to Akismet."""

import logging
import smtplib
from datetime import timedelta

import akismet as akismet_library
from django.conf import settings
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from comments import akismet
from comments.models import Comment
from comments.services import comment_settings
from comments.text import mask_text
from core.mail import PERMANENT, classify, render_email, send_batch, unsubscribe_headers
from core.signing import action_url
from core.sites import absolute_url

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY = timedelta(hours=6)


def _retry_or_fail(task_obj, attempt: int, error: Exception, **kwargs) -> dict:
    """Queue the task again later with a growing delay, or give up loudly."""
    backend = task_obj.get_backend()
    if attempt >= settings.COMMENTS_RETRY_ATTEMPTS or not backend.supports_defer:
        logger.error("%s failed for good after %d attempts: %s", task_obj.name, attempt, error)
        raise error
    delay = min(timedelta(minutes=2 ** (attempt - 1)), MAX_RETRY_DELAY)
    task_obj.using(run_after=timezone.now() + delay).enqueue(**kwargs, attempt=attempt + 1)
    logger.warning("%s failed (%s); trying again in %s", task_obj.name, error, delay)
    return {"retry": attempt + 1, "error": str(error)}


def mute_url(payload: dict) -> str:
    return action_url("comments:mute", "comment-mute", payload)


def confirm_url(comment: Comment) -> str:
    return action_url(
        "comments:confirm", "comment-confirm", {"comment": comment.pk, "email": comment.user_email}
    )


def build_email(*, kind: str, comment: Comment, to: str, scope: str, subscription_id):
    """The message for one recipient, or None when it no longer applies."""
    post = comment.post
    context = {
        "comment": comment,
        "post": post,
        "text": mask_text(comment.comment),
        "comment_url": absolute_url(comment.get_absolute_url()),
        "post_url": absolute_url(post.get_absolute_url()),
    }
    headers = {}
    if kind == "confirm":
        if comment.confirmed_at is not None or comment.user_email.lower() != to.lower():
            return None
        context["confirm_url"] = confirm_url(comment)
        context["days"] = settings.COMMENTS_CONFIRM_DAYS
    elif kind == "followup":
        if comment.status != Comment.Status.PUBLISHED:
            return None
        subscription = Comment.objects.filter(pk=subscription_id).first()
        wanted = Comment.Follow.REPLIES if scope == "replies" else Comment.Follow.ALL
        if subscription is None or subscription.follow != wanted:
            return None  # muted since
        if scope == "replies":
            payload = {"scope": "replies", "comment": subscription.pk, "email": to}
        else:
            payload = {"scope": "all", "post": post.pk, "email": to}
        context.update(
            scope=scope,
            subscription=subscription,
            name=subscription.user_name,
            mute_url=mute_url(payload),
        )
        headers = unsubscribe_headers(context["mute_url"])
    elif kind == "author":
        if comment.status == Comment.Status.SPAM:
            return None
        if not comment_settings().notifies_author(post.author):
            return None  # muted since
        opts = Comment._meta
        context.update(
            held=comment.status != Comment.Status.PUBLISHED,
            queue_url=absolute_url(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
                + "?status__exact=pending"
            ),
            admin_url=absolute_url(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[comment.pk])
            ),
            mute_url=mute_url({"scope": "author", "user": post.author_id, "email": to}),
        )
        headers = unsubscribe_headers(context["mute_url"])
    else:
        raise ValueError(f"Unknown comment email: {kind}")
    return render_email(
        template_prefix=f"comments/email/{kind}", context=context, to=to, headers=headers
    )


@task
def send_comment_email(
    *, kind: str, comment_id: int, to: str, scope: str = "", subscription_id=None, attempt=1
):
    """Send one comment email to one recipient (retried if the server is down)."""
    comment = Comment.objects.select_related("post").filter(pk=comment_id).first()
    if comment is None:
        return {"sent": 0, "skipped": "the comment is gone"}
    message = build_email(
        kind=kind, comment=comment, to=to, scope=scope, subscription_id=subscription_id
    )
    if message is None:
        return {"sent": 0, "skipped": "no longer applies"}
    try:
        sent = send_batch([message])
    except (OSError, smtplib.SMTPException, ValueError) as error:
        kind_of_failure, reason = classify(error)
        if kind_of_failure == PERMANENT:
            logger.error("The mail server refused a %s email to %s: %s", kind, to, reason)
            raise
        return _retry_or_fail(
            send_comment_email,
            attempt,
            error,
            kind=kind,
            comment_id=comment_id,
            to=to,
            scope=scope,
            subscription_id=subscription_id,
        )
    return {"sent": sent}


@task
def send_privacy_link(*, email: str, what: str, attempt=1):
    """Email a commenter the link that exports or erases their comments."""
    message = render_email(
        template_prefix="comments/email/privacy",
        context={
            "what": what,
            "url": action_url(
                "comments:privacy_action", "comment-privacy", {"email": email, "what": what}
            ),
            "days": settings.COMMENTS_CONFIRM_DAYS,
        },
        to=email,
    )
    try:
        return {"sent": send_batch([message])}
    except (OSError, smtplib.SMTPException, ValueError) as error:
        if classify(error)[0] == PERMANENT:
            raise
        return _retry_or_fail(send_privacy_link, attempt, error, email=email, what=what)


@task
def report_to_akismet(*, comment_id: int, spam: bool, attempt=1):
    """submit-spam / submit-ham with what was stored at posting (IP, browser, referrer)."""
    comment = Comment.objects.select_related("post", "user").filter(pk=comment_id).first()
    if comment is None or not comment.ip_address or not akismet.is_configured():
        return {"reported": False}
    try:
        akismet.submit(comment, spam=spam)
    except akismet_library.RequestError as error:
        return _retry_or_fail(report_to_akismet, attempt, error, comment_id=comment_id, spam=spam)
    return {"reported": True, "spam": spam}

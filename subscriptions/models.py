"""Email subscribers, the mailings sent to them and one delivery record per
recipient. Only what the service needs is stored: the address, how often to
write, the consent record (when, from which form, from which IP, when
confirmed) and the delivery log."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Subscriber.Status.CONFIRMED)

    def for_new_posts(self):
        """Who gets an email for each new post (and each update the author sends)."""
        return self.confirmed().filter(frequency=Subscriber.Frequency.IMMEDIATE)

    def for_digest(self):
        return self.confirmed().filter(frequency=Subscriber.Frequency.WEEKLY)

    def with_email(self, email):
        return self.filter(email__iexact=email.strip())

    def stale_pending(self):
        """Addresses never confirmed: kept only as long as a confirmation could still come."""
        cutoff = timezone.now() - timedelta(days=settings.SUBSCRIPTIONS_PENDING_DAYS)
        return self.filter(status=Subscriber.Status.PENDING, created_at__lt=cutoff)


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Subscribed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        BOUNCED = "bounced", _("Bounced (the address does not work)")

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("Every new post")
        WEEKLY = "weekly", _("A weekly digest")

    email = models.EmailField(_("email address"), max_length=254)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    frequency = models.CharField(
        _("what to send"), max_length=20, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    # The consent record: which form (or import), when, from which address, and
    # when the owner of the address confirmed it.
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("The form or the import the address came from."),
    )
    consent_at = models.DateTimeField(_("subscribed"), null=True, blank=True)
    consent_ip = models.GenericIPAddressField(_("subscribed from IP"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("marked as bounced"), null=True, blank=True)
    bounce_reason = models.CharField(_("bounce reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("record created"), auto_now_add=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="subscriber_email_unique_ci",
                violation_error_message=_("This address is already on the list."),
            ),
        ]
        indexes = [models.Index(fields=["status", "frequency"])]

    def __str__(self):
        return self.email

    @property
    def is_active(self):
        return self.status == self.Status.CONFIRMED


class MailingQuerySet(models.QuerySet):
    def with_counts(self):
        counts = {
            f"{status}_count": models.Count("deliveries", filter=Q(deliveries__status=status))
            for status in Delivery.Status.values
        }
        return self.annotate(recipient_count=models.Count("deliveries"), **counts)


class Mailing(models.Model):
    """One email sent to many subscribers: a new post, a dated update the author
    chose to send, or a weekly digest. A post is mailed once, ever: the
    database refuses a second new-post mailing for it. An imported post gets
    a new-post mailing that is "not sent" (no recipients), so it never is."""

    class Kind(models.TextChoices):
        NEW_POST = "post", _("New post")
        UPDATE = "update", _("Dated update")
        DIGEST = "digest", _("Weekly digest")

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        RETRYING = "retrying", _("Waiting to retry")
        DONE = "done", _("Finished")
        NOT_SENT = "not-sent", _("Not sent: imported, it was news on the old site")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    post = models.ForeignKey(
        "posts.Post",
        verbose_name=_("post"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mailings",
    )
    update = models.ForeignKey(
        "posts.PostUpdate",
        verbose_name=_("dated update"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mailings",
    )
    period_start = models.DateTimeField(_("digest from"), null=True, blank=True)
    period_end = models.DateTimeField(_("digest until"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENDING
    )
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = MailingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = "created_at"
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")
        constraints = [
            models.UniqueConstraint(
                fields=["post"], condition=Q(kind="post"), name="mailing_post_once"
            ),
            models.UniqueConstraint(
                fields=["update"], condition=Q(kind="update"), name="mailing_update_once"
            ),
            models.UniqueConstraint(
                fields=["period_end"], condition=Q(kind="digest"), name="mailing_digest_once"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.subject}"


class Delivery(models.Model):
    """One recipient of one mailing: claimed before sending, so a retried or
    resumed mailing never emails anyone twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        CLAIMED = "claimed", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (no longer subscribed)")
        UNKNOWN = "unknown", _("Interrupted (may have arrived)")

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("temporary failures"), default=0)
    claim = models.CharField(max_length=32, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempted_at = models.DateTimeField(_("handed to the mail server"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["mailing", "pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "subscriber"], name="delivery_once_per_mailing"
            ),
        ]
        indexes = [models.Index(fields=["mailing", "status"])]

    def __str__(self):
        return f"{self.subscriber} · {self.get_status_display()}"


class DigestSchedule(models.Model):
    """When the weekly digest runs next. The digest task schedules its own next
    run; this row lets a broken chain (a lost task) be noticed and restarted."""

    next_run_at = models.DateTimeField(_("next digest"))
    last_period_end = models.DateTimeField(_("last digest covered until"), null=True)

    class Meta:
        verbose_name = _("digest schedule")
        verbose_name_plural = _("digest schedule")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="digest_schedule_single")]

    def __str__(self):
        return f"Next digest {self.next_run_at:%Y-%m-%d %H:%M}"

"""A subscriber's life: subscribe (double opt-in), confirm, change what to
receive, leave, and export or erase the record. Views, the admin and the CSV
import call these; emails go out after commit through tasks."""

import hashlib
from datetime import UTC, datetime
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.ratelimit import is_limited
from core.signing import action_url
from subscriptions.models import Delivery, Subscriber

CONFIRM = "subscription-confirm"
UNSUBSCRIBE = "subscription-unsubscribe"
PREFERENCES = "subscription-preferences"

# Confirmation emails one inbox can receive per day, whoever asks.
CONFIRMATIONS_PER_ADDRESS = 3


def normalize_email(email: str) -> str:
    """Trimmed, with the domain in lower case (the local part may be case-sensitive)."""
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


def confirm_url(payload: dict) -> str:
    return action_url("subscriptions:confirm", CONFIRM, payload)


def unsubscribe_url(subscriber: Subscriber) -> str:
    return action_url("subscriptions:unsubscribe", UNSUBSCRIBE, {"s": subscriber.pk})


def preferences_url(subscriber: Subscriber, *, absolute: bool = True) -> str:
    return action_url(
        "subscriptions:preferences", PREFERENCES, {"s": subscriber.pk}, absolute=absolute
    )


def request_subscription(*, email: str, frequency: str, source: str, ip: str | None) -> None:
    """What the subscribe form does, the same for every address (nothing tells
    a known address from a new one): an address not yet confirmed is stored
    as pending, and a confirmation link goes to the address. An address
    already subscribed (or that left) changes only when its owner confirms."""
    email = normalize_email(email)
    now = timezone.now()
    consent = {"f": frequency, "src": source[:200], "ip": ip or None, "at": int(now.timestamp())}
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().with_email(email).first()
        if subscriber is None:
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(email=email, **_consent_fields(consent))
            except IntegrityError:  # the same address, submitted twice at once
                subscriber = Subscriber.objects.with_email(email).get()
        elif subscriber.status == Subscriber.Status.PENDING:
            for field, value in _consent_fields(consent).items():
                setattr(subscriber, field, value)
            subscriber.save()
        digest = hashlib.sha256(email.lower().encode()).hexdigest()
        if is_limited("subscribe-address", digest, limit=CONFIRMATIONS_PER_ADDRESS, window=86400):
            return
        from subscriptions import tasks

        transaction.on_commit(
            partial(tasks.send_confirmation.enqueue, payload={"s": subscriber.pk, **consent})
        )


def _consent_fields(consent: dict) -> dict:
    return {
        "frequency": consent["f"],
        "source": consent["src"],
        "consent_ip": consent["ip"],
        "consent_at": datetime.fromtimestamp(consent["at"], tz=UTC),
    }


def confirm(subscriber: Subscriber, payload: dict) -> Subscriber:
    """The owner of the address confirmed (by POST from the emailed link): the
    consent record is the form they filled in, confirmed now."""
    for field, value in _consent_fields(payload).items():
        setattr(subscriber, field, value)
    subscriber.status = Subscriber.Status.CONFIRMED
    subscriber.confirmed_at = timezone.now()
    subscriber.unsubscribed_at = subscriber.bounced_at = None
    subscriber.bounce_reason = ""
    subscriber.save()
    if subscriber.frequency == Subscriber.Frequency.WEEKLY:
        from subscriptions import mailings

        transaction.on_commit(mailings.ensure_digest_scheduled)
    return subscriber


def resubscribe(subscriber: Subscriber, *, ip: str | None) -> Subscriber:
    """Back on the list from the preferences page (whose link proves the address)."""
    return confirm(
        subscriber,
        {
            "f": subscriber.frequency,
            "src": "Preferences page",
            "ip": ip or None,
            "at": int(timezone.now().timestamp()),
        },
    )


def set_frequency(subscriber: Subscriber, frequency: str) -> Subscriber:
    subscriber.frequency = frequency
    subscriber.save(update_fields=["frequency"])
    if frequency == Subscriber.Frequency.WEEKLY and subscriber.is_active:
        from subscriptions import mailings

        transaction.on_commit(mailings.ensure_digest_scheduled)
    return subscriber


def unsubscribe(subscriber: Subscriber) -> Subscriber:
    """No more emails. The address is kept, marked, so that nothing (an import,
    a mailing already under way) writes to it again; erase() removes it."""
    if subscriber.status != Subscriber.Status.UNSUBSCRIBED:
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["status", "unsubscribed_at"])
    return subscriber


def mark_bounced(subscribers, *, reason: str = "Marked as a hard bounce by the author") -> int:
    """Hard bounces: the address does not work, so nothing more is sent to it."""
    return subscribers.exclude(status=Subscriber.Status.BOUNCED).update(
        status=Subscriber.Status.BOUNCED, bounced_at=timezone.now(), bounce_reason=reason[:300]
    )


def export_record(subscriber: Subscriber) -> dict:
    """Everything stored about one subscriber, for them to download."""
    deliveries = (
        Delivery.objects.filter(subscriber=subscriber)
        .select_related("mailing")
        .order_by("mailing__created_at", "pk")
    )
    iso = lambda value: value.isoformat() if value else None  # noqa: E731
    return {
        "email": subscriber.email,
        "status": subscriber.get_status_display(),
        "receives": subscriber.get_frequency_display(),
        "consent": {
            "source": subscriber.source,
            "subscribed_at": iso(subscriber.consent_at),
            "ip_address": subscriber.consent_ip,
            "confirmed_at": iso(subscriber.confirmed_at),
        },
        "unsubscribed_at": iso(subscriber.unsubscribed_at),
        "bounced_at": iso(subscriber.bounced_at),
        "record_created_at": iso(subscriber.created_at),
        "emails": [
            {
                "subject": delivery.mailing.subject,
                "kind": delivery.mailing.get_kind_display(),
                "status": delivery.get_status_display(),
                "sent_at": iso(delivery.sent_at),
                "reason": delivery.reason,
            }
            for delivery in deliveries
        ],
    }


def erase(subscriber: Subscriber) -> None:
    """Delete the record and its delivery log."""
    subscriber.delete()

"""Demo content for subscriptions: two subscribers with made-up addresses on
example.com (one for every new post, one for the weekly digest), so that
`make run` shows the admin's counts and, when the author publishes a post,
the emails that land in var/mail/. Idempotent."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from subscriptions import mailings
from subscriptions.models import Subscriber

TZ = ZoneInfo(settings.TIME_ZONE)
DEMO_SUBSCRIBERS = [
    ("reader@example.com", Subscriber.Frequency.IMMEDIATE, datetime(2010, 5, 3, 18, 12, tzinfo=TZ)),
    (
        "weekly.reader@example.com",
        Subscriber.Frequency.WEEKLY,
        datetime(2011, 1, 9, 7, 40, tzinfo=TZ),
    ),
]


def load(*, stdout, style):
    for email, frequency, when in DEMO_SUBSCRIBERS:
        Subscriber.objects.update_or_create(
            email=email,
            defaults={
                "status": Subscriber.Status.CONFIRMED,
                "frequency": frequency,
                "source": "Demo subscriber",
                "consent_at": when,
                "confirmed_at": when,
            },
        )
    mailings.ensure_digest_scheduled()
    stdout.write(f"Demo subscribers: {', '.join(e for e, *_ in DEMO_SUBSCRIBERS)}.")

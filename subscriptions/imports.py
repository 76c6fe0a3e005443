"""Moving in: subscribers from a CSV export (WordPress / Jetpack, or another
list tool), kept as confirmed with their original subscription date and the
file as their source. Nothing is guessed silently: the report lists every
row not imported (invalid, duplicate, or not an active subscriber in the old
system) and every row imported with a caveat."""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from subscriptions.models import Subscriber
from subscriptions.services import normalize_email

# Header names, compared lower-case with everything but letters removed.
EMAIL_COLUMNS = {
    "email",
    "emailaddress",
    "useremail",
    "subscriberemail",
    "subscriber",
    "mail",
    "emailaddr",
}
DATE_COLUMNS = {
    "date",
    "subscribed",
    "datesubscribed",
    "subscribeddate",
    "subscribedat",
    "subscriptiondate",
    "subscribedon",
    "since",
    "created",
    "createdat",
    "datecreated",
    "dateadded",
    "subscribedate",
    "signupdate",
    "joined",
    "optintime",
    "confirmtime",
}
STATUS_COLUMNS = {"status", "emailsubscription", "subscriptionstatus", "state"}
# Statuses meaning "not an active, consenting subscriber" in the old system.
INACTIVE = {
    "unsubscribed",
    "notsubscribed",
    "notconfirmed",
    "unconfirmed",
    "pending",
    "inactive",
    "bounced",
    "notsending",
    "blocked",
    "cleaned",
}
DATE_FORMATS = [
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
]


@dataclass
class ImportReport:
    dry_run: bool
    imported: list = field(default_factory=list)  # (line, email)
    duplicates: list = field(default_factory=list)  # (line, email, reason)
    invalid: list = field(default_factory=list)  # (line, value, reason)
    skipped: list = field(default_factory=list)  # (line, email, reason)
    warnings: list = field(default_factory=list)  # (line, email, message)
    error: str = ""

    @property
    def not_imported(self):
        return len(self.duplicates) + len(self.invalid) + len(self.skipped)

    def lines(self):
        """The report as plain text lines (for the management command)."""
        verb = "Would import" if self.dry_run else "Imported"
        if self.error:
            yield f"Not imported: {self.error}"
            return
        imported, rest = len(self.imported), self.not_imported
        yield (
            f"{verb} {imported} subscriber{'s' if imported != 1 else ''}; "
            f"{rest} row{'s' if rest != 1 else ''} not imported."
        )
        for title, rows in (
            ("Invalid", self.invalid),
            ("Duplicate", self.duplicates),
            ("Skipped", self.skipped),
            ("Note", self.warnings),
        ):
            for line, value, reason in rows:
                yield f"  {title}, line {line}: {value}: {reason}"


def _cell(row, index) -> str:
    return row[index].strip() if index is not None and index < len(row) else ""


def _key(header: str) -> str:
    return re.sub(r"[^a-z]", "", header.lower())


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def parse_date(value: str):
    """An aware datetime from the formats list exports use, or None."""
    value = value.strip()
    if not value:
        return None
    parsed = None
    if value.isdigit() and len(value) >= 9:  # a Unix timestamp
        return datetime.fromtimestamp(int(value), tz=timezone.get_current_timezone())
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        for fmt in DATE_FORMATS:
            try:
                parsed = datetime.strptime(value, fmt)  # noqa: DTZ007 - made aware below
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def import_csv(file, *, source: str, dry_run: bool = False) -> ImportReport:
    """Import subscribers from ``file`` (bytes, text or a file object)."""
    report = ImportReport(dry_run=dry_run)
    data = file.read() if hasattr(file, "read") else file
    text = _decode(data) if isinstance(data, bytes) else data
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    rows = [
        (number, row) for number, row in enumerate(rows, start=1) if any(c.strip() for c in row)
    ]
    if not rows:
        report.error = "the file is empty."
        return report

    header = [_key(cell) for cell in rows[0][1]]
    email_col = next((i for i, name in enumerate(header) if name in EMAIL_COLUMNS), None)
    if email_col is None:
        if "@" in rows[0][1][0]:  # no header row: addresses in the first column
            email_col, date_col, status_col = 0, 1, None
        else:
            report.error = (
                "no column of email addresses was found. The first row should name the "
                "columns, one of them “email”."
            )
            return report
    else:
        date_col = next((i for i, name in enumerate(header) if name in DATE_COLUMNS), None)
        status_col = next((i for i, name in enumerate(header) if name in STATUS_COLUMNS), None)
        rows = rows[1:]

    known = set(Subscriber.objects.values_list(Lower("email"), flat=True))
    seen = {}
    now = timezone.now()
    new = []
    for line, row in rows:
        raw = _cell(row, email_col)
        email = normalize_email(raw) if raw else ""
        try:
            validate_email(email)
        except ValidationError:
            report.invalid.append((line, raw or "(empty)", "not a valid email address"))
            continue
        key = email.lower()
        if key in seen:
            report.duplicates.append((line, email, f"already on line {seen[key]} of this file"))
            continue
        seen[key] = line
        if key in known:
            report.duplicates.append((line, email, "already on the list here (left unchanged)"))
            continue
        status = _cell(row, status_col)
        if _key(status) in INACTIVE:
            report.skipped.append((line, email, f"“{status}” in the export: not imported"))
            continue
        raw_date = _cell(row, date_col)
        when = parse_date(raw_date) if raw_date else None
        if when is None or when > now:
            problem = f"date “{raw_date}” not understood" if raw_date else "no date"
            report.warnings.append((line, email, f"{problem}: the import date is used"))
            when = now
        new.append(
            Subscriber(
                email=email,
                status=Subscriber.Status.CONFIRMED,
                frequency=Subscriber.Frequency.IMMEDIATE,
                source=source[:200],
                consent_at=when,
                confirmed_at=when,
            )
        )
        report.imported.append((line, email))
    if not dry_run and new:
        with transaction.atomic():
            Subscriber.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return report

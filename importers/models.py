from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from importers.storage import upload_storage


class ImportRun(models.Model):
    """One import of a WordPress export: its options, progress and report.

    Runs started from the admin upload a file and run as a task; runs of
    ``manage.py import_wxr`` are recorded too, so the history is in one place."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Refused or failed")

    file = models.FileField(
        _("WordPress export file"),
        upload_to="wxr/%Y/%m/",
        storage=upload_storage,
        blank=True,
        max_length=300,
        help_text=_(
            "In WordPress: Tools → Export → All content. Upload the .xml file it downloads."
        ),
    )
    file_name = models.CharField(_("file"), max_length=300, blank=True)
    allow_hosts = models.CharField(
        _("also fetch images and documents from"),
        max_length=500,
        blank=True,
        help_text=_(
            "Host names, separated by spaces, besides the blog's own (for example "
            "“example.files.wordpress.com”). Leave empty if unsure."
        ),
    )
    skip_pings = models.BooleanField(
        _("skip pingbacks and trackbacks"),
        default=False,
        help_text=_("Leave out notifications that other blogs linked to a post."),
    )
    dry_run = models.BooleanField(
        _("trial run"),
        default=True,
        help_text=_("Read everything and show the report, but change nothing on this site."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    phase = models.CharField(_("now doing"), max_length=100, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    error = models.TextField(_("why it stopped"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(max_length=20, default="admin", editable=False)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("WordPress import")
        verbose_name_plural = _("WordPress imports")

    def __str__(self):
        kind = _("Trial import") if self.dry_run else _("Import")
        return f"{kind} of {self.file_name or '?'} ({self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self):
        return reverse("admin:importers_importrun_change", args=[self.pk])

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self):
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class WordPressItem(models.Model):
    """The mapping from a WordPress object to ours: what makes imports
    idempotent and old links answerable.

    ``site`` is the export's blog address (scheme left out), ``wp_id`` the
    WordPress ID (a post, term or comment ID; an author's login), ``guid`` the
    post GUID. ``source_hash`` fingerprints the WordPress data last imported:
    an unchanged item is left alone, so edits made here survive a re-import of
    the same export."""

    class Kind(models.TextChoices):
        AUTHOR = "author", _("author")
        CATEGORY = "category", _("category")
        TAG = "tag", _("tag")
        POST = "post", _("post")
        PAGE = "page", _("page")
        ATTACHMENT = "attachment", _("attachment")
        COMMENT = "comment", _("comment")
        PING = "ping", _("pingback or trackback")

    site = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    wp_id = models.CharField(max_length=200)
    guid = models.CharField(max_length=500, blank=True)
    old_url = models.CharField(_("address on WordPress"), max_length=500, blank=True)
    source_hash = models.CharField(max_length=64, blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    data = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["site", "kind", "pk"]
        verbose_name = _("imported WordPress item")
        verbose_name_plural = _("imported WordPress items")
        constraints = [
            models.UniqueConstraint(fields=["site", "kind", "wp_id"], name="wpitem_unique_id"),
        ]
        indexes = [
            models.Index(fields=["kind", "wp_id"]),
            models.Index(fields=["kind", "guid"]),
            models.Index(fields=["content_type", "object_id"]),
        ]

    def __str__(self):
        return f"WordPress {self.kind} {self.wp_id} ({self.site})"


class ImportedDocument(models.Model):
    """A non-image file that was attached in WordPress (PDF, slides...): where
    it came from, and where it lives now.

    Posts link to it at its new address from the moment it is imported. A
    document that a post links to and that the bibliography accepts becomes a
    reference's attachment (``importers.steps.references``): from then on the
    file lives there only (``attachment``; ``file`` is emptied), this row stays
    as the record of its origin, and its address is the attachment's. ``links``
    says which posts and pages link to it, with what words."""

    file = models.FileField(_("file"), upload_to="documents/%Y/%m/", max_length=300, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    original_url = models.URLField(_("address on WordPress"), max_length=500, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    parent_post = models.ForeignKey(
        "posts.Post",
        verbose_name=_("attached to post"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attachment = models.ForeignKey(
        "references.Attachment",
        verbose_name=_("now in the bibliography as"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="imported_documents",
    )
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("imported document")
        verbose_name_plural = _("imported documents")

    def __str__(self):
        return self.title or self.file.name or self.original_url

    def get_absolute_url(self):
        """Where readers get the file: the bibliography's attachment once adopted."""
        if self.attachment_id:
            return self.attachment.get_absolute_url()
        return self.file.url if self.file else ""


class ImportedPing(models.Model):
    """A pingback or trackback the WordPress blog received: another site said
    it linked to a post. Kept as the record it is; never shown as a reader's
    comment (this site takes no pings)."""

    class Kind(models.TextChoices):
        PINGBACK = "pingback", _("pingback")
        TRACKBACK = "trackback", _("trackback")

    class State(models.TextChoices):
        APPROVED = "approved", _("approved")
        PENDING = "pending", _("awaiting moderation")
        SPAM = "spam", _("spam")

    post = models.ForeignKey(
        "posts.Post", verbose_name=_("post"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    state = models.CharField(_("state in WordPress"), max_length=10, choices=State.choices)
    source_title = models.CharField(_("linking page"), max_length=300, blank=True)
    source_url = models.URLField(_("its address"), max_length=500, blank=True)
    excerpt = models.TextField(_("excerpt"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"))

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("pingback or trackback")
        verbose_name_plural = _("pingbacks and trackbacks")
        indexes = [models.Index(fields=["post", "received_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} from {self.source_title or self.source_url}"


class DocumentLink(models.Model):
    """A link from an imported post or page to an imported document, with the
    words of the link ("Morphinan Neuroprotection by Zhang... (PDF) 450k")."""

    document = models.ForeignKey(ImportedDocument, on_delete=models.CASCADE, related_name="links")
    post = models.ForeignKey(
        "posts.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    page = models.ForeignKey(
        "posts.Page", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.CharField(_("link text"), max_length=500, blank=True)
    position = models.PositiveIntegerField(_("order in the text"), default=0)

    class Meta:
        ordering = ["post", "page", "position"]
        verbose_name = _("link to a document")
        verbose_name_plural = _("links to documents")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(post__isnull=False) | models.Q(page__isnull=False),
                name="documentlink_has_source",
            ),
        ]

    def __str__(self):
        return self.text or str(self.document)

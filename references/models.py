"""The bibliography: references (CSL-JSON shaped), their authors and attached files,
and the references a post lists under it.

Citation numbers are never stored: they are computed when a post is rendered
(references.citations)."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower, Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from solo.models import SingletonModel
from taggit.managers import TaggableManager

from core import pagecache
from references.storage import get_attachment_storage

# A key is what ``[@key]`` in a post cites, so it is exactly what the citation
# parser (references.citations) reads as one: letters, digits and - _ : . with
# no . or : at the end (there they are the sentence's punctuation: [@zhang2004.]).
KEY_PATTERN = r"[A-Za-z0-9_](?:[A-Za-z0-9_:.-]*[A-Za-z0-9_-])?"
RESERVED_KEYS = {"unapi", "export", "files", "thumbnails", "post", "pmid", "doi"}
KEY_RE = re.compile(rf"^{KEY_PATTERN}$")
DOI_PREFIXES = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)


def normalize_doi(value: str) -> str:
    """``https://doi.org/10.1000/ABC`` → ``10.1000/abc`` (DOIs are case-insensitive)."""
    return DOI_PREFIXES.sub("", (value or "").strip()).strip().lower()


def normalize_pmid(value) -> str:
    return str(value or "").strip().removeprefix("PMID:").strip()


def normalize_pmcid(value) -> str:
    value = str(value or "").strip().upper()
    if value.isdigit():
        value = f"PMC{value}"
    return value


class BibliographySettings(SingletonModel):
    """How citations and reference lists look on the site (one row)."""

    class Style(models.TextChoices):
        AMA = "american-medical-association", _("AMA (American Medical Association, 11th ed.)")
        NLM = "nlm-citation-sequence", _("NLM / Vancouver (citation–sequence)")

    citation_style = models.CharField(
        _("citation style"),
        max_length=60,
        choices=Style.choices,
        default=Style.AMA,
        help_text=_("Used for the numbered reference lists under posts and on the bibliography."),
    )

    class Meta:
        verbose_name = _("bibliography settings")
        verbose_name_plural = _("bibliography settings")

    def __str__(self):
        return str(_("Bibliography settings"))

    @classmethod
    def current_style(cls) -> str:
        """The chosen style (a post page asks on every view: kept until a change,
        this model being one of PAGE_CACHE_MODELS)."""
        return pagecache.fragment("citation-style", lambda: cls.get_solo().citation_style)


class ReferenceQuerySet(models.QuerySet):
    def with_details(self):
        """Authors and attachments in two queries, whatever the number of references."""
        return self.prefetch_related("creators", "attachments")

    def for_export(self):
        """Authors, tags and conditions prefetched: all the writers in
        references.formats read (they need no files)."""
        return self.prefetch_related("creators", "tags", "conditions")

    def matching(self, *, keys=(), pmids=(), dois=()):
        """References whose key, PMID or DOI is among the given ones."""
        condition = Q(pk__in=[])
        if keys:
            condition |= Q(key__in=list(keys))
        if pmids:
            condition |= Q(pmid__in=list(pmids))
        if dois:
            condition |= Q(doi__in=[normalize_doi(doi) for doi in dois])
        return self.filter(condition)


class Reference(models.Model):
    """One cited work. Field names follow CSL-JSON so import, export and the
    citation processor need no mapping tables."""

    class Type(models.TextChoices):
        ARTICLE = "article-journal", _("Journal article")
        TALK = "speech", _("Conference talk or poster")
        BOOK = "book", _("Book")
        CHAPTER = "chapter", _("Book chapter")
        WEBPAGE = "webpage", _("Web page")
        REPORT = "report", _("Report")

    key = models.CharField(
        _("citation key"),
        max_length=100,
        unique=True,
        blank=True,
        validators=[
            RegexValidator(
                KEY_RE,
                _(
                    "Use letters, digits and - _ : . only, with no spaces and no . or : "
                    "at the end (e.g. zhang2004)."
                ),
            )
        ],
        help_text=_(
            "What you type in a post to cite it: [@zhang2004]. Left empty, it is made from "
            "the first author and the year."
        ),
    )
    type = models.CharField(_("type"), max_length=30, choices=Type.choices, default=Type.ARTICLE)
    genre = models.CharField(
        _("kind of talk"),
        max_length=100,
        blank=True,
        help_text=_("For talks: “Poster”, “Slides”, “Keynote”… (optional)."),
    )
    title = models.CharField(_("title"), max_length=500)
    container_title = models.CharField(
        _("journal, book or conference proceedings"),
        max_length=300,
        blank=True,
        help_text=_("The journal's full name, e.g. “Multiple Sclerosis”."),
    )
    container_title_short = models.CharField(
        _("journal abbreviation (NLM)"),
        max_length=150,
        blank=True,
        help_text=_("As in PubMed, e.g. “Mult Scler”. Used by the AMA and NLM styles."),
    )
    volume = models.CharField(_("volume"), max_length=30, blank=True)
    issue = models.CharField(_("issue"), max_length=30, blank=True)
    page = models.CharField(_("pages"), max_length=50, blank=True, help_text=_("e.g. 271-302"))
    issued_year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    issued_month = models.PositiveSmallIntegerField(
        _("month"), null=True, blank=True, help_text=_("1–12, optional.")
    )
    issued_day = models.PositiveSmallIntegerField(_("day"), null=True, blank=True)
    event_title = models.CharField(
        _("event (conference) name"),
        max_length=300,
        blank=True,
        help_text=_("For talks and posters, e.g. “4th Annual LDN Conference”."),
    )
    event_place = models.CharField(_("event place"), max_length=200, blank=True)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    publisher_place = models.CharField(_("publisher's city"), max_length=200, blank=True)
    url = models.URLField(_("web address"), max_length=500, blank=True)
    abstract = models.TextField(_("abstract"), blank=True)
    doi = models.CharField(
        "DOI",
        max_length=200,
        blank=True,
        help_text=_("e.g. 10.1177/1352458508095179 (a doi.org link is fine too)."),
    )
    pmid = models.CharField(
        "PMID",
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^\d{1,10}$", _("A PubMed ID is a number."))],
    )
    pmcid = models.CharField(
        "PMCID",
        max_length=15,
        blank=True,
        validators=[RegexValidator(r"^PMC\d{1,10}$", _("A PMC ID looks like PMC1234567."))],
    )
    retracted = models.BooleanField(
        _("retracted"),
        default=False,
        help_text=_("Shows a “Retracted” banner wherever it is listed."),
    )
    retraction_url = models.URLField(_("retraction notice"), max_length=500, blank=True)
    open_access_url = models.URLField(
        _("free full text"),
        max_length=500,
        blank=True,
        help_text=_("Where readers can read it for free (publisher, PMC, repository)."),
    )
    conditions = models.ManyToManyField(
        "posts.Category",
        verbose_name=_("conditions"),
        blank=True,
        related_name="references",
        help_text=_("The same conditions and topics as posts."),
    )
    tags = TaggableManager(
        verbose_name=_("tags"), blank=True, help_text=_("Separate tags with commas.")
    )
    note = models.TextField(_("notes"), blank=True, help_text=_("Private notes; not shown."))
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last edited"), auto_now=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_year", "title"]
        verbose_name = _("reference")
        verbose_name_plural = _("references")
        constraints = [
            models.UniqueConstraint(
                Lower("doi"),
                condition=~Q(doi=""),
                name="reference_unique_doi",
                violation_error_message=_("Another reference already has this DOI."),
            ),
            models.CheckConstraint(condition=Q(doi=Lower("doi")), name="reference_doi_lowercase"),
            models.UniqueConstraint(
                fields=["pmid"],
                condition=~Q(pmid=""),
                name="reference_unique_pmid",
                violation_error_message=_("Another reference already has this PMID."),
            ),
            models.UniqueConstraint(
                fields=["pmcid"],
                condition=~Q(pmcid=""),
                name="reference_unique_pmcid",
                violation_error_message=_("Another reference already has this PMCID."),
            ),
            models.CheckConstraint(
                condition=Q(pmcid=Upper("pmcid")), name="reference_pmcid_uppercase"
            ),
            models.CheckConstraint(
                condition=Q(issued_month__isnull=True)
                | Q(issued_month__gte=1, issued_month__lte=12),
                name="reference_month_1_12",
            ),
            models.CheckConstraint(
                condition=Q(issued_day__isnull=True) | Q(issued_day__gte=1, issued_day__lte=31),
                name="reference_day_1_31",
            ),
        ]
        indexes = [models.Index(fields=["issued_year"]), models.Index(fields=["type"])]

    def __str__(self):
        year = f" ({self.issued_year})" if self.issued_year else ""
        return f"{self.key}: {self.title}{year}" if self.key else f"{self.title}{year}"

    def save(self, *args, **kwargs):
        self.normalize_identifiers()
        if not self.key:
            self.key = self.suggest_key()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("references:detail", kwargs={"key": self.key})

    def clean(self):
        if self.key.lower() in RESERVED_KEYS or self.key.lower().startswith(("pmid:", "doi:")):
            raise ValidationError(
                {"key": _("This key is used by the site itself. Choose another.")}
            )
        self.normalize_identifiers()
        if self.issued_day and not self.issued_month:
            raise ValidationError({"issued_day": _("Give the month too, or leave the day empty.")})
        if (self.issued_month or self.issued_day) and not self.issued_year:
            raise ValidationError({"issued_year": _("Give the year too.")})
        if self.retraction_url and not self.retracted:
            raise ValidationError(
                {"retracted": _("Tick “retracted” too, or remove the retraction notice.")}
            )

    def normalize_identifiers(self):
        """DOI, PMID and PMCID in the one spelling stored (and checked for duplicates)."""
        self.doi = normalize_doi(self.doi)
        self.pmid = normalize_pmid(self.pmid)
        self.pmcid = normalize_pmcid(self.pmcid)

    def suggest_key(self, first_family: str = "") -> str:
        """``zhang2004``, then ``zhang2004b``… for the next one (never a key the
        site keeps for itself: a paper titled “Export…” with no author or year)."""
        if not first_family and self.pk:
            first = self.creators.filter(role=Creator.Role.AUTHOR).first()
            first_family = first.family or first.literal if first else ""
        base = first_family or (self.title.split() or ["ref"])[0]
        base = re.sub(r"[^a-z0-9]", "", base.lower()) or "ref"
        base = f"{base[:40]}{self.issued_year or ''}"
        candidate, suffix = base, ord("a")
        while (
            candidate in RESERVED_KEYS
            or Reference.objects.filter(key=candidate).exclude(pk=self.pk).exists()
        ):
            suffix += 1
            candidate = f"{base}{chr(suffix)}"
        return candidate

    # Read by templates and exports. They use the prefetched creators/attachments.
    @property
    def authors(self):
        return [c for c in self.creators.all() if c.role == Creator.Role.AUTHOR]

    @property
    def editors(self):
        return [c for c in self.creators.all() if c.role == Creator.Role.EDITOR]

    @property
    def first_page(self):
        return re.split(r"[-–—]", self.page, maxsplit=1)[0].strip() if self.page else ""

    @property
    def last_page(self):
        parts = re.split(r"[-–—]", self.page, maxsplit=1) if self.page else []
        return parts[1].strip() if len(parts) == 2 else ""

    @property
    def date_parts(self):
        return [p for p in (self.issued_year, self.issued_month, self.issued_day) if p]

    @property
    def doi_url(self):
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def pubmed_url(self):
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""

    @property
    def pmc_url(self):
        return f"https://www.ncbi.nlm.nih.gov/pmc/articles/{self.pmcid}/" if self.pmcid else ""

    def visible_attachments(self, user):
        """Public attachments, and private ones too for staff (uses the prefetch)."""
        staff = bool(user and user.is_staff)
        return [a for a in self.attachments.all() if a.is_public or staff]


class Creator(models.Model):
    """An author or editor of a reference, in order: a person or a group."""

    class Role(models.TextChoices):
        AUTHOR = "author", _("author")
        EDITOR = "editor", _("editor")

    reference = models.ForeignKey(Reference, on_delete=models.CASCADE, related_name="creators")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.AUTHOR)
    family = models.CharField(_("family name"), max_length=100, blank=True)
    given = models.CharField(
        _("given names"), max_length=100, blank=True, help_text=_("Or initials: “J-S”.")
    )
    literal = models.CharField(
        _("or group name"),
        max_length=200,
        blank=True,
        help_text=_("For a group author, e.g. “World Health Organization”."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["role", "position", "pk"]
        verbose_name = _("author or editor")
        verbose_name_plural = _("authors and editors (in order)")
        constraints = [
            models.CheckConstraint(
                condition=~Q(family="") | ~Q(literal=""), name="creator_has_a_name"
            ),
        ]

    def __str__(self):
        if self.literal:
            return self.literal
        return f"{self.family}, {self.given}" if self.given else self.family

    def clean(self):
        if not self.family.strip() and not self.literal.strip():
            raise ValidationError(_("Give a family name, or a group name."))
        if self.literal and (self.family or self.given):
            raise ValidationError(_("Give either a person's names or a group name, not both."))

    def to_csl(self):
        if self.literal:
            return {"literal": self.literal}
        return {"family": self.family, **({"given": self.given} if self.given else {})}


def attachment_path(instance, filename):
    """Content-addressed: the SHA-256 names the file, so a copy is stored once."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}.{extension}"


def thumbnail_path(instance, filename):
    return f"thumbnails/{instance.sha256[:2]}/{instance.sha256}.png"


class AttachmentQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True)

    def visible_to(self, user):
        """Public files; private ones too for staff."""
        return self.all() if user.is_staff else self.public()


class Attachment(models.Model):
    """A file for a reference (the PDF, the slides, a poster). Served only
    through a view that checks: private files go to staff only."""

    class Kind(models.TextChoices):
        FULL_TEXT = "full-text", _("Full text")
        SLIDES = "slides", _("Slides")
        POSTER = "poster", _("Poster")
        SUPPLEMENT = "supplement", _("Supplement")

    reference = models.ForeignKey(Reference, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(
        _("file"),
        upload_to=attachment_path,
        storage=get_attachment_storage,
        max_length=200,
        help_text=_("PDF, PowerPoint, Word or an image."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FULL_TEXT)
    original_name = models.CharField(_("original file name"), max_length=255, editable=False)
    mime_type = models.CharField(_("file type"), max_length=120, editable=False)
    size = models.PositiveBigIntegerField(_("size in bytes"), editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, unique=True, editable=False)
    page_count = models.PositiveIntegerField(_("pages or slides"), null=True, editable=False)
    thumbnail = models.ImageField(
        _("thumbnail"),
        upload_to=thumbnail_path,
        storage=get_attachment_storage,
        blank=True,
        editable=False,
        width_field="thumbnail_width",
        height_field="thumbnail_height",
    )
    thumbnail_width = models.PositiveIntegerField(null=True, editable=False)
    thumbnail_height = models.PositiveIntegerField(null=True, editable=False)
    is_public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("Untick to keep the file for staff only (it is still listed to staff)."),
    )
    permission_note = models.CharField(
        _("permission to host"),
        max_length=300,
        blank=True,
        help_text=_("Why the site may host it: open access licence, author's permission…"),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("attached file")
        verbose_name_plural = _("attached files")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.original_name}"

    def get_absolute_url(self):
        return reverse(
            "references:attachment", kwargs={"pk": self.pk, "filename": self.download_name}
        )

    def get_thumbnail_url(self):
        return reverse("references:thumbnail", kwargs={"pk": self.pk}) if self.thumbnail else ""

    @property
    def extension(self):
        from references.files import extension_for

        return extension_for(self.mime_type)

    @property
    def download_name(self):
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", self.reference.key or "reference").strip("-")
        suffix = "" if self.kind == self.Kind.FULL_TEXT else f"-{self.kind}"
        return f"{stem}{suffix}.{self.extension}"

    @property
    def format_label(self):
        from references.files import label_for

        return label_for(self.mime_type)

    @property
    def count_label(self):
        if self.page_count is None:
            return ""
        from django.utils.translation import ngettext

        if self.mime_type in {
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "application/vnd.ms-powerpoint",
        }:
            return ngettext("%d slide", "%d slides", self.page_count) % self.page_count
        return ngettext("%d page", "%d pages", self.page_count) % self.page_count

    @property
    def size_label(self):
        from references.files import human_size

        return human_size(self.size)

    @property
    def summary(self):
        """“PDF · 450 KB · 32 pages”."""
        return " · ".join(p for p in (self.format_label, self.size_label, self.count_label) if p)


class PostReference(models.Model):
    """A reference a post lists under it without (or besides) citing it in the text."""

    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="reference_links")
    reference = models.ForeignKey(
        Reference,
        verbose_name=_("reference"),
        on_delete=models.PROTECT,
        related_name="post_links",
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("listed reference")
        verbose_name_plural = _("listed references")
        constraints = [
            models.UniqueConstraint(
                fields=["post", "reference"],
                name="postreference_once_per_post",
                violation_error_message=_("This reference is already listed."),
            )
        ]

    def __str__(self):
        return str(self.reference)

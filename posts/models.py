from datetime import datetime, time

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField
from taggit.managers import TaggableManager

from core.html import EDITOR_EXTENSIONS, sanitize_html
from posts.text import plain_text


def rich_text_field(verbose_name, **kwargs):
    """Rich text edited with the WYSIWYG editor, sanitized to what it can produce."""
    return ProseEditorField(
        verbose_name, extensions=EDITOR_EXTENSIONS, sanitize=sanitize_html, **kwargs
    )


class Category(models.Model):
    """A condition or theme (Pain, CRPS/RSD, Fibromyalgia, ...). May nest."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("One or two sentences shown on its page.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("posts:category", kwargs={"slug": self.slug})

    def clean(self):
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError({"parent": _("A category cannot be inside itself.")})
            ancestor = ancestor.parent

    def descendant_ids(self):
        """This category's id and those of every category inside it (one query)."""
        children = {}
        for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        found, stack = [], [self.pk]
        while stack:
            pk = stack.pop()
            found.append(pk)
            stack.extend(children.get(pk, []))
        return found


class Book(models.Model):
    """A book the author recommends alongside a post."""

    title = models.CharField(_("title"), max_length=300)
    authors = models.CharField(_("authors"), max_length=300, help_text=_("As on the cover."))
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    cover = models.ImageField(
        _("cover image"),
        upload_to="books/",
        blank=True,
        width_field="cover_width",
        height_field="cover_height",
    )
    cover_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    blurb = models.TextField(_("blurb"), blank=True, help_text=_("A short description or quote."))
    url = models.URLField(_("link"), blank=True, help_text=_("Where readers can find the book."))

    class Meta:
        ordering = ["title"]
        verbose_name = _("recommended book")
        verbose_name_plural = _("recommended books")

    def __str__(self):
        return self.title


class AuthorProfile(models.Model):
    """How an author appears to readers."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="author_profile"
    )
    display_name = models.CharField(_("display name"), max_length=120)
    credentials = models.CharField(
        _("credentials"), max_length=60, blank=True, help_text=_('For example "MD".')
    )
    bio = rich_text_field(_("biography"), blank=True)
    photo = models.ImageField(
        _("photo"),
        upload_to="authors/",
        blank=True,
        width_field="photo_width",
        height_field="photo_height",
    )
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("author profile")
        verbose_name_plural = _("author profiles")

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.bio = sanitize_html(self.bio)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("posts:author", kwargs={"username": self.user.get_username()})

    @property
    def full_name(self):
        return f"{self.display_name} {self.credentials}".strip()


# Large and only for the search index: pages never need them.
SEARCH_FIELDS = ("search_document", "search_vector")
# The post's own fields that the search index is made of.
INDEXED_FIELDS = frozenset({"title", "excerpt", "body"})


class PostQuerySet(models.QuerySet):
    def published(self):
        """Posts readers can see: published, with a publication time now or past.

        A post with a future time is scheduled and appears by itself when the
        time comes: nothing has to flip its status."""
        return self.filter(status=Post.Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self):
        return self.filter(status=Post.Status.PUBLISHED, published_at__gt=timezone.now())

    def drafts(self):
        return self.filter(status=Post.Status.DRAFT)

    def visible_to(self, user):
        """Staff preview drafts and scheduled posts; everyone else sees published ones."""
        return self.all() if user.is_staff else self.published()

    def for_listing(self):
        return (
            self.select_related("author__author_profile")
            .prefetch_related("categories", "tags")
            .defer(*SEARCH_FIELDS)
        )

    def for_detail(self):
        return (
            self.select_related("author__author_profile", "recommended_book")
            .prefetch_related("categories", "tags", "updates")
            .defer(*SEARCH_FIELDS)
        )


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published (or scheduled, if the time is in the future)")

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        help_text=_("The last part of the address. Unique among posts of the same day."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="posts",
    )
    body = rich_text_field(_("body"), blank=True)
    excerpt = models.TextField(
        _("excerpt"),
        blank=True,
        help_text=_(
            "Two or three sentences for listings, search results and link previews. "
            "Left empty, the start of the body is used."
        ),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("A time in the future schedules the post: it appears by itself then."),
    )
    pub_date = models.DateField(editable=False, null=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last edited"), auto_now=True)
    categories = models.ManyToManyField(
        Category, verbose_name=_("categories"), blank=True, related_name="posts"
    )
    tags = TaggableManager(
        verbose_name=_("tags"), blank=True, help_text=_("Separate tags with commas.")
    )
    is_featured = models.BooleanField(
        _("featured (sticky)"), default=False, help_text=_("Kept at the top of the home page.")
    )
    cover_image = models.ImageField(
        _("cover image"),
        upload_to="covers/%Y/",
        blank=True,
        width_field="cover_width",
        height_field="cover_height",
    )
    cover_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_alt = models.CharField(
        _("cover image description (alt text)"),
        max_length=250,
        blank=True,
        help_text=_("What the image shows, for readers who cannot see it. Required with an image."),
    )
    cover_renditions = models.JSONField(default=dict, blank=True, editable=False)
    last_reviewed = models.DateField(
        _("last medically reviewed"),
        null=True,
        blank=True,
        help_text=_("When you last checked the post against current evidence."),
    )
    disclosure = models.TextField(
        _("disclosure"), blank=True, help_text=_("Conflicts of interest, if any.")
    )
    recommended_book = models.ForeignKey(
        Book,
        verbose_name=_("recommended book"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
    )
    comments_open = models.BooleanField(
        _("comments open"),
        default=True,
        help_text=_("Untick to close the discussion: the comments stay, the form goes."),
    )
    # Public comments shown on the page, kept up to date by the comments app so
    # listings can show it without a query per post.
    comment_count = models.PositiveIntegerField(_("comments"), default=0, editable=False)
    search_document = models.TextField(editable=False, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.UniqueConstraint(fields=["pub_date", "slug"], name="post_unique_slug_per_day"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="post_published_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "published_at"]),
            GinIndex(fields=["search_vector"], name="post_search_vector_gin"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        self.pub_date = timezone.localdate(self.published_at) if self.published_at else None
        self.body = sanitize_html(self.body)
        adding = self._state.adding
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or INDEXED_FIELDS.intersection(update_fields):
            # A new post has no updates or tags yet: no need to look.
            self.reindex(with_related=not adding)

    def get_absolute_url(self):
        if self.published_at is None:
            return reverse("posts:preview", kwargs={"pk": self.pk})
        local = timezone.localdate(self.published_at)
        return reverse(
            "posts:detail",
            kwargs={
                "year": local.year,
                "month": f"{local.month:02d}",
                "day": f"{local.day:02d}",
                "slug": self.slug,
            },
        )

    def clean(self):
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        if self.cover_image and not self.cover_alt.strip():
            raise ValidationError(
                {"cover_alt": _("Describe the cover image for readers who cannot see it.")}
            )
        self.validate_address()

    def validate_address(self):
        """Refuse a slug that another post published on the same day already has
        (the address /YYYY/MM/DD/slug/ must lead to one post). The database
        enforces it too; this says so to the author instead of failing."""
        if not self.slug or self.published_at is None:
            return
        day = timezone.localdate(self.published_at)
        if Post.objects.filter(pub_date=day, slug=self.slug).exclude(pk=self.pk).exists():
            raise ValidationError(
                {
                    "slug": ValidationError(
                        _(
                            "Another post published on %(day)s already uses this slug. "
                            "Choose another slug or another publication date."
                        ),
                        code="slug_taken_that_day",
                        params={"day": f"{day:%B %-d, %Y}"},
                    )
                }
            )

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and self.published_at > timezone.now()

    @property
    def state_label(self):
        if self.status == self.Status.DRAFT:
            return _("Draft")
        return _("Scheduled") if self.is_scheduled else _("Published")

    @cached_property
    def summary(self):
        """The excerpt, or the start of the body as plain text."""
        return self.excerpt or Truncator(plain_text(self.body)).words(55)

    @property
    def modified_at(self):
        """The later of the last edit and the latest dated update."""
        latest_update = max((u.date for u in self.updates.all()), default=None)
        if latest_update is None:
            return self.updated_at
        update_time = timezone.make_aware(datetime.combine(latest_update, time.min))
        return max(self.updated_at, update_time)

    def reindex(self, *, with_related=True):
        """Store the search text and, on PostgreSQL, its weighted vector.

        Runs by itself whenever the post, one of its dated updates or its tags
        are saved through the ORM (``save()`` here, ``PostUpdate.save()`` and
        ``delete()``, and the tag receivers in ``posts.apps``)."""
        from posts.search import search_vector_for

        if with_related:
            # Read afresh: a prefetched list may predate the change being indexed.
            updates = [
                plain_text(text)
                for text in PostUpdate.objects.filter(post_id=self.pk).values_list(
                    "text", flat=True
                )
            ]
            tags = list(self.tags.values_list("name", flat=True))
        else:
            updates, tags = [], []
        body = plain_text(self.body)
        parts = [self.title, self.excerpt, body, *updates, *tags]
        document = "\n".join(part for part in parts if part)
        Post.objects.filter(pk=self.pk).update(
            search_document=document,
            search_vector=search_vector_for(
                title=self.title,
                tags=" ".join(tags),
                summary=self.excerpt,
                body="\n".join([body, *updates]),
            ),
        )
        self.search_document = document


class PostUpdate(models.Model):
    """A dated addition to a post, shown as "Update June 22, 2010: ..."."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(_("date"), default=timezone.localdate)
    text = rich_text_field(_("text"))

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("dated update")
        verbose_name_plural = _("dated updates")

    def __str__(self):
        return f"Update {self.date:%B %-d, %Y}"

    def save(self, *args, **kwargs):
        self.text = sanitize_html(self.text)
        super().save(*args, **kwargs)
        self.post.reindex()

    def get_absolute_url(self):
        return f"{self.post.get_absolute_url()}#update-{self.pk}"

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.post.reindex()
        return result


class PageQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Page.Status.PUBLISHED)

    def visible_to(self, user):
        return self.all() if user.is_staff else self.published()

    def in_menu(self):
        return self.published().filter(show_in_menu=True, parent__isnull=True)


RESERVED_PAGE_SLUGS = {
    "admin",
    "author",
    "category",
    "comments",
    "feed",
    "healthz",
    "media",
    "preview",
    "references",
    "robots.txt",
    "search",
    "sitemap.xml",
    "static",
    "subscribe",
    "tag",
}


class Page(models.Model):
    """A standing page: About, Disclaimer, Privacy, the home welcome text..."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent page"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=400, unique=True, editable=False)
    body = rich_text_field(_("body"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    show_in_menu = models.BooleanField(_("show in the top menu"), default=False)
    menu_order = models.PositiveSmallIntegerField(_("menu order"), default=0)
    is_home_intro = models.BooleanField(
        _("welcome text on the home page"),
        default=False,
        help_text=_("Shown above the latest posts. Only one page can have this."),
    )
    updated_at = models.DateTimeField(_("last edited"), auto_now=True)

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ["menu_order", "title"]
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        constraints = [
            models.UniqueConstraint(
                fields=["is_home_intro"],
                condition=Q(is_home_intro=True),
                name="page_single_home_intro",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        self.path = self.build_path()
        super().save(*args, **kwargs)
        for child in self.children.all():
            child.save()

    def get_absolute_url(self):
        return reverse("posts:page", kwargs={"path": self.path})

    @cached_property
    def summary(self):
        """The start of the body as plain text, for the description and link previews."""
        return Truncator(plain_text(self.body)).words(30)

    def build_path(self):
        return f"{self.parent.build_path()}/{self.slug}" if self.parent_id else self.slug

    def clean(self):
        if not self.parent_id and (self.slug in RESERVED_PAGE_SLUGS or self.slug.isdigit()):
            raise ValidationError(
                {"slug": _("This address is used by the site itself. Choose another slug.")}
            )
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError({"parent": _("A page cannot be inside itself.")})
            ancestor = ancestor.parent
        path = self.build_path()
        if Page.objects.filter(path=path).exclude(pk=self.pk).exists():
            raise ValidationError({"slug": _("Another page already has this address.")})


class Image(models.Model):
    """An image uploaded for use inside posts and pages (a small media library)."""

    file = models.ImageField(
        _("image"), upload_to="images/%Y/%m/", width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    alt_text = models.CharField(
        _("description (alt text)"),
        max_length=250,
        help_text=_("What the image shows, for readers who cannot see it."),
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self):
        return self.alt_text or self.file.name

    def get_absolute_url(self):
        return self.file.url

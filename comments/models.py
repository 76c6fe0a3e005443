"""Comments on posts: django-comments-xtd's threaded comment, plus what a
moderated, spam-checked blog needs to keep about each one."""

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_comments_xtd.models import XtdComment
from django_prose_editor.fields import ProseEditorField
from solo.models import SingletonModel

from comments.text import comment_html, excerpt
from core.html import EDITOR_EXTENSIONS, sanitize_html
from posts.models import Post

DEFAULT_NOTICE = (
    "<p><strong>Comments are public.</strong> Please share only what you are happy for "
    "everyone to read. Answers here are general information: they are not medical advice "
    "and do not create a doctor–patient relationship. Ask your own clinician before you "
    "change a treatment.</p>"
    "<p><strong>In a crisis</strong>, or if you are thinking about suicide, do not wait "
    "for a reply here: call or text 988 (Suicide &amp; Crisis Lifeline, United States), "
    "call your local emergency number, or go to the nearest emergency department.</p>"
)


class CommentQuerySet(models.QuerySet):
    def published(self):
        """Comments readers can see (the thread shows those whose parents they see too)."""
        return self.filter(status=Comment.Status.PUBLISHED)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)

    def spam(self):
        return self.filter(status=Comment.Status.SPAM)

    def by_email(self, email):
        return self.filter(user_email__iexact=email.strip())

    def expired_unconfirmed(self):
        """Comments whose confirmation link has expired unused, with no replies:
        nobody can ever confirm them, so their name, email and IP are not kept."""
        cutoff = timezone.now() - timedelta(days=settings.COMMENTS_CONFIRM_DAYS)
        return self.filter(
            status=Comment.Status.UNCONFIRMED, submit_date__lt=cutoff, nested_count=0
        )


class Comment(XtdComment):
    """A comment on a post; replies nest under their parent (xtd's thread fields)."""

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Awaiting email confirmation")
        PENDING = "pending", _("Awaiting moderation")
        SPAM = "spam", _("Spam")
        PUBLISHED = "published", _("Approved")

    class Follow(models.TextChoices):
        NONE = "", _("No emails, thank you")
        REPLIES = "replies", _("Replies to my comment")
        ALL = "all", _("All new comments on this post")

    class Akismet(models.TextChoices):
        NOT_CHECKED = "", _("Not checked")
        HAM = "ham", _("Not spam")
        SPAM = "spam", _("Spam")
        ERROR = "error", _("No answer")

    xtdcomment_ptr = models.OneToOneField(
        XtdComment,
        parent_link=True,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="post_comment",
    )
    post = models.ForeignKey(
        Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="comments"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    hold_reason = models.CharField(
        _("why it was held"),
        max_length=300,
        blank=True,
        help_text=_("Filled in when the comment was not published at once."),
    )
    akismet = models.CharField(
        _("Akismet said"), max_length=10, choices=Akismet.choices, blank=True
    )
    user_agent = models.CharField(_("browser (user agent)"), max_length=500, blank=True)
    referrer = models.CharField(_("came from (referrer)"), max_length=1000, blank=True)
    follow = models.CharField(_("emails wanted"), max_length=10, choices=Follow.choices, blank=True)
    confirmed_at = models.DateTimeField(
        _("email confirmed"),
        null=True,
        blank=True,
        help_text=_("When the commenter confirmed their address (or posted while logged in)."),
    )
    author_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    followers_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    moderator_edited_at = models.DateTimeField(
        _("edited by the moderator"), null=True, blank=True, editable=False
    )
    comment_html = models.TextField(editable=False, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["thread_id", "order"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["post", "status"], name="comment_post_status")]

    def __str__(self):
        return f"{self.user_name or _('Anonymous')}: {excerpt(self.comment, 60)}"

    def save(self, *args, **kwargs):
        if self.post_id:
            self.content_type = ContentType.objects.get_for_model(Post)
            self.object_pk = str(self.post_id)
        if not self.site_id:
            self.site_id = settings.SITE_ID
        self.is_public = self.status == self.Status.PUBLISHED
        self.followup = bool(self.follow)
        self.comment_html = "" if self.is_removed else comment_html(self.comment)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "is_public", "followup", "comment_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("comments:permalink", kwargs={"pk": self.pk})

    def cached_paths(self):
        """The cached pages a change to this comment makes stale (core.pagecache)."""
        post_url = self.post.get_absolute_url()
        return [post_url, f"{post_url}feed/"]

    @property
    def is_reply(self):
        return self.parent_id not in (0, self.pk)

    @property
    def display_name(self):
        return self.user_name or str(_("Anonymous"))


class CommentSettings(SingletonModel):
    """How the author wants comments handled (one row, edited in the admin)."""

    notice = ProseEditorField(
        _("notice above the comment form"),
        extensions=EDITOR_EXTENSIONS,
        sanitize=sanitize_html,
        blank=True,
        default=DEFAULT_NOTICE,
        help_text=_(
            "Say that comments are public, that answers are not medical advice, and where "
            "to turn in a crisis."
        ),
    )
    hold_first_time = models.BooleanField(
        _("hold first-time commenters for moderation"),
        default=True,
        help_text=_(
            "A comment from an email address with no approved comment yet waits for you "
            "to approve it."
        ),
    )
    close_after_days = models.PositiveIntegerField(
        _("close comments on posts older than (days)"),
        null=True,
        blank=True,
        help_text=_("Leave empty to keep comments open on every post that allows them."),
    )
    notify_post_authors = models.BooleanField(
        _("email the post's author about each new comment"), default=True
    )
    muted_authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("authors who get no email about new comments"),
        blank=True,
        related_name="+",
        help_text=_(
            "An author who pressed “Stop these emails” in a new-comment email is listed "
            "here. Remove them to send them those emails again."
        ),
    )
    blocked_words = models.TextField(
        _("hold comments containing"),
        blank=True,
        help_text=_(
            "One word or phrase per line. A comment whose text, name, email, website or "
            "browser contains one is held for moderation."
        ),
    )
    blocked_emails = models.TextField(
        _("hold comments from these email addresses"),
        blank=True,
        help_text=_("One per line: a full address, or @domain.com for a whole domain."),
    )
    blocked_ips = models.TextField(
        _("hold comments from these IP addresses"),
        blank=True,
        help_text=_("One per line: an address (203.0.113.7) or a network (203.0.113.0/24)."),
    )

    class Meta:
        verbose_name = _("comment settings")
        verbose_name_plural = _("comment settings")

    def __str__(self):
        return str(_("Comment settings"))

    def save(self, *args, **kwargs):
        self.notice = sanitize_html(self.notice)
        super().save(*args, **kwargs)

    def notifies_author(self, user) -> bool:
        """Whether ``user`` gets an email about each new comment on their posts."""
        return self.notify_post_authors and not self.muted_authors.filter(pk=user.pk).exists()

    @staticmethod
    def lines(value):
        return [line.strip() for line in value.splitlines() if line.strip()]

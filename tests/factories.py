from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from posts.models import AuthorProfile, Category, Page, Post, PostUpdate


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("password")


class StaffFactory(UserFactory):
    is_staff = True
    is_superuser = True


class AuthorProfileFactory(DjangoModelFactory):
    class Meta:
        model = AuthorProfile

    user = factory.SubFactory(StaffFactory)
    display_name = "Nancy Sajben"
    credentials = "MD"


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Condition {n}")
    slug = factory.Sequence(lambda n: f"condition-{n}")


class PostFactory(DjangoModelFactory):
    class Meta:
        model = Post
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Post number {n}")
    slug = factory.Sequence(lambda n: f"post-number-{n}")
    author = factory.SubFactory(StaffFactory)
    body = "<p>Low dose naltrexone acts on the microglia.</p>"
    status = Post.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)


class PostUpdateFactory(DjangoModelFactory):
    class Meta:
        model = PostUpdate

    post = factory.SubFactory(PostFactory)
    date = factory.LazyFunction(timezone.localdate)
    text = "<p>New evidence.</p>"


class PageFactory(DjangoModelFactory):
    class Meta:
        model = Page

    title = factory.Sequence(lambda n: f"Page {n}")
    slug = factory.Sequence(lambda n: f"page-{n}")
    body = "<p>About this site.</p>"
    status = Page.Status.PUBLISHED


# --- Comments -------------------------------------------------------------------


def make_comment(post, *, parent=None, **fields):
    """An approved comment (through the model, so xtd threads it)."""
    from comments.models import Comment

    values = {
        "user_name": "Reader",
        "user_email": "reader@example.com",
        "comment": "Thank you for this post.",
        "status": Comment.Status.PUBLISHED,
        "confirmed_at": timezone.now(),
        "submit_date": timezone.now(),
        "ip_address": "203.0.113.9",
        **fields,
    }
    comment = Comment(post=post, parent_id=parent.pk if parent else 0, **values)
    comment.save()
    return comment


def bulk_comments(post, *, threads, text="A reader's question about low dose naltrexone."):
    """``threads`` approved top-level comments with four replies each (two
    levels deep), inserted in bulk: Django cannot bulk_create multi-table
    models, so the three tables are filled directly. 5 × ``threads`` comments."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django_comments.models import Comment as BaseComment
    from django_comments_xtd.models import XtdComment

    from comments.models import Comment
    from comments.text import comment_html

    content_type = ContentType.objects.get_for_model(post)
    start = timezone.now() - timedelta(days=30)
    # (parent's index within the thread, level, replies below it)
    shape = [(None, 0, 4), (0, 1, 1), (1, 2, 0), (0, 1, 1), (3, 2, 0)]
    bases = BaseComment.objects.bulk_create(
        BaseComment(
            content_type=content_type,
            object_pk=str(post.pk),
            site_id=1,
            user_name=f"Reader {t}-{i}",
            user_email=f"reader{t}-{i}@example.com",
            comment=f"{text} ({t}-{i})",
            submit_date=start + timedelta(minutes=5 * t + i),
            ip_address="203.0.113.9",
            is_public=True,
        )
        for t in range(threads)
        for i in range(len(shape))
    )
    xtd_rows, own_rows = [], []
    for t in range(threads):
        ids = [bases[t * len(shape) + i].pk for i in range(len(shape))]
        for i, (parent, level, nested) in enumerate(shape):
            base = bases[t * len(shape) + i]
            parent_id = ids[parent] if parent is not None else ids[i]
            xtd_rows.append((ids[i], ids[0], parent_id, level, i + 1, False, nested))
            own_rows.append(
                (
                    ids[i],
                    post.pk,
                    Comment.Status.PUBLISHED,
                    "",
                    "",
                    "",
                    "",
                    "",
                    base.submit_date,
                    comment_html(base.comment),
                )
            )
    quote = connection.ops.quote_name
    # Table names come from the models; the values go as parameters.
    xtd_sql = (
        f"INSERT INTO {quote(XtdComment._meta.db_table)} "  # noqa: S608
        f"(comment_ptr_id, thread_id, parent_id, level, {quote('order')}, followup, "
        "nested_count) VALUES (%s, %s, %s, %s, %s, %s, %s)"
    )
    own_sql = (
        f"INSERT INTO {quote(Comment._meta.db_table)} "  # noqa: S608
        "(xtdcomment_ptr_id, post_id, status, hold_reason, akismet, user_agent, referrer, "
        "follow, confirmed_at, comment_html) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    with connection.cursor() as cursor:
        cursor.executemany(xtd_sql, xtd_rows)
        cursor.executemany(own_sql, own_rows)
    return threads * len(shape)


def set_comment_settings(**values):
    """Change the site's comment settings (the singleton the admin edits)."""
    from comments.models import CommentSettings

    row = CommentSettings.get_solo()
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    return row


class SubscriberFactory(DjangoModelFactory):
    """A confirmed subscriber to every new post (subscriptions)."""

    class Meta:
        model = "subscriptions.Subscriber"

    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    status = "confirmed"
    frequency = "immediate"
    source = "Sidebar form"
    consent_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyFunction(timezone.now)

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

    @factory.post_generation
    def index(self, create, extracted, **kwargs):
        if create:
            self.reindex()


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

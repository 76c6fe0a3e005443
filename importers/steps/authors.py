import re

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse

from importers.pipeline import fingerprint
from importers.steps.base import Step
from importers.wxr import WxrAuthor
from posts.models import AuthorProfile


class AuthorsStep(Step):
    """WordPress authors → users: an existing account with the same login or
    email is used as it is; otherwise a new, inactive account (no password:
    nobody can log in with it until staff activate it) with an author profile
    showing the WordPress display name."""

    label = "Authors"

    def authors(self, ctx) -> list[WxrAuthor]:
        authors = list(ctx.header.authors)
        known = {a.login for a in authors}
        # WXR 1.0 has no author list: the posts' dc:creator logins are all there is.
        authors += [
            WxrAuthor(wp_id="", login=login) for login in sorted(ctx.index.creators - known)
        ]
        return [a for a in authors if a.login]

    def total(self, ctx):
        return len(self.authors(ctx))

    def run(self, ctx):
        for author in self.authors(ctx):
            self.handle(author, ctx)
            ctx.progress.advance()

    def handle(self, author, ctx):
        user_model = get_user_model()
        source_hash = fingerprint(author.login, author.email, author.display_name)
        mapping = ctx.find("author", author.login)
        user = ctx.target(mapping)
        if user is not None:
            ctx.users[author.login] = user
            self.link(author, user, ctx)
            ctx.report.count("author", "unchanged")
            return
        query = Q(username__iexact=author.login)
        if author.email:
            query |= Q(email__iexact=author.email)
        user = user_model.objects.filter(query).order_by("-is_active", "pk").first()
        if user is None:
            user = user_model(
                username=self.username(author.login),
                email=author.email[:254],
                first_name=author.first_name[:150],
                last_name=author.last_name[:150],
                is_active=False,
            )
            user.set_unusable_password()
            user.save()
            outcome = "imported"
        else:
            outcome = "unchanged"
        if not AuthorProfile.objects.filter(user=user).exists():
            AuthorProfile.objects.create(
                user=user,
                display_name=(
                    author.display_name
                    or f"{author.first_name} {author.last_name}".strip()
                    or author.login
                )[:120],
            )
            outcome = "imported" if outcome == "imported" else "updated"
        ctx.users[author.login] = user
        self.link(author, user, ctx)
        ctx.record(
            "author",
            author.login,
            user,
            old_url=f"{ctx.header.site_url}/author/{author.login}/",
            source_hash=source_hash,
            data={"wp_id": author.wp_id},
        )
        ctx.report.count("author", outcome)

    @staticmethod
    def link(author, user, ctx):
        new_url = reverse("posts:author", kwargs={"username": user.get_username()})
        old_url = f"{ctx.header.site_url}/author/{author.login}/"
        ctx.links.add_url(old_url, new_url)
        if author.wp_id:
            ctx.links.add_query("author", author.wp_id, new_url)
        ctx.redirect(old_url, new_url, f"author {author.login}")

    @staticmethod
    def username(login):
        user_model = get_user_model()
        base = re.sub(r"[^\w.@+-]", "_", login)[:140] or "author"
        name, n = base, 1
        while user_model.objects.filter(username__iexact=name).exists():
            n += 1
            name = f"{base}-{n}"
        return name

    @staticmethod
    def for_login(ctx, login):
        """The user for a post's dc:creator (made now if the export did not list it)."""
        if login in ctx.users:
            return ctx.users[login]
        if login:
            AuthorsStep().handle(WxrAuthor(wp_id="", login=login), ctx)
            return ctx.users[login]
        return None

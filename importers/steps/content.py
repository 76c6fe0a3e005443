from django.utils import timezone
from django.utils.text import Truncator

from core.html import html_to_text
from importers.models import DocumentLink
from importers.pipeline import fingerprint, page_state, post_state
from importers.steps.authors import AuthorsStep
from importers.steps.base import Step
from importers.steps.terms import TermsStep
from posts import services
from posts.models import Image, Page, Post

SKIPPED_STATUSES = {"trash": "it was in WordPress's trash", "auto-draft": "", "inherit": ""}


class ContentStep(Step):
    """What posts and pages share: skipping, converting, reporting, linking."""

    kind = ""

    def skip(self, item, ctx) -> bool:
        if item.status in SKIPPED_STATUSES:
            reason = SKIPPED_STATUSES[item.status]
            if reason:
                ctx.report.problem(item.label, f"not imported: {reason}")
            ctx.report.count(self.kind, "skipped")
            return True
        return False

    def previous(self, item, ctx, source_hash):
        """What an earlier import made of this item (or None), and whether the
        item is unchanged since: then it is counted so and only linked again."""
        mapping = ctx.find(self.kind, item.wp_id, item.guid)
        obj = ctx.target(mapping)
        if obj is not None and mapping.source_hash == source_hash:
            self.link(item, obj, ctx)
            ctx.report.count(self.kind, "unchanged")
            return obj, True
        return obj, False

    def convert(self, item, ctx):
        converted = ctx.converter().convert(item.content, post_id=item.wp_id)
        for name in sorted(converted.unknown_shortcodes):
            ctx.report.problem(
                item.label, f"the shortcode [{name}] is not known here; it was kept as text"
            )
        for note in converted.notes:
            ctx.report.problem(item.label, note)
        return converted

    def finish(self, item, ctx, obj, converted, *, source_hash, data):
        """Document links, the mapping and the redirect from the old permalink."""
        if self.kind == "post":
            ctx.converted_posts.add(obj.pk)
        filters = {self.kind: obj}
        DocumentLink.objects.filter(**filters).delete()
        position = 0
        for url, text in converted.links:
            document_id = ctx.documents_by_url.get(url.split("#", 1)[0])
            if document_id is not None:
                position += 1
                DocumentLink.objects.create(
                    document_id=document_id, text=text[:500], position=position, **filters
                )
        ctx.record(
            self.kind,
            item.wp_id,
            obj,
            guid=item.guid,
            old_url=item.link,
            source_hash=source_hash,
            data=data,
        )
        self.link(item, obj, ctx)

    def link(self, item, obj, ctx):
        if not self.is_public(obj):
            return
        new_url = obj.get_absolute_url()
        ctx.links.add_url(item.link, new_url, replace=True)
        ctx.redirect(item.link, new_url, item.label)

    def is_public(self, obj) -> bool:
        raise NotImplementedError


class PagesStep(ContentStep):
    """Pages, parents before children (whatever their order in the file)."""

    label = "Pages"
    kind = "page"
    post_types = ("page",)

    def run(self, ctx):
        depths = sorted({i.depth for i in ctx.index.items.values() if i.post_type == "page"})
        for depth in depths:
            for item in ctx.items(self.post_types):
                info = ctx.index.items.get(item.wp_id)
                if info is not None and info.depth == depth:
                    self.handle(item, ctx)
                    ctx.progress.advance()

    def is_public(self, obj):
        return obj.status == Page.Status.PUBLISHED

    @staticmethod
    def parent(item, ctx):
        """The imported parent page or, if it was not imported because a page of
        ours already had its address, that page: children keep their address."""
        if item.post_parent in ("", "0"):
            return None
        parent = ctx.target(ctx.find("page", item.post_parent))
        info = ctx.index.items.get(item.post_parent)
        if parent is None and info is not None and info.post_type == "page":
            parent = Page.objects.filter(path=info.path).first()
        return parent

    def handle(self, item, ctx):
        if self.skip(item, ctx):
            return
        info = ctx.index.items[item.wp_id]
        status, _, note = page_state(item)
        parent = self.parent(item, ctx)
        source_hash = fingerprint(
            item.title, item.content, item.status, item.post_name, item.post_parent,
            item.menu_order, item.post_password, info.slug, item.wp_id in ctx.index.menu_page_ids,
        )  # fmt: skip
        page, unchanged = self.previous(item, ctx, source_hash)
        if unchanged:
            return
        outcome = "updated" if page is not None else "imported"
        page = page or Page()
        path = f"{parent.path}/{info.slug}" if parent else info.slug
        if Page.objects.filter(path=path).exclude(pk=page.pk).exists():
            ctx.report.problem(
                item.label,
                f"another page already has the address /{path}/; not imported (rename or "
                "delete that page and import again)",
                "error",
            )
            ctx.report.count("page", "skipped")
            return
        if note:
            ctx.report.problem(item.label, note)
        converted = self.convert(item, ctx)
        page.title = (item.title or "(no title)")[:200]
        page.slug = info.slug
        page.parent = parent
        page.body = converted.body
        page.status = status
        page.menu_order = min(max(int(item.menu_order or 0), 0), 32767)
        page.show_in_menu = item.wp_id in ctx.index.menu_page_ids and parent is None
        page.save()
        self.finish(item, ctx, page, converted, source_hash=source_hash, data={})
        if self.is_public(page):
            ctx.links.add_query("page_id", item.wp_id, page.get_absolute_url(), replace=True)
            ctx.links.add_query("p", item.wp_id, page.get_absolute_url(), replace=True)
        ctx.report.count("page", outcome)


class PostsStep(ContentStep):
    label = "Posts"
    kind = "post"
    post_types = ("post",)

    def is_public(self, obj):
        return obj.status == Post.Status.PUBLISHED

    def handle(self, item, ctx):
        if self.skip(item, ctx):
            return
        info = ctx.index.items[item.wp_id]
        status, published_at, note = post_state(item)
        thumbnail_id = item.meta.get("_thumbnail_id", "").strip()
        source_hash = fingerprint(
            item.title, item.content, item.excerpt, item.status, item.post_date_gmt,
            item.post_date, item.post_name, item.post_password, item.is_sticky, item.creator,
            sorted(item.terms), thumbnail_id, info.slug, item.comment_status,
        )  # fmt: skip
        post, unchanged = self.previous(item, ctx, source_hash)
        if unchanged:
            return
        author = AuthorsStep.for_login(ctx, item.creator) or next(iter(ctx.users.values()), None)
        if author is None:
            ctx.report.problem(item.label, "it has no author and the export lists none", "error")
            ctx.report.count("post", "skipped")
            return
        outcome = "updated" if post is not None else "imported"
        post = post or Post()
        pub_date = timezone.localdate(published_at) if published_at else None
        taken = Post.objects.filter(pub_date=pub_date, slug=info.slug).exclude(pk=post.pk)
        if pub_date and taken.exists():
            ctx.report.problem(
                item.label,
                f"another post already has the address of this one ({pub_date}, "
                f"“{info.slug}”); not imported (rename or delete that post and import again)",
                "error",
            )
            ctx.report.count("post", "skipped")
            return
        if note:
            ctx.report.problem(item.label, note)
        if not item.title:
            ctx.report.problem(item.label, "it has no title; “(no title)” was used")
        converted = self.convert(item, ctx)
        old_cover = post.cover_image.name if post.pk else ""
        post.title = (item.title or "(no title)")[:300]
        post.slug = info.slug
        post.author = author
        post.body = converted.body
        post.excerpt = html_to_text(item.excerpt) or Truncator(converted.teaser).words(80)
        post.status = status
        post.published_at = published_at
        post.is_featured = item.is_sticky == "1"
        post.comments_open = item.comment_status != "closed"
        self.cover(post, thumbnail_id, ctx)
        post.save()
        post.categories.set(
            [
                c
                for c in (
                    TermsStep.category_for(ctx, slug, name) for slug, name in item.categories()
                )
                if c
            ]
        )
        post.tags.set(
            [t for t in (TermsStep.tag(ctx, slug, name) for slug, name in item.tags()) if t]
        )
        services.post_saved(
            post=post, cover_changed=post.cover_image.name != old_cover, imported=True
        )
        self.finish(
            item,
            ctx,
            post,
            converted,
            source_hash=source_hash,
            data={"comment_status": item.comment_status},
        )
        if self.is_public(post):
            ctx.links.add_query("p", item.wp_id, post.get_absolute_url(), replace=True)
        documents = ctx.documents_by_parent.get(item.wp_id)
        if documents:
            from importers.models import ImportedDocument

            ImportedDocument.objects.filter(pk__in=documents).update(parent_post=post)
        ctx.report.count("post", outcome)

    @staticmethod
    def cover(post, thumbnail_id, ctx):
        """WordPress's featured image becomes the cover image."""
        if not thumbnail_id:
            return
        mapping = ctx.find("attachment", thumbnail_id)
        image = ctx.target(mapping)
        if isinstance(image, Image):
            post.cover_image.name = image.file.name
            post.cover_alt = image.alt_text

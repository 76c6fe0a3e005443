from django.utils.text import slugify
from taggit.models import Tag

from importers.pipeline import fingerprint, wp_slug
from importers.steps.base import Step
from posts.models import Category


class TermsStep(Step):
    """Categories (with their hierarchy, in any order in the file) and tags.

    An existing category or tag with the same slug is the same one (the demo's
    "Pain" and WordPress's "Pain" are one category)."""

    label = "Categories"

    def total(self, ctx):
        return len(ctx.header.categories) + len(ctx.header.tags)

    def run(self, ctx):
        terms = {}
        for term in ctx.header.categories:
            category = self.category(ctx, term)
            if category is not None:
                terms[term.slug] = (term, category)
            ctx.progress.advance()
        # Parents second: a child may come before its parent in the file.
        for term, category in terms.values():
            parent = terms.get(term.parent, (None, None))[1] if term.parent else None
            if parent is not None and self.would_loop(category, parent):
                ctx.report.problem(
                    f"category “{term.name}”", "its parent is also its child; left at the top"
                )
                parent = None
            if category.parent_id != (parent.pk if parent else None):
                category.parent = parent
                category.save(update_fields=["parent"])
        for term, category in terms.values():
            self.link(ctx, term, category, terms)
        for term in ctx.header.tags:
            tag = self.tag(ctx, term.slug, term.name, term.wp_id)
            if tag is not None:
                old_url = f"{ctx.header.site_url}/tag/{term.slug}/"
                ctx.links.add_url(old_url, tag_url(tag))
                ctx.links.add_query("tag", term.slug, tag_url(tag))
                ctx.redirect(old_url, tag_url(tag), f"tag “{term.name}”")
            ctx.progress.advance()

    @staticmethod
    def would_loop(category, parent):
        seen = set()
        while parent is not None and parent.pk not in seen:
            if parent.pk == category.pk:
                return True
            seen.add(parent.pk)
            parent = parent.parent
        return False

    def category(self, ctx, term):
        slug = wp_slug(
            term.slug, term.name, f"category-{term.wp_id}" if term.wp_id else "", max_length=100
        )
        if not slug:
            ctx.report.problem(f"category “{term.name}”", "it has neither slug nor name; skipped")
            ctx.report.count("category", "skipped")
            return None
        source_hash = fingerprint(term.slug, term.name, term.parent, term.description)
        wp_id = term.wp_id or slug
        mapping = ctx.find("category", wp_id)
        category = ctx.target(mapping) or Category.objects.filter(slug=slug).first()
        name = (term.name or slug)[:100]
        if category is None:
            category = Category(
                slug=slug, name=self.unique_name(name, slug), description=term.description
            )
            category.save()
            outcome = "imported"
        elif mapping is not None and mapping.source_hash == source_hash:
            outcome = "unchanged"
        elif mapping is None:
            outcome = "unchanged"  # an existing category of ours: adopted as it is
        else:
            category.name = self.unique_name(name, slug, exclude=category.pk)
            category.description = term.description
            category.save()
            outcome = "updated"
        ctx.record("category", wp_id, category, source_hash=source_hash, data={"slug": term.slug})
        ctx.categories[term.slug or slug] = category
        ctx.report.count("category", outcome)
        return category

    @staticmethod
    def unique_name(name, slug, exclude=None):
        """Category names are unique here; WordPress allows "Other" under two parents."""
        taken = Category.objects.exclude(pk=exclude).filter(name__iexact=name).exists()
        return f"{name} ({slug})"[:100] if taken else name

    @staticmethod
    def link(ctx, term, category, terms):
        slugs, seen, current = [], set(), term
        while current is not None and current.slug not in seen:
            seen.add(current.slug)
            slugs.append(current.slug)
            current = terms.get(current.parent, (None, None))[0] if current.parent else None
        old_url = f"{ctx.header.site_url}/category/{'/'.join(reversed(slugs))}/"
        new_url = category.get_absolute_url()
        ctx.links.add_url(old_url, new_url)
        if term.wp_id:
            ctx.links.add_query("cat", term.wp_id, new_url)
        ctx.redirect(old_url, new_url, f"category “{term.name}”")

    @staticmethod
    def category_for(ctx, slug, name):
        """A post's category that the export's list did not have (WXR 1.0)."""
        key = slug or slugify(name)
        if key in ctx.categories:
            return ctx.categories[key]
        from importers.wxr import WxrTerm

        term = WxrTerm(taxonomy="category", wp_id="", slug=key, name=name or key)
        return TermsStep().category(ctx, term)

    @staticmethod
    def tag(ctx, slug, name, wp_id=""):
        key = slug or slugify(name)
        if key in ctx.tags:
            return ctx.tags[key]
        name = (name or slug)[:100]
        if not name:
            return None
        mapping = ctx.find("tag", wp_id or key)
        tag = ctx.target(mapping)
        outcome = "unchanged"
        if tag is None:
            tag = (
                Tag.objects.filter(slug=key).first()
                or Tag.objects.filter(name__iexact=name).first()
            )
        if tag is None:
            tag = Tag(
                name=name, slug=wp_slug(key, name, f"tag-{fingerprint(name)[:8]}", max_length=100)
            )
            tag.save()
            outcome = "imported"
        if mapping is None:
            ctx.record("tag", wp_id or key, tag, data={"slug": slug})
        ctx.tags[key] = tag
        ctx.report.count("tag", outcome)
        return tag


def tag_url(tag):
    from django.urls import reverse

    return reverse("posts:tag", kwargs={"slug": tag.slug})

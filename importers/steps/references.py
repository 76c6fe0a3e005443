"""Documents that posts link to become the bibliography's references."""

import hashlib
from collections import defaultdict
from pathlib import PurePosixPath

from django.contrib.redirects.models import Redirect
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max, Q

from importers import bibliography
from importers.content import rewrite_links
from importers.models import DocumentLink
from importers.steps.base import Step
from posts.models import Page, Post
from references import services
from references.models import Attachment, Creator, PostReference, Reference

# What the bibliography stores (references.files checks the content itself).
ACCEPTED = {"pdf", "ppt", "pptx", "pps", "doc", "docx"}
SLIDES = {"ppt", "pptx", "pps"}


class DocumentsToReferencesStep(Step):
    """A PDF or slides a post links to (the old blog's reading lists) becomes a
    reference with the file attached, listed under every post that links to it,
    and every link and old address now leads to the attachment.

    The reference is the one that already holds the same file (SHA-256), or
    one with the same title and year, or a new one described from the link's
    words (``importers.bibliography``: only what they reliably say; the words
    themselves go in the reference's notes). The file then lives in the
    bibliography only: the ``ImportedDocument`` stays as the record of where it
    came from and which posts link to it, its own copy goes once the import
    commits, and the bibliography's rules apply (a file made private there is
    private everywhere). Documents imported by an earlier run are adopted the
    same way. A document only pages link to, or of a kind the bibliography does
    not take (a spreadsheet, audio), stays an imported document."""

    label = "References"

    def total(self, ctx):
        return 0

    def run(self, ctx):
        links = (
            DocumentLink.objects.filter(post__isnull=False)
            .filter(
                Q(document__attachment__isnull=True, document__file__gt="")
                | Q(document__attachment__isnull=False, post__in=ctx.converted_posts)
            )
            .select_related("document__attachment__reference")
            .order_by("post_id", "position", "pk")
        )
        adopted = {}  # document pk -> (its old address, the attachment), this run
        listed = defaultdict(set)  # post pk -> reference pks listed
        for link in links:
            document = link.document
            attachment = document.attachment
            if attachment is None:
                if document.pk not in adopted:
                    adopted[document.pk] = self.adopt(document, ctx)
                _old_url, attachment = adopted[document.pk]
            if attachment is not None and attachment.reference_id not in listed[link.post_id]:
                listed[link.post_id].add(attachment.reference_id)
                self.list_under(link.post_id, attachment.reference, ctx)
        self.readdress({pk: pair for pk, pair in adopted.items() if pair[1] is not None}, ctx)

    # --- One document -------------------------------------------------------------

    def adopt(self, document, ctx):
        """Attach the document's file to a reference. Returns (old address, attachment),
        the attachment None when the bibliography cannot take the file."""
        name = PurePosixPath(document.file.name).name
        extension = PurePosixPath(name).suffix.lower().lstrip(".")
        old_url = document.file.url
        if extension not in ACCEPTED:
            return old_url, None
        with document.file.open("rb") as handle:
            digest = hashlib.sha256()
            for chunk in handle.chunks():
                digest.update(chunk)
        attachment = (
            Attachment.objects.select_related("reference").filter(sha256=digest.hexdigest()).first()
        )
        if attachment is not None:
            ctx.report.count("reference", "unchanged")
        else:
            attachment = self.attach(document, name, extension, ctx)
            if attachment is None:
                return old_url, None
        file_name, storage = document.file.name, document.file.storage
        document.attachment = attachment
        document.file = ""
        document.save(update_fields=["attachment", "file"])
        # The copy under /media/ goes once the import commits (not on a trial run).
        transaction.on_commit(lambda: storage.delete(file_name))
        return old_url, attachment

    def attach(self, document, name, extension, ctx):
        words = max((link.text for link in document.links.all()), key=len, default="")
        described = bibliography.describe(
            words, fallback_title=document.title or PurePosixPath(name).stem
        )
        reference = Reference.objects.filter(
            title__iexact=described.title, issued_year=described.year
        ).first() or self.new_reference(described, document, words, extension)
        created = reference.pk is None
        kind = Attachment.Kind.FULL_TEXT
        if extension in SLIDES:
            kind = Attachment.Kind.SLIDES
        elif described.is_poster:
            kind = Attachment.Kind.POSTER
        try:
            with transaction.atomic(), document.file.open("rb") as handle:
                if created:
                    reference.key = reference.suggest_key(
                        first_family=described.authors[0][0] if described.authors else ""
                    )
                    reference.save()
                    Creator.objects.bulk_create(
                        Creator(reference=reference, family=family, given=given, position=n)
                        for n, (family, given) in enumerate(described.authors)
                    )
                attachment, stored = services.attach_file(
                    reference=reference, uploaded=File(handle, name=name), kind=kind
                )
        except ValidationError as exc:
            ctx.report.problem(
                f"document “{document}”",
                f"not added to the bibliography: {' '.join(exc.messages)} It stays an imported "
                "document, linked as before.",
            )
            ctx.report.count("reference", "skipped")
            return None
        if stored:
            ctx.stored_files.append((attachment.file.storage, attachment.file.name))
        ctx.report.count("reference", "imported" if created else "updated")
        return attachment

    @staticmethod
    def new_reference(described, document, words, extension):
        is_talk = (
            extension in SLIDES
            or described.is_poster
            or (described.event_title and not described.is_journal_article)
        )
        note = f"Imported from WordPress ({document.original_url})."
        if words:
            note += f" The post's link read: “{words}”."
        if document.description.strip():
            note += f" WordPress's description of the file: “{document.description.strip()}”."
        return Reference(
            type=Reference.Type.TALK if is_talk else Reference.Type.ARTICLE,
            genre="Poster" if described.is_poster else ("Slides" if extension in SLIDES else ""),
            title=described.title,
            container_title=described.container_title[:300],
            volume=described.volume,
            issue=described.issue,
            page=described.page,
            issued_year=described.year,
            event_title=described.event_title[:300],
            note=note,
        )

    # --- Posts and addresses --------------------------------------------------------

    @staticmethod
    def list_under(post_id, reference, ctx):
        """List the reference under the post (once, after what it lists already)."""
        if PostReference.objects.filter(post_id=post_id, reference=reference).exists():
            return
        last = PostReference.objects.filter(post_id=post_id).aggregate(n=Max("position"))["n"]
        PostReference.objects.create(
            post_id=post_id, reference=reference, position=0 if last is None else last + 1
        )

    @staticmethod
    def readdress(adopted, ctx):
        """Links in posts and pages, redirects from old addresses and this run's
        link map: from the document's old address to the attachment's."""
        if not adopted:
            return
        addresses = {old: attachment.get_absolute_url() for old, attachment in adopted.values()}
        for old, new in addresses.items():
            Redirect.objects.filter(new_path=old).update(new_path=new)
            ctx.links.readdress(old, new)
            for attachment in ctx.attachments.values():
                if attachment.url == old:
                    attachment.url = new
        for pk, (_old, attachment) in adopted.items():
            ctx.documents_by_url[attachment.get_absolute_url()] = pk
        links = DocumentLink.objects.filter(document__in=adopted)
        for model, field in ((Post, "post"), (Page, "page")):
            ids = links.filter(**{f"{field}__isnull": False}).values_list(field, flat=True)
            for obj in model.objects.filter(pk__in=ids).only("pk", "body"):
                body = rewrite_links(obj.body, addresses)
                if body != obj.body:
                    model.objects.filter(pk=obj.pk).update(body=body)

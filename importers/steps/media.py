import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.core.files import File
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from importers.content import Attachment
from importers.fetch import FetchError
from importers.models import ImportedDocument
from importers.pipeline import fingerprint
from importers.steps.base import Step
from posts.models import Image

IMAGE_EXTENSIONS = {"jpg", "jpeg", "jpe", "png", "gif", "webp"}
# Documents a post may link to. Others (scripts, SVG with its scripts, archives
# of unknown content) are reported and left out.
DOCUMENT_EXTENSIONS = {
    "pdf", "ppt", "pptx", "pps", "ppsx", "odp", "key",
    "doc", "docx", "odt", "rtf", "txt", "csv", "xls", "xlsx", "ods",
    "mp3", "m4a", "ogg", "oga", "wav", "mp4", "m4v", "webm", "ogv", "mov",
}  # fmt: skip
_SIZED_FILE = re.compile(r'"file";s:\d+:"([^"]+)"')


class MediaStep(Step):
    """Attachments: images become entries of the media library (posts.Image);
    documents (PDF, slides...) become ImportedDocuments, and those posts link
    to become the bibliography's attachments in a later step (references.py).
    Files come from --media-dir (a copy of wp-content/uploads) or, without it,
    from their wp:attachment_url. A file that cannot be had is reported; the
    import goes on."""

    label = "Media"
    post_types = ("attachment",)

    def handle(self, item, ctx):
        url = item.attachment_url or item.guid
        relative = self.relative_path(item, url)
        extension = PurePosixPath(relative or urlsplit(url).path).suffix.lower().lstrip(".")
        alt = item.meta.get("_wp_attachment_image_alt", "").strip()
        source_hash = fingerprint(url, relative, item.title, item.excerpt, item.content, alt)
        file_key = fingerprint(url, relative)
        mapping = ctx.find("attachment", item.wp_id, item.guid)
        target = ctx.target(mapping)
        is_image = extension in IMAGE_EXTENSIONS
        existed = target is not None

        if not url:
            ctx.report.problem(item.label, "it has no file address; skipped", "error")
            ctx.report.count("attachment", "skipped")
            return
        if target is not None and mapping.source_hash == source_hash:
            outcome = "unchanged"
        elif not is_image and extension not in DOCUMENT_EXTENSIONS:
            ctx.report.problem(
                item.label,
                f"files of type “.{extension or '?'}” are not imported (only images and "
                "documents such as PDF or slides)",
            )
            ctx.report.count("attachment", "skipped")
            return
        else:
            file_changed = target is None or (
                mapping.data.get("file_key") != file_key
                and not self.moved_with_the_blog(mapping, url, relative, ctx)
            )
            if file_changed and getattr(target, "attachment_id", None):
                ctx.report.problem(
                    item.label,
                    "its file changed in WordPress; the bibliography keeps the one it has "
                    f"(attach the new one to “{target.attachment.reference}” if it should change)",
                )
            elif file_changed:
                content = self.open(item, url, relative, ctx)
                if content is None:
                    ctx.report.count("attachment", "skipped")
                    return
                with content:
                    if is_image and not self.is_image(content):
                        ctx.report.problem(item.label, "the file is not a readable image; skipped")
                        ctx.report.count("attachment", "skipped")
                        return
                    if target is None:
                        target = Image() if is_image else ImportedDocument()
                    name = PurePosixPath(relative or unquote(urlsplit(url).path)).name
                    ctx.save_file(target.file, name, File(content, name=name))
                    if not is_image:
                        target.size = target.file.size
            outcome = "updated" if existed else "imported"
            self.fill(target, item, url, alt)
            target.save()
        new_url = target.get_absolute_url()
        if not is_image:
            ctx.documents_by_url[new_url] = target.pk
            if item.post_parent not in ("", "0"):
                ctx.documents_by_parent[item.post_parent].append(target.pk)
        ctx.record(
            "attachment",
            item.wp_id,
            target,
            guid=item.guid,
            old_url=item.link,
            source_hash=source_hash,
            data={
                "file_key": file_key,
                "url": url,
                "parent": item.post_parent,
                "is_image": is_image,
            },
        )
        ctx.attachments[item.wp_id] = Attachment(
            url=new_url,
            is_image=is_image,
            title=item.title,
            alt=getattr(target, "alt_text", ""),
            caption=getattr(target, "caption", ""),
        )
        self.link(item, url, new_url, ctx)
        ctx.report.count("attachment", outcome)

    @staticmethod
    def moved_with_the_blog(mapping, url, relative, ctx) -> bool:
        """The same file at the blog's new address (only the address changed)."""
        return mapping.data.get("file_key") == fingerprint(
            mapping.data.get("url", ""), relative
        ) and ctx.same_address_after_move(mapping.data.get("url", ""), url)

    @staticmethod
    def fill(target, item, url, alt):
        if isinstance(target, Image):
            fallback = item.title or PurePosixPath(target.file.name).stem
            target.alt_text = (alt or fallback)[:250]
            target.caption = item.excerpt.strip()[:300]
        else:
            target.title = (item.title or PurePosixPath(target.file.name).name)[:300]
            target.description = item.content.strip()
            target.original_url = url[:500]

    @staticmethod
    def link(item, url, new_url, ctx):
        """Old file URLs (and their resized copies), the attachment page,
        ``?attachment_id=`` and ``?p=`` all lead to the new file."""
        ctx.links.add_url(url, new_url, replace=True)
        ctx.links.add_query("attachment_id", item.wp_id, new_url, replace=True)
        ctx.links.add_query("p", item.wp_id, new_url, replace=True)
        if item.link:
            ctx.links.add_url(item.link, new_url, replace=True)
            ctx.redirect(item.link, new_url, item.label)
        if ctx.links.is_local(url):
            ctx.redirect(url, new_url, item.label)
            folder = PurePosixPath(urlsplit(url).path).parent
            for sized in _SIZED_FILE.findall(item.meta.get("_wp_attachment_metadata", "")):
                sized_path = f"{folder}/{PurePosixPath(sized).name}"
                ctx.links.add_path(sized_path, new_url, replace=True)
                ctx.redirect(sized_path, new_url, item.label)

    @staticmethod
    def relative_path(item, url) -> str:
        """The file's path inside wp-content/uploads."""
        attached = item.meta.get("_wp_attached_file", "").strip()
        if attached:
            return attached
        path = unquote(urlsplit(url).path)
        marker = "/uploads/"
        return path.split(marker, 1)[1] if marker in path else PurePosixPath(path).name

    def open(self, item, url, relative, ctx):
        media_dir = ctx.options.media_dir
        if media_dir is not None:
            root = Path(media_dir).resolve()
            candidate = (root / relative).resolve()
            if not candidate.is_relative_to(root):
                ctx.report.problem(
                    item.label, "its file path leads outside the media folder; skipped", "error"
                )
                return None
            if not candidate.is_file():
                ctx.report.problem(
                    item.label, f"the file {relative} is not in the media folder; skipped", "error"
                )
                return None
            return candidate.open("rb")
        try:
            return ctx.fetcher.fetch(url)
        except FetchError as exc:
            ctx.report.problem(item.label, f"{url[:200]} was not fetched: {exc}", "error")
            return None

    @staticmethod
    def is_image(content) -> bool:
        try:
            with PILImage.open(content) as image:
                image.verify()
        except (
            UnidentifiedImageError,
            PILImage.DecompressionBombError,
            OSError,
            SyntaxError,
            ValueError,
        ):
            return False
        finally:
            content.seek(0)
        return True

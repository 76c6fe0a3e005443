"""Attached files: what a file really is (from its content), whether the site
accepts it, its size/pages/slides, and its first-page thumbnail."""

import hashlib
import io
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PDF = "application/pdf"
PPT = "application/vnd.ms-powerpoint"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOC = "application/msword"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
JPEG, PNG, GIF, WEBP = "image/jpeg", "image/png", "image/gif", "image/webp"

# MIME type → (label shown to readers, extension, extensions a file of it may be named with)
ACCEPTED = {
    PDF: ("PDF", "pdf", {"pdf"}),
    PPTX: ("PowerPoint", "pptx", {"pptx"}),
    PPT: ("PowerPoint", "ppt", {"ppt", "pps"}),
    DOCX: ("Word", "docx", {"docx"}),
    DOC: ("Word", "doc", {"doc"}),
    JPEG: ("JPEG image", "jpg", {"jpg", "jpeg"}),
    PNG: ("PNG image", "png", {"png"}),
    GIF: ("GIF image", "gif", {"gif"}),
    WEBP: ("WebP image", "webp", {"webp"}),
}
# Legacy Office files are OLE2 containers: filetype tells .doc from .ppt by the name.
OLE_MIME = {"doc": DOC, "ppt": PPT, "pps": PPT}
EXECUTABLE_EXTENSIONS = {
    "exe", "msi", "com", "bat", "cmd", "scr", "pif", "dll", "sys", "cpl", "jar", "apk", "app",
    "dmg", "sh", "bash", "ps1", "vbs", "vbe", "js", "jse", "wsf", "hta", "lnk", "reg", "elf",
    "bin", "run", "deb", "rpm", "py", "pl", "php", "docm", "pptm", "xlsm",
}  # fmt: skip
EXECUTABLE_TYPES = {"exe", "elf", "dex", "wasm", "crx", "deb", "rpm", "cab", "swf", "nes"}
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")


@dataclass
class Inspected:
    mime_type: str
    size: int
    sha256: str
    page_count: int | None


def max_upload_bytes() -> int:
    return int(settings.REFERENCES_MAX_UPLOAD_MB * 1024 * 1024)


def extension_for(mime_type: str) -> str:
    return ACCEPTED.get(mime_type, ("", "bin", set()))[1]


def label_for(mime_type: str) -> str:
    return ACCEPTED.get(mime_type, (_("File"), "", set()))[0]


def human_size(size: int | None) -> str:
    """450 KB, 5.7 MB, 12 MB (binary units, as readers' file browsers show)."""
    if size is None:
        return ""
    if size < 1024:
        return _("%d bytes") % size
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{size:.1f} {unit}" if size < 10 and unit != "KB" else f"{round(size)} {unit}"
    return ""  # pragma: no cover


def _read_all(uploaded) -> bytes:
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    return data


def sniff(data: bytes, name: str) -> str:
    """The MIME type the content shows ('' when unknown)."""
    kind = filetype.guess(data[:8192] if not data.startswith(b"PK") else data)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if kind is None:
        return ""
    if kind.extension in {"doc", "xls", "ppt"} or kind.mime == "application/x-ole-storage":
        return OLE_MIME.get(extension, "application/x-ole-storage")
    if kind.extension == "zip" and data.startswith(b"PK"):
        # An Office file filetype could not place: look inside.
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return "application/zip"
        if "ppt/presentation.xml" in names:
            return PPTX
        if "word/document.xml" in names:
            return DOCX
    return kind.mime


def is_executable(data: bytes, name: str, detected: str) -> bool:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = filetype.guess(data[:8192])
    return (
        extension in EXECUTABLE_EXTENSIONS
        or (kind is not None and kind.extension in EXECUTABLE_TYPES)
        or data.startswith(EXECUTABLE_MAGIC)
        or data.startswith(b"#!")
    )


def count_pages(data: bytes, mime_type: str) -> int | None:
    """Pages of a PDF, slides of a PPTX; None where the format does not say."""
    try:
        if mime_type == PDF:
            import pypdfium2

            document = pypdfium2.PdfDocument(data)
            try:
                return len(document)
            finally:
                document.close()
        if mime_type == PPTX:
            from pptx import Presentation

            return len(Presentation(io.BytesIO(data)).slides)
    except Exception:  # a damaged file still gets stored; it just has no count
        return None
    return None


def inspect_upload(uploaded, *, name: str | None = None) -> Inspected:
    """Check an uploaded file and describe it, or raise ValidationError saying
    why the site refuses it (too large, executable, not what it claims)."""
    name = name or getattr(uploaded, "name", "") or ""
    limit = max_upload_bytes()
    if uploaded.size is not None and uploaded.size > limit:
        raise ValidationError(
            _("This file is %(size)s; the largest file the site accepts is %(limit)s.")
            % {"size": human_size(uploaded.size), "limit": human_size(limit)},
            code="too_large",
        )
    data = _read_all(uploaded)
    detected = sniff(data, name)
    if is_executable(data, name, detected):
        raise ValidationError(
            _("“%(name)s” is a program or script. Only documents and images can be attached.")
            % {"name": name},
            code="executable",
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if detected not in ACCEPTED:
        shown = detected or _("unrecognised content")
        raise ValidationError(
            _("“%(name)s” is not a PDF, PowerPoint, Word file or image (its content is %(kind)s).")
            % {"name": name, "kind": shown},
            code="unsupported",
        )
    label, _ext, extensions = ACCEPTED[detected]
    if extension not in extensions:
        raise ValidationError(
            _(
                "“%(name)s” is named as a .%(extension)s file but its content is a %(label)s. "
                "Rename it or upload the right file."
            )
            % {"name": name, "extension": extension or "?", "label": label},
            code="mismatch",
        )
    claimed = getattr(uploaded, "content_type", None)
    if claimed and claimed not in {detected, "application/octet-stream"} and claimed in ACCEPTED:
        raise ValidationError(
            _("“%(name)s” was sent as %(claimed)s but its content is a %(label)s.")
            % {"name": name, "claimed": ACCEPTED[claimed][0], "label": label},
            code="mismatch",
        )
    return Inspected(
        mime_type=detected,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        page_count=count_pages(data, detected),
    )


THUMBNAIL_WIDTH = 240


def render_thumbnail(data: bytes, mime_type: str) -> bytes | None:
    """A PNG of the first page (PDF) or of the image itself; None otherwise."""
    from PIL import Image

    if mime_type == PDF:
        import pypdfium2

        try:
            document = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError:
            return None  # damaged or encrypted: listed without a thumbnail
        try:
            if len(document) == 0:
                return None
            page = document[0]
            scale = THUMBNAIL_WIDTH / page.get_width()
            image = page.render(scale=scale).to_pil()
        finally:
            document.close()
    elif mime_type in {JPEG, PNG, GIF, WEBP}:
        with Image.open(io.BytesIO(data)) as original:
            original.thumbnail((THUMBNAIL_WIDTH, THUMBNAIL_WIDTH * 2))
            image = original.convert("RGB")
    else:
        return None
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()

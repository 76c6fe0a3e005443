"""Attached files: what a file really is (from its content), whether the site
accepts it, its size/pages/slides, and its first-page thumbnail."""

import hashlib
import io
import struct
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
# Legacy Office files are OLE compound files (MS-CFB): what the file is shows in
# the names of the streams at its top (see ole_stream_names).
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLE = "application/x-ole-storage"
OLE_STREAMS = [
    ("WordDocument", DOC),
    ("PowerPoint Document", PPT),
    ("Workbook", "application/vnd.ms-excel"),
    ("Book", "application/vnd.ms-excel"),
]
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


_SPECIAL_SECTOR = 0xFFFFFFFA  # this and above: end of chain, free, FAT/DIFAT sector, none


def ole_stream_names(data: bytes) -> set[str]:
    """The names of the streams at the top of an OLE compound file (MS-CFB).

    A Word 97–2003 file has a "WordDocument" stream there, a PowerPoint one a
    "PowerPoint Document" stream. Only the directory is read (through the FAT,
    which the header and the DIFAT chain locate); streams in sub-storages (an
    embedded object) are not looked at. A damaged file gives an empty set."""
    if len(data) < 512 or not data.startswith(OLE_SIGNATURE):
        return set()
    try:
        shift = struct.unpack_from("<H", data, 0x1E)[0]
        if shift not in (9, 12):
            return set()
        size = 1 << shift
        count = len(data) // size - 1  # sectors after the header's one

        def sector(number):
            if number >= count:
                raise ValueError("sector out of the file")
            return struct.unpack_from(f"<{size // 4}I", data, (number + 1) * size)

        fat_sectors, directory_start = struct.unpack_from("<II", data, 0x2C)
        difat_next, difat_count = struct.unpack_from("<II", data, 0x44)
        locations = list(struct.unpack_from("<109I", data, 0x4C))
        for _step in range(min(difat_count, count)):
            if difat_next >= _SPECIAL_SECTOR:
                break
            values = sector(difat_next)
            locations += values[:-1]
            difat_next = values[-1]
        fat = []
        for location in locations[: min(fat_sectors, count)]:
            fat += sector(location)
        directory, number, seen = b"", directory_start, set()
        while number < _SPECIAL_SECTOR:
            if number in seen or number >= len(fat):
                raise ValueError("broken directory chain")
            seen.add(number)
            directory += data[(number + 1) * size : (number + 2) * size]
            number = fat[number]

        def entry(index):
            raw = directory[index * 128 : (index + 1) * 128]
            if len(raw) < 128:
                raise ValueError("directory entry out of the directory")
            length, kind = struct.unpack_from("<HB", raw, 0x40)
            left, right, child = struct.unpack_from("<III", raw, 0x44)
            name = raw[: max(0, min(length, 64) - 2)].decode("utf-16-le", "replace")
            return name, kind, left, right, child

        _root, root_kind, _left, _right, first = entry(0)
        if root_kind != 5:
            return set()
        names, pending, visited = set(), [first], set()
        while pending:  # the root's children: a tree linked by left/right siblings
            index = pending.pop()
            if index >= _SPECIAL_SECTOR or index in visited:
                continue
            visited.add(index)
            name, kind, left, right, _child = entry(index)
            if kind == 2:
                names.add(name)
            pending += [left, right]
        return names
    except (ValueError, struct.error):
        return set()


def sniff(data: bytes, name: str) -> str:
    """The MIME type the content shows ('' when unknown)."""
    kind = filetype.guess(data[:8192] if not data.startswith(b"PK") else data)
    if data.startswith(OLE_SIGNATURE):
        streams = ole_stream_names(data)
        if streams:
            return next((mime for stream, mime in OLE_STREAMS if stream in streams), OLE)
        # No directory to read: filetype's look at the first sector, never the name.
        return kind.mime if kind is not None and kind.mime in {DOC, PPT} else OLE
    if kind is None:
        return ""
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
    what = label if detected.startswith("image/") else _("%(label)s file") % {"label": label}
    if extension not in extensions:
        raise ValidationError(
            _(
                "“%(name)s” is named as a .%(extension)s file but its content is a %(what)s. "
                "Rename it or upload the right file."
            )
            % {"name": name, "extension": extension or "?", "what": what},
            code="mismatch",
        )
    claimed = getattr(uploaded, "content_type", None)
    if claimed and claimed not in {detected, "application/octet-stream"} and claimed in ACCEPTED:
        raise ValidationError(
            _("“%(name)s” was sent as %(claimed)s but its content is a %(what)s.")
            % {"name": name, "claimed": ACCEPTED[claimed][0], "what": what},
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

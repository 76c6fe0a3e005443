"""WordPress post content to the clean HTML the editor keeps.

The order follows WordPress's own ``the_content`` filters: Gutenberg block
comments go (and blocks skip wpautop, as in WordPress 5+), classic content goes
through wpautop, then the shortcodes WordPress ships are rendered as plain
HTML (captions as figures, galleries as figures, embeds/audio/video as links),
links and images are pointed at their new addresses, and everything passes
through ``core.html.sanitize_html``, the editor's own sanitizer.
"""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import nh3
from django.utils.html import escape

from core.html import html_to_text, sanitize_html
from importers.wordpress import (
    find_shortcode_names,
    shortcode_parse_atts,
    shortcode_regex,
    shortcode_unautop,
    wpautop,
)

SHORTCODES = ["caption", "wp_caption", "gallery", "embed", "audio", "video", "playlist"]
_SHORTCODE = shortcode_regex(SHORTCODES)

_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:[^>]*?-->\n?")
_MORE = re.compile(r"<!--more(?:\s[^>]*)?-->|<!--noteaser-->")
_NEXTPAGE = re.compile(r"<!--nextpage-->")
_URL_ATTR = re.compile(r"""(\b(?:href|src)\s*=\s*)(["'])(.*?)\2""", re.I | re.S)
_IFRAME = re.compile(r"<iframe\b[^>]*?\bsrc\s*=\s*([\"'])(.*?)\1[^>]*>.*?</iframe>", re.I | re.S)
_LONE_URL = re.compile(r"(<(?:p|div)[^>]*>)\s*(https?://[^\s<>\"']+)\s*(</(?:p|div)>)")
_TAG = re.compile(r"<[a-zA-Z][^>]*>")
_PRESENTATION = re.compile(r"""\s+(?:class|style|id)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.I)
_EMPTY_P = re.compile(r"<p>(?:\s|&nbsp;|<br>)*</p>")
_LINK = re.compile(r"""<a\s[^>]*?href="([^"]*)"[^>]*>(.*?)</a>""", re.I | re.S)
_CAPTION_PARTS = re.compile(r"^\s*((?:<a\s[^>]*>\s*)?<img\s[^>]*>(?:\s*</a>)?)(.*)$", re.S | re.I)

# Tags the editor has no equivalent for, mapped to ones it has (the sanitizer
# would otherwise drop the tag and keep only its text).
_RENAMES = [
    (re.compile(r"<(/?)b(\s[^>]*)?>", re.I), r"<\1strong>"),
    (re.compile(r"<(/?)i(\s[^>]*)?>", re.I), r"<\1em>"),
    (re.compile(r"<(/?)(?:strike|del)(\s[^>]*)?>", re.I), r"<\1s>"),
    (re.compile(r"<(/?)h1(\s[^>]*)?>", re.I), r"<\1h2>"),
    (re.compile(r"<(/?)h[56](\s[^>]*)?>", re.I), r"<\1h4>"),
]
_PRE = re.compile(r"<pre\b[^>]*>(.*?)</pre>", re.I | re.S)


@dataclass
class Attachment:
    """What content conversion needs to know about an imported attachment."""

    url: str
    is_image: bool
    title: str = ""
    alt: str = ""
    caption: str = ""


@dataclass
class Converted:
    body: str
    teaser: str = ""  # the text before <!--more-->, for an empty excerpt
    links: list[tuple[str, str]] = field(default_factory=list)  # (new url, link text)
    unknown_shortcodes: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)


class ContentConverter:
    """Convert one site's post bodies.

    ``resolve(url)`` returns the new address for an old one (or None);
    ``attachments`` maps WordPress attachment IDs to ``Attachment``;
    ``children`` maps a post ID to its attached images' IDs (for [gallery])."""

    def __init__(
        self,
        *,
        resolve: Callable[[str], str | None],
        attachments: dict[str, Attachment],
        children: dict[str, list[str]] | None = None,
    ):
        self.resolve = resolve
        self.attachments = attachments
        self.children = children or {}

    def convert(self, text: str, *, post_id: str = "") -> Converted:
        result = Converted(body="")
        text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
        has_blocks = "<!-- wp:" in text
        text = _BLOCK_COMMENT.sub("", text)
        teaser = ""
        more = _MORE.search(text)
        if more:
            teaser = text[: more.start()]
            text = _MORE.sub("", text)
        text = _NEXTPAGE.sub("\n\n", text)
        if not has_blocks:
            text = wpautop(text)
            text = shortcode_unautop(text, SHORTCODES)
        text = self.do_shortcodes(text, post_id, result)
        result.unknown_shortcodes = find_shortcode_names(text)
        text = self.clean(text, result)
        result.body = text
        if teaser.strip():
            result.teaser = " ".join(html_to_text(teaser).split())
        result.links = [
            (html.unescape(href), html.unescape(re.sub(r"<[^>]+>", "", inner)).strip())
            for href, inner in _LINK.findall(text)
        ]
        return result

    # --- Shortcodes -----------------------------------------------------------

    def do_shortcodes(self, text: str, post_id: str, result: Converted) -> str:
        def render(m):
            if m.group(1) == "[" and m.group(6) == "]":  # [[escaped]]
                return m.group(0)[1:-1]
            tag = m.group(2)
            atts = shortcode_parse_atts(m.group(3))
            content = m.group(5) or ""
            if tag in ("caption", "wp_caption"):
                return self.caption(atts, self.do_shortcodes(content, post_id, result))
            if tag == "gallery":
                return self.gallery(atts, post_id)
            if tag == "embed":
                url = content.strip() or atts.get("src", "")
                return self.link_paragraph(url, url)
            if tag in ("audio", "video"):
                return self.media_link(tag, atts, content)
            if tag == "playlist":
                ids = _ids(atts.get("ids") or atts.get("include", ""))
                return "".join(
                    self.link_paragraph(a.url, a.title or _file_name(a.url))
                    for a in (self.attachments.get(i) for i in ids)
                    if a
                )
            return m.group(0)

        return _SHORTCODE.sub(render, text)

    def caption(self, atts, content):
        caption = atts.get("caption", "")
        m = _CAPTION_PARTS.match(content)
        if m:
            image, rest = m.group(1), m.group(2)
            caption = caption or rest
        else:
            image = content
        caption = re.sub(r"^\s*(?:<br\s*/?>\s*)+|(?:<br\s*/?>\s*)+$", "", caption.strip())
        figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
        return f"<figure>{image.strip()}{figcaption}</figure>"

    def gallery(self, atts, post_id):
        ids = _ids(atts.get("ids") or atts.get("include", ""))
        if not ids:
            ids = self.children.get(post_id, [])
        figures = []
        for wp_id in ids:
            attachment = self.attachments.get(wp_id)
            if attachment is None or not attachment.is_image:
                continue
            alt = escape(attachment.alt or attachment.title)
            caption = (
                f"<figcaption>{escape(attachment.caption)}</figcaption>"
                if attachment.caption
                else ""
            )
            figures.append(
                f'<figure><a href="{escape(attachment.url)}"><img src="{escape(attachment.url)}"'
                f' alt="{alt}"></a>{caption}</figure>'
            )
        return "\n".join(figures)

    def media_link(self, tag, atts, content):
        url = atts.get("src", "")
        if not url:
            for key, value in atts.items():
                if isinstance(key, str) and re.fullmatch(
                    r"mp3|m4a|ogg|wav|mp4|m4v|webm|ogv|wmv|flv", key
                ):
                    url = value
                    break
        if not url:
            m = re.search(r"""src=["']([^"']+)""", content)
            url = m.group(1) if m else ""
        if not url:
            return ""
        label = ("Listen: " if tag == "audio" else "Watch: ") + _file_name(url)
        return self.link_paragraph(url, label)

    @staticmethod
    def link_paragraph(url, text):
        url = url.strip()
        if not url:
            return ""
        return f'<p><a href="{escape(html.unescape(url))}">{escape(text.strip())}</a></p>'

    # --- Markup ---------------------------------------------------------------

    def clean(self, text: str, result: Converted) -> str:
        def iframe(m):
            result.notes.append(f"an embedded frame ({m.group(2)[:100]}) became a link")
            return self.link_paragraph(m.group(2), m.group(2))

        text = _IFRAME.sub(iframe, text)
        text = _PRE.sub(
            lambda m: "<p>" + m.group(1).strip("\n").replace("\n", "<br>") + "</p>", text
        )
        for pattern, replacement in _RENAMES:
            text = pattern.sub(replacement, text)
        text = _LONE_URL.sub(
            lambda m: f'{m.group(1)}<a href="{m.group(2)}">{m.group(2)}</a>{m.group(3)}', text
        )
        text = _URL_ATTR.sub(self._rewrite_attr, text)
        # WordPress's classes, ids and inline styles mean nothing here.
        text = _TAG.sub(lambda m: _PRESENTATION.sub("", m.group(0)), text)
        text = sanitize_html(text)
        text = _EMPTY_P.sub("", text)
        return re.sub(r"\n{2,}", "\n", text).strip()

    def _rewrite_attr(self, m):
        url = html.unescape(m.group(3)).strip()
        new = self.resolve(url)
        if new is None:
            return m.group(0)
        return f"{m.group(1)}{m.group(2)}{escape(new)}{m.group(2)}"


def _ids(value) -> list[str]:
    return [part.strip() for part in str(value).split(",") if part.strip().isdigit()]


def _file_name(url: str) -> str:
    return PurePosixPath(urlsplit(url).path).name or url


def rewrite_links(body: str, addresses: dict[str, str]) -> str:
    """``body`` with every link or image address found in ``addresses`` (an
    old address, without its #fragment) replaced by the new one."""

    def replace(m):
        url, hash_mark, fragment = html.unescape(m.group(3)).strip().partition("#")
        new = addresses.get(url)
        if new is None:
            return m.group(0)
        return f"{m.group(1)}{m.group(2)}{escape(new + hash_mark + fragment)}{m.group(2)}"

    return _URL_ATTR.sub(replace, body or "")


_COMMENT_LINK = re.compile(
    r"""<a\s[^>]*?\bhref\s*=\s*(["'])(.*?)\1[^>]*>(.*?)</a\s*>""", re.I | re.S
)
_COMMENT_BREAK = re.compile(r"<br\s*/?>", re.I)
_COMMENT_BLOCK_END = re.compile(r"</(?:p|blockquote|li|ul|ol|div|h[1-6])\s*>", re.I)


def comment_text(value: str) -> str:
    """A WordPress comment as the plain text comments here keep.

    WordPress lets commenters use a little HTML (links, emphasis, quotes) and
    shows blank lines as paragraphs, as this site does. Tags go; a link keeps
    its words and its address ("the study (https://...)"), which the comment
    shows as a link again; entities become characters."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    if "<" not in text and "&" not in text:
        return text.strip()

    def link(m):
        href = html.unescape(m.group(2)).strip()
        words = html.unescape(nh3.clean(m.group(3), tags=set())).strip()
        if not href.lower().startswith(("http://", "https://", "mailto:")):
            return escape(words)
        address = href.removeprefix("mailto:")
        if not words or words in (href, address):
            return escape(address)
        return escape(f"{words} ({address})")

    text = _COMMENT_LINK.sub(link, text)
    text = _COMMENT_BREAK.sub("\n", text)
    text = _COMMENT_BLOCK_END.sub("\n\n", text)
    text = html.unescape(nh3.clean(text, tags=set()))
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()

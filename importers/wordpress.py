"""Ports of the WordPress text functions the importer needs, kept close to
wp-includes/formatting.php and shortcodes.php so that imported posts read as
they did on WordPress: ``wpautop``, ``shortcode_unautop``, the shortcode regex
and ``shortcode_parse_atts``.
"""

import re

# --- wpautop ------------------------------------------------------------------

_ALLBLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre"
    r"|form|map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section|article"
    r"|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)

# get_html_split_regex(): comments, CDATA and tags, so that text and markup can
# be told apart. PHP's conditional group becomes an alternation here.
_HTML_SPLIT = re.compile(
    r"(<(?:"
    r"!--(?:-(?!->)[^\-]*+)*+[^\-]*+(?:-->)?"  # a comment
    r"|!\[CDATA\[[^\]]*+(?:\](?!\]>)[^\]]*+)*+(?:\]\]>)?"  # CDATA
    r"|[^>]*>?"  # a tag
    r"))"
)


def _replace_in_html_tags(text: str, needle: str, replacement: str) -> str:
    """wp_replace_in_html_tags() with one pair: replace only inside tags/comments."""
    parts = _HTML_SPLIT.split(text)
    for index in range(1, len(parts), 2):
        if needle in parts[index]:
            parts[index] = parts[index].replace(needle, replacement)
    return "".join(parts)


def wpautop(text: str, br: bool = True) -> str:
    """WordPress's wpautop(): double line breaks become paragraphs, single
    ones <br />, leaving <pre> and block-level elements alone."""
    if not text.strip():
        return ""
    pre_tags = {}
    text = text + "\n"
    if "<pre" in text:
        parts = text.split("</pre>")
        last = parts.pop()
        text = ""
        for i, part in enumerate(parts):
            start = part.find("<pre")
            if start == -1:  # malformed HTML
                text += part
                continue
            name = f"<pre wp-pre-tag-{i}></pre>"
            pre_tags[name] = part[start:] + "</pre>"
            text += part[:start] + name
        text += last

    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text)
    text = re.sub(r"(<" + _ALLBLOCKS + r"[\s/>])", r"\n\n\1", text)
    text = re.sub(r"(</" + _ALLBLOCKS + r">)", r"\1\n\n", text)
    text = re.sub(r"(<hr\s*?/?>)", r"\1\n\n", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _replace_in_html_tags(text, "\n", " <!-- wpnl --> ")

    if "<option" in text:
        text = re.sub(r"\s*<option", "<option", text)
        text = re.sub(r"</option>\s*", "</option>", text)
    if "</object>" in text:
        text = re.sub(r"(<object[^>]*>)\s*", r"\1", text)
        text = re.sub(r"\s*</object>", "</object>", text)
        text = re.sub(r"\s*(</?(?:param|embed)[^>]*>)\s*", r"\1", text)
    if "<source" in text or "<track" in text:
        text = re.sub(r"([<\[](?:audio|video)[^>\]]*[>\]])\s*", r"\1", text)
        text = re.sub(r"\s*([<\[]/(?:audio|video)[>\]])", r"\1", text)
        text = re.sub(r"\s*(<(?:source|track)[^>]*>)\s*", r"\1", text)
    if "<figcaption" in text:
        text = re.sub(r"\s*(<figcaption[^>]*>)", r"\1", text)
        text = re.sub(r"</figcaption>\s*", "</figcaption>", text)

    text = re.sub(r"\n\n+", "\n\n", text)
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p]
    text = "".join("<p>" + p.strip("\n") + "</p>\n" for p in paragraphs)

    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(r"<p>([^<]+)</(div|address|form)>", r"<p>\1</p></\2>", text)
    text = re.sub(r"<p>\s*(</?" + _ALLBLOCKS + r"[^>]*>)\s*</p>", r"\1", text)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.I)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = re.sub(r"<p>\s*(</?" + _ALLBLOCKS + r"[^>]*>)", r"\1", text)
    text = re.sub(r"(</?" + _ALLBLOCKS + r"[^>]*>)\s*</p>", r"\1", text)

    if br:
        text = re.sub(
            r"<(script|style|svg|math).*?</\1>",
            lambda m: m.group(0).replace("\n", "<WPPreserveNewline />"),
            text,
            flags=re.S,
        )
        text = text.replace("<br>", "<br />").replace("<br/>", "<br />")
        text = re.sub(r"(?<!<br />)\s*\n", "<br />\n", text)
        text = text.replace("<WPPreserveNewline />", "\n")

    text = re.sub(r"(</?" + _ALLBLOCKS + r"[^>]*>)\s*<br />", r"\1", text)
    text = re.sub(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", r"\1", text)
    text = re.sub(r"\n</p>$", "</p>", text)

    for name, original in pre_tags.items():
        text = text.replace(name, original)
    if "<!-- wpnl -->" in text:
        text = text.replace(" <!-- wpnl --> ", "\n").replace("<!-- wpnl -->", "\n")
    return text


# --- Shortcodes ---------------------------------------------------------------

_SPACES = r"(?:[\r\n\t ]|\xa0|&nbsp;)"


def shortcode_regex(tags) -> re.Pattern:
    """get_shortcode_regex() for the given tag names. Groups: 1 escaping '[',
    2 name, 3 attributes, 4 self-closing '/', 5 content, 6 escaping ']'."""
    tagregexp = "|".join(re.escape(tag) for tag in tags)
    return re.compile(
        r"\[(\[?)(" + tagregexp + r")(?![\w-])"
        r"([^\]/]*(?:/(?!\])[^\]/]*)*?)"
        r"(?:(/)\]|\](?:([^\[]*+(?:\[(?!/\2\])[^\[]*+)*+)\[/\2\])?)"
        r"(\]?)"
    )


def shortcode_unautop(text: str, tags) -> str:
    """Unwrap shortcodes that wpautop put alone in a paragraph."""
    tagregexp = "|".join(re.escape(tag) for tag in tags)
    pattern = re.compile(
        r"<p>" + _SPACES + r"*+"
        r"(\[(" + tagregexp + r")(?![\w-])[^\]/]*(?:/(?!\])[^\]/]*)*?"
        r"(?:/\]|\](?:[^\[]*+(?:\[(?!/\2\])[^\[]*+)*+\[/\2\])?))" + _SPACES + r"*+</p>"
    )
    return pattern.sub(r"\1", text)


_ATTS = re.compile(
    r"""([\w-]+)\s*=\s*"([^"]*)"(?:\s|$)"""
    r"""|([\w-]+)\s*=\s*'([^']*)'(?:\s|$)"""
    r"""|([\w-]+)\s*=\s*([^\s'"]+)(?:\s|$)"""
    r"""|"([^"]*)"(?:\s|$)"""
    r"""|'([^']*)'(?:\s|$)"""
    r"""|(\S+)(?:\s|$)"""
)


def shortcode_parse_atts(text: str) -> dict:
    """shortcode_parse_atts(): named attributes by lower-case name, positional
    ones under 0, 1, 2..."""
    atts = {}
    position = 0
    text = re.sub(r"[\xa0\u200b]+", " ", text or "")
    for m in _ATTS.finditer(text):
        if m.group(1):
            atts[m.group(1).lower()] = m.group(2)
        elif m.group(3):
            atts[m.group(3).lower()] = m.group(4)
        elif m.group(5):
            atts[m.group(5).lower()] = m.group(6)
        else:
            value = next(g for g in (m.group(7), m.group(8), m.group(9)) if g is not None)
            atts[position] = value
            position += 1
    return atts


# Something that looks like a shortcode of any name: "[name attr=...]",
# "[name /]" or "[name]...[/name]". A bare "[sic]" or "[reference below]" in
# prose is not one.
_ANY_SHORTCODE = re.compile(
    r"\[(?!\[)([a-zA-Z][\w-]*)(?:(\s[^\]\[]*=[^\]\[]*)|\s*/)\]"  # with attributes or /]
    r"|\[([a-zA-Z][\w-]*)\][^\[]*\[/\3\]"  # [name]...[/name]
)


def find_shortcode_names(text: str) -> set[str]:
    names = set()
    for m in _ANY_SHORTCODE.finditer(text):
        names.add((m.group(1) or m.group(3)).lower())
    return names

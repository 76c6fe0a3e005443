"""The wpautop port, on cases modelled on WordPress's own tests
(tests/phpunit/tests/formatting/wpAutop.php), so posts read as they did."""

import pytest

from importers.wordpress import shortcode_parse_atts, wpautop


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("", ""),
        ("   \n  ", ""),
        ("Hello", "<p>Hello</p>\n"),
        ("One\n\nTwo", "<p>One</p>\n<p>Two</p>\n"),
        ("One\nline break", "<p>One<br />\nline break</p>\n"),
        ("a\r\n\r\nb", "<p>a</p>\n<p>b</p>\n"),
        ("One<br><br>Two", "<p>One</p>\n<p>Two</p>\n"),
        # <pre> is left alone, newlines included.
        (
            "Before\n\n<pre>line 1\n\nline 2</pre>\n\nAfter",
            "<p>Before</p>\n<pre>line 1\n\nline 2</pre>\n<p>After</p>\n",
        ),
        # Block-level elements are not wrapped in paragraphs.
        ("<div>inside</div>", "<div>inside</div>\n"),
        ("<ul>\n<li>a</li>\n<li>b</li>\n</ul>", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"),
        ("<h3>Title</h3>\nText", "<h3>Title</h3>\n<p>Text</p>\n"),
        ("<blockquote>Quote</blockquote>", "<blockquote><p>Quote</p></blockquote>\n"),
        ("Text\n<hr />\nMore", "<p>Text</p>\n<hr />\n<p>More</p>\n"),
        # Newlines inside a tag are not line breaks.
        ('<a\nhref="x">link</a>', '<p><a\nhref="x">link</a></p>\n'),
        # Nor inside <script>/<style>.
        ("<script>a\nb</script>", "<p><script>a\nb</script></p>\n"),
        (
            "<figure><img src=x />\n<figcaption>Cap</figcaption></figure>",
            "<figure><img src=x /><figcaption>Cap</figcaption></figure>\n",
        ),
    ],
)
def test_wpautop(source, expected):
    assert wpautop(source) == expected


def test_wpautop_without_line_breaks():
    assert wpautop("One\nTwo", br=False) == "<p>One\nTwo</p>\n"


def test_shortcode_attributes():
    assert shortcode_parse_atts(' id="attachment_5" align=left width=\'300\' "quoted" bare') == {
        "id": "attachment_5",
        "align": "left",
        "width": "300",
        0: "quoted",
        1: "bare",
    }

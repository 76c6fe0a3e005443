"""What the site's own public forms share."""

from django.forms.renderers import Jinja2


class ReaderFormRenderer(Jinja2):
    """Django's form templates, rendered by Jinja2: the comment and subscribe
    forms sit on every post page, and Jinja2 draws them several times faster
    than the Django template engine. (The admin keeps Django's renderer.)"""


READER_FORM_RENDERER = ReaderFormRenderer()

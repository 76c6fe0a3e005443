"""Signed, expiring links for emailed actions (confirm, follow, mute, unsubscribe).

One mechanism for every app: a payload of plain JSON values is signed with
``django.core.signing`` under a salt naming the action, and read back with a
maximum age. Nothing is pickled. The link opens a page (``ActionLinkView``)
whose form POSTs back to the same URL; only that POST changes anything, so a
mail scanner that follows links changes nothing.
"""

from datetime import timedelta

from django.core import signing
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views.generic import TemplateView

from core.sites import absolute_url

DEFAULT_MAX_AGE = timedelta(days=7)


class ActionLinkError(Exception):
    """The link is unusable: ``expired`` tells whether it is merely too old."""

    def __init__(self, message, *, expired=False):
        super().__init__(message)
        self.expired = expired


def _salt(action):
    return f"ldnsite.action.{action}"


def make_token(action: str, payload: dict) -> str:
    """Sign ``payload`` (JSON-serialisable) for ``action``."""
    return signing.dumps(payload, salt=_salt(action), compress=True)


def read_token(action: str, token: str, *, max_age: timedelta | None = DEFAULT_MAX_AGE) -> dict:
    """Return the payload signed for ``action``, or raise ActionLinkError."""
    try:
        return signing.loads(token, salt=_salt(action), max_age=max_age)
    except signing.SignatureExpired as exc:
        raise ActionLinkError("This link has expired.", expired=True) from exc
    except signing.BadSignature as exc:
        raise ActionLinkError("This link is not valid.") from exc


def action_url(viewname: str, action: str, payload: dict, *, absolute: bool = True) -> str:
    """URL of ``viewname`` (which takes a ``token`` argument) carrying a signed payload."""
    path = reverse(viewname, kwargs={"token": make_token(action, payload)})
    return absolute_url(path) if absolute else path


class ActionLinkView(TemplateView):
    """GET shows what the link will do; the page's POST does it.

    Subclasses set ``action``, ``max_age`` and ``template_name`` and implement
    ``get_subject(payload)`` (return None when the thing is gone) and
    ``perform(subject, payload)``, which returns the URL to go to next.
    """

    action: str = ""
    max_age: timedelta | None = DEFAULT_MAX_AGE
    invalid_template_name = "core/action_link_invalid.html"

    def dispatch(self, request, *args, **kwargs):
        try:
            self.payload = read_token(self.action, kwargs["token"], max_age=self.max_age)
        except ActionLinkError as exc:
            return self.invalid(exc)
        self.subject = self.get_subject(self.payload)
        if self.subject is None:
            return self.invalid(ActionLinkError("This link no longer applies."))
        return super().dispatch(request, *args, **kwargs)

    def invalid(self, error):
        return self.response_class(
            request=self.request,
            template=[self.invalid_template_name],
            context={"error": error, "expired": error.expired},
            status=410 if error.expired else 400,
        )

    def get_subject(self, payload):
        raise NotImplementedError

    def perform(self, subject, payload):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        return super().get_context_data(subject=self.subject, payload=self.payload, **kwargs)

    def post(self, request, *args, **kwargs):
        return HttpResponseRedirect(self.perform(self.subject, self.payload))

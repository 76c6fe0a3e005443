"""Subscribe, confirm, preferences, unsubscribe, export and erase.

Every page reached from an emailed link is an ActionLinkView: the link opens a
page and only that page's POST changes anything, so a mail scanner that
follows links confirms or unsubscribes no one. The RFC 8058 one-click POST
from a mail client is the exception the RFC defines.
"""

import json

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView, TemplateView

from core.http import same_origin_required
from core.ratelimit import client_ip, is_limited
from core.signing import ActionLinkView
from subscriptions import services
from subscriptions.forms import PreferencesForm, SubscribeForm
from subscriptions.models import Subscriber


@method_decorator(same_origin_required, name="dispatch")
class SubscribeView(FormView):
    """The subscribe page; the sidebar form posts here too.

    The sidebar form is on pages cached for anonymous readers, so it carries no
    CSRF token: where the request comes from (Sec-Fetch-Site/Origin) is checked."""

    template_name = "subscriptions/subscribe.html"
    form_class = SubscribeForm
    extra_context = {"hide_subscribe_widget": True}

    def post(self, request, *args, **kwargs):
        limit = settings.SUBSCRIPTIONS_RATE_LIMIT
        if is_limited("subscribe", client_ip(request), limit=limit, window=3600):
            form = self.get_form()
            form.is_valid()
            form.add_error(
                None,
                _(
                    "There have been too many subscription requests from your network. "
                    "Please try again in an hour."
                ),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        if not form.is_bot:
            services.request_subscription(
                email=form.cleaned_data["email"],
                frequency=form.cleaned_data["frequency"],
                source=form.source(),
                ip=client_ip(self.request) or None,
            )
        return HttpResponseRedirect(reverse("subscriptions:requested"))


class RequestedView(TemplateView):
    template_name = "subscriptions/requested.html"
    extra_context = {"hide_subscribe_widget": True}


class SubscriberLinkView(ActionLinkView):
    invalid_template_name = "subscriptions/link_invalid.html"
    extra_context = {"hide_subscribe_widget": True}  # the sidebar keeps only the feeds

    def get_subject(self, payload):
        return Subscriber.objects.filter(pk=payload.get("s")).first()


class ConfirmView(SubscriberLinkView):
    """Double opt-in: the emailed link (valid 7 days) opens this page; its
    button confirms."""

    action = services.CONFIRM
    template_name = "subscriptions/confirm.html"

    def get_context_data(self, **kwargs):
        frequency = Subscriber.Frequency(self.payload["f"])
        return super().get_context_data(frequency=frequency.label, **kwargs)

    def perform(self, subscriber, payload):
        services.confirm(subscriber, payload)
        messages.success(
            self.request,
            _("Thank you: you are subscribed. You can change this here at any time."),
        )
        return services.preferences_url(subscriber, absolute=False)


@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeView(SubscriberLinkView):
    """The link in every email and in its List-Unsubscribe header. It never
    expires. GET asks; POST unsubscribes, with no login and no CSRF token:
    mail clients POST ``List-Unsubscribe=One-Click`` here (RFC 8058)."""

    action = services.UNSUBSCRIBE
    max_age = None
    template_name = "subscriptions/unsubscribe.html"

    def post(self, request, *args, **kwargs):
        services.unsubscribe(self.subject)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse(_("Unsubscribed."), content_type="text/plain; charset=utf-8")
        messages.success(request, _("You are unsubscribed: we will not email you again."))
        return HttpResponseRedirect(services.preferences_url(self.subject, absolute=False))


class PreferencesView(SubscriberLinkView):
    """Every new post or a weekly digest; leave; come back; download your data."""

    action = services.PREFERENCES
    max_age = None
    template_name = "subscriptions/preferences.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", PreferencesForm(initial={"frequency": self.subject.frequency}))
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        subscriber = self.subject
        match request.POST.get("do"):
            case "export":
                return self.export(subscriber)
            case "unsubscribe":
                services.unsubscribe(subscriber)
                messages.success(request, _("You are unsubscribed: we will not email you again."))
            case "resubscribe":
                services.resubscribe(subscriber, ip=client_ip(request) or None)
                messages.success(request, _("Welcome back: you are subscribed again."))
            case _:
                form = PreferencesForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(form=form), status=400)
                services.set_frequency(subscriber, form.cleaned_data["frequency"])
                messages.success(request, _("Saved."))
        return HttpResponseRedirect(request.path)

    def export(self, subscriber):
        response = HttpResponse(
            json.dumps(services.export_record(subscriber), indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="my-subscription.json"'
        response["Cache-Control"] = "no-store"
        return response


class EraseView(SubscriberLinkView):
    action = services.PREFERENCES
    max_age = None
    template_name = "subscriptions/erase.html"

    def perform(self, subscriber, payload):
        services.erase(subscriber)
        return reverse("subscriptions:erased")


class ErasedView(TemplateView):
    template_name = "subscriptions/erased.html"

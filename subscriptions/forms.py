from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import READER_FORM_RENDERER
from subscriptions.models import Subscriber

SOURCES = {"sidebar": _("Sidebar form"), "page": _("Subscribe page")}


class SubscribeForm(forms.Form):
    default_renderer = READER_FORM_RENDERER
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "inputmode": "email", "spellcheck": "false"}
        ),
        error_messages={
            "required": _("Please type your email address."),
            "invalid": _("This does not look like an email address. Please check it."),
        },
    )
    frequency = forms.ChoiceField(
        label=_("Send me"),
        choices=Subscriber.Frequency.choices,
        initial=Subscriber.Frequency.IMMEDIATE,
        widget=forms.RadioSelect,
    )
    # A honeypot: hidden from people (and from screen readers), filled in by bots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    form = forms.ChoiceField(
        choices=list(SOURCES.items()), initial="page", required=False, widget=forms.HiddenInput
    )
    page = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)

    @property
    def is_bot(self):
        return bool(self.cleaned_data.get("website"))

    def source(self):
        """Which form, and on which page: the consent record's "source"."""
        label = str(SOURCES.get(self.cleaned_data.get("form") or "page", SOURCES["page"]))
        page = self.cleaned_data.get("page") or ""
        if page.startswith("/") and not page.startswith("//"):
            return f"{label} on {page}"[:200]
        return label


class PreferencesForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("Send me"), choices=Subscriber.Frequency.choices, widget=forms.RadioSelect
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "The subscriber export from WordPress or Jetpack (Users → Subscribers → "
            "Download as CSV), or any CSV with an email column and, if you have it, "
            "the date each person subscribed."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Only check the file; import nothing yet"), required=False, initial=True
    )

from django import forms
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_comments.forms import CommentForm as BaseCommentForm

from comments.models import Comment
from core.forms import READER_FORM_RENDERER
from posts.models import Post

HONEYPOT_MESSAGE = _(
    "Your comment was not sent: the field “Leave this field empty” was filled in, which is "
    "what spam robots do. If you are a person, empty that field and send your comment again."
)
EXPIRED_MESSAGE = _(
    "This form was open for a long time, so we could not check it. Your text is kept below: "
    "please send it again."
)


class CommentForm(BaseCommentForm):
    """django-contrib-comments' form (anti-spoofing hash, timestamp, honeypot)
    with a reply target and the follow choice. Logged-in users give no name
    or email: their account's are used."""

    default_renderer = READER_FORM_RENDERER

    security_hash = forms.CharField(min_length=64, max_length=64, widget=forms.HiddenInput)
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0)
    follow = forms.ChoiceField(
        label=_("Email me"),
        choices=Comment.Follow.choices,
        initial=Comment.Follow.REPLIES,
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, target_object, data=None, initial=None, *, user=None, **kwargs):
        super().__init__(target_object, data=data, initial=initial, **kwargs)
        self.user = user if user is not None and user.is_authenticated else None
        fields = self.fields
        fields["name"].label = _("Name")
        fields["name"].widget.attrs.update(autocomplete="name", maxlength=50)
        fields["email"].label = _("Email")
        fields["email"].help_text = _("Never shown. We email you a link to confirm your comment.")
        fields["email"].widget.attrs.update(autocomplete="email")
        fields["url"].label = _("Website (optional)")
        fields["url"].widget.attrs.update(autocomplete="url")
        fields["comment"].label = _("Comment")
        # No maxlength attribute: a browser would silently cut a long paste.
        # The server says how long it is instead, and keeps the text.
        fields["comment"].widget = forms.Textarea(attrs={"rows": 8})
        fields["honeypot"].label = _("Leave this field empty")
        fields["honeypot"].widget.attrs.update(tabindex="-1", autocomplete="off")
        if self.user is not None:
            for name in ("name", "email", "url"):
                del fields[name]
            if self.user.is_staff:
                del fields["follow"]

    def generate_security_hash(self, content_type, object_pk, timestamp):
        """The anti-spoofing hash, with SHA-256 (the base form still uses SHA-1)."""
        value = "-".join((content_type, object_pk, timestamp))
        return salted_hmac("ldnsite.comments.form", value, algorithm="sha256").hexdigest()

    def clean_honeypot(self):
        if self.cleaned_data["honeypot"]:
            raise forms.ValidationError(HONEYPOT_MESSAGE, code="honeypot")
        return ""

    def clean_comment(self):
        text = super().clean_comment().strip()
        if not text:
            raise forms.ValidationError(_("Please write something."), code="required")
        return text

    def clean_follow(self):
        return self.cleaned_data.get("follow") or Comment.Follow.NONE

    @property
    def honeypot_filled(self) -> bool:
        return any(e.code == "honeypot" for e in self.errors.as_data().get("honeypot", []))

    @property
    def expired(self) -> bool:
        return "timestamp" in self.errors or "security_hash" in self.errors

    def refreshed_data(self):
        """The submitted data with fresh anti-spoofing fields, to show the form again."""
        data = self.data.copy()
        data.update(self.generate_security_data())
        return data

    def commenter(self) -> dict:
        if self.user is not None:
            from comments.services import display_name_for

            return {"name": display_name_for(self.user), "email": self.user.email, "url": ""}
        return {
            "name": self.cleaned_data["name"].strip(),
            "email": self.cleaned_data["email"].strip(),
            "url": self.cleaned_data["url"],
        }


class PrivacyRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("The email address you commented with"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    what = forms.ChoiceField(
        label=_("What would you like?"),
        choices=[
            ("export", _("A copy of my comments and what is stored with them")),
            ("erase", _("Erase my comments")),
        ],
        widget=forms.RadioSelect,
        initial="export",
    )


class MoveForm(forms.Form):
    post = forms.ModelChoiceField(
        label=_("Move to"),
        queryset=Post.objects.all(),
        help_text=_("The comments become a top-level thread there, with their replies."),
    )


class AdminCommentForm(forms.ModelForm):
    """The moderator's edit form, with a box for the author's reply."""

    author_reply = forms.CharField(
        label=_("Your reply (as the author)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Published at once under this comment, marked as yours. If this comment was "
            "waiting for approval, replying approves it."
        ),
    )

    class Meta:
        model = Comment
        fields = ["user_name", "user_email", "user_url", "comment", "status"]
        labels = {
            "user_name": _("Name"),
            "user_email": _("Email"),
            "user_url": _("Website"),
            "comment": _("Comment"),
        }
        help_texts = {
            "comment": _(
                "Fix a typo or remove personal details; the page then says the comment "
                "was edited by the moderator."
            ),
        }
        widgets = {"comment": forms.Textarea(attrs={"rows": 12, "cols": 80})}

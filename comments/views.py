import json
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView

from comments import services
from comments.forms import EXPIRED_MESSAGE, CommentForm, PrivacyRequestForm
from comments.models import Comment
from comments.moderation import comments_open
from comments.thread import outline
from core.http import same_origin_required
from core.ratelimit import client_ip, is_limited
from core.signing import ActionLinkView
from posts.models import Post


def _form_page(request, *, post, form, parent=None, message="", status=400):
    """The comment form on a page of its own, with the reader's text kept."""
    if parent is None and form.is_bound and str(form.data.get("reply_to") or "0").isdigit():
        parent = (
            Comment.objects.published()
            .filter(post=post, pk=int(form.data.get("reply_to") or 0))
            .first()
        )
    return render(
        request,
        "comments/form_page.html",
        {"post": post, "form": form, "parent": parent, "message": message},
        status=status,
    )


@same_origin_required
def post_comment(request):
    """Receive the comment form (POST only).

    The form sits on pages cached for anonymous readers, so it carries no CSRF
    token: where the request comes from (Sec-Fetch-Site/Origin) is checked
    instead."""
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    post = Post.objects.published().filter(pk=request.POST.get("object_pk") or 0).first()
    if post is None or request.POST.get("content_type") != "posts.post":
        raise Http404(_("This post does not take comments."))
    comment_settings = services.comment_settings()
    form = CommentForm(post, data=request.POST, user=request.user)
    parent = None
    if not comments_open(post, comment_settings):
        return _form_page(
            request,
            post=post,
            form=form,
            message=_("Comments are closed on this post, so your comment was not sent."),
            status=403,
        )
    if form.honeypot_filled:
        return _form_page(request, post=post, form=form)
    if form.expired:
        form = CommentForm(post, data=form.refreshed_data(), user=request.user)
        form.is_valid()
        return _form_page(request, post=post, form=form, message=EXPIRED_MESSAGE)
    if not form.is_valid():
        return _form_page(request, post=post, form=form)
    try:
        parent = services.reply_parent(post, form.cleaned_data.get("reply_to"))
    except Comment.DoesNotExist:
        data = form.data.copy()
        data["reply_to"] = "0"
        form = CommentForm(post, data=data, user=request.user)
        form.is_valid()
        return _form_page(
            request,
            post=post,
            form=form,
            message=_(
                "The comment you were answering is no longer shown, so your reply cannot go "
                "under it. Your text is kept below: send it again to post it as a new comment."
            ),
        )

    ip = client_ip(request)
    if not request.user.is_staff and is_limited(
        "comments",
        ip,
        limit=settings.COMMENTS_RATE_LIMIT,
        window=settings.COMMENTS_RATE_WINDOW,
    ):
        minutes = max(1, settings.COMMENTS_RATE_WINDOW // 60)
        return _form_page(
            request,
            post=post,
            form=form,
            parent=parent,
            message=_(
                "You have sent several comments in the last few minutes. Please wait "
                "%(minutes)d minutes, then send this one again: your text is kept below."
            )
            % {"minutes": minutes},
            status=429,
        )

    submission = services.submit_comment(
        post=post,
        parent=parent,
        user=request.user,
        text=form.cleaned_data["comment"],
        follow=form.cleaned_data.get("follow", Comment.Follow.NONE),
        ip=ip,
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        referrer=request.META.get("HTTP_REFERER", ""),
        **form.commenter(),
    )
    comment = submission.comment
    match submission.outcome:
        case services.Submission.DISCARDED:
            return _form_page(
                request,
                post=post,
                form=form,
                parent=parent,
                message=_(
                    "Sorry, our spam filter refused this comment, so it was not kept. If you "
                    "are a reader and this is a mistake, please rephrase it (links and "
                    "repeated words can trigger the filter) or try again later."
                ),
                status=400,
            )
        case services.Submission.DUPLICATE:
            messages.info(request, _("It looks as though you already said that."))
            return HttpResponseRedirect(_where(comment))
        case services.Submission.PUBLISHED:
            messages.success(request, _("Thank you: your comment is published."))
            return HttpResponseRedirect(_where(comment))
        case services.Submission.CONFIRM:
            messages.success(
                request,
                _(
                    "Thank you. We have emailed %(email)s a link to confirm your comment: "
                    "open it within %(days)d days and your comment goes to the post."
                )
                % {"email": comment.user_email, "days": settings.COMMENTS_CONFIRM_DAYS},
            )
        case _:
            messages.success(
                request,
                _("Thank you. Your comment is awaiting moderation and will appear once approved."),
            )
    return HttpResponseRedirect(post.get_absolute_url() + "#comments")


def _where(comment: Comment) -> str:
    """A comment's place on its post's page, or the comment section if hidden."""
    out = outline(comment.post)
    page = out.page_of(comment.thread_id) if comment.pk in out.visible else None
    if page is None:
        return comment.post.get_absolute_url() + "#comments"
    query = f"?cpage={page}" if page > 1 else ""
    return f"{comment.post.get_absolute_url()}{query}#comment-{comment.pk}"


def permalink(request, pk):
    """/comments/<id>/: the post's page that shows this comment, at the comment."""
    comment = get_object_or_404(Comment.objects.published().select_related("post"), pk=pk)
    if not comment.post.is_published and not request.user.is_staff:
        raise Http404
    return HttpResponseRedirect(_where(comment))


class ConfirmView(ActionLinkView):
    """The emailed confirmation link: GET shows the comment, POST confirms it."""

    action = "comment-confirm"
    template_name = "comments/confirm.html"

    @property
    def max_age(self):
        return timedelta(days=settings.COMMENTS_CONFIRM_DAYS)

    def get_subject(self, payload):
        return (
            Comment.objects.select_related("post")
            .filter(pk=payload.get("comment"))
            .by_email(payload.get("email", ""))
            .first()
        )

    def perform(self, subject, payload):
        comment = services.confirm_comment(subject)
        if comment.status == Comment.Status.PUBLISHED:
            messages.success(self.request, _("Thank you: your comment is published."))
            return _where(comment)
        if comment.status == Comment.Status.SPAM:
            messages.info(self.request, _("Thank you: your address is confirmed."))
        else:
            messages.success(
                self.request,
                _("Thank you. Your comment is awaiting moderation and will appear once approved."),
            )
        return comment.post.get_absolute_url() + "#comments"


@method_decorator(csrf_exempt, name="dispatch")
class MuteView(ActionLinkView):
    """Stop one subscription. GET asks; POST does it. The POST also serves mail
    clients' one-click unsubscribe (RFC 8058), which carries no CSRF token: the
    signed link is the authority."""

    action = "comment-mute"
    template_name = "comments/mute.html"

    @property
    def max_age(self):
        return timedelta(days=settings.COMMENTS_MUTE_LINK_DAYS)

    def get_subject(self, payload):
        scope = payload.get("scope")
        if scope == "replies":
            return Comment.objects.select_related("post").filter(pk=payload.get("comment")).first()
        if scope == "all":
            return Post.objects.filter(pk=payload.get("post")).first()
        if scope == "author":
            return services.muted_author(payload)
        return None

    def post(self, request, *args, **kwargs):
        services.mute(self.payload)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse("Unsubscribed.", content_type="text/plain")
        return HttpResponseRedirect(request.path + "?done=1")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            scope=self.payload.get("scope"), done="done" in self.request.GET, **kwargs
        )


class PrivacyRequestView(FormView):
    """A commenter asks for a copy of their comments, or for them to be erased."""

    template_name = "comments/privacy_request.html"
    form_class = PrivacyRequestForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(days=settings.COMMENTS_CONFIRM_DAYS, **kwargs)

    def form_valid(self, form):
        if is_limited("comments-privacy", client_ip(self.request), limit=5, window=3600):
            form.add_error(
                None, _("Too many requests from your connection. Please try again in an hour.")
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        email = form.cleaned_data["email"]
        services.request_privacy_link(email=email, what=form.cleaned_data["what"])
        # The same answer either way: this page does not tell who has commented.
        return self.render_to_response(self.get_context_data(form=form, sent_to=email))


class PrivacyActionView(ActionLinkView):
    action = "comment-privacy"
    template_name = "comments/privacy_action.html"

    @property
    def max_age(self):
        return timedelta(days=settings.COMMENTS_CONFIRM_DAYS)

    def get_subject(self, payload):
        comments = Comment.objects.by_email(payload.get("email", ""))
        if payload.get("what") not in ("export", "erase") or not comments.exists():
            return None
        return comments

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            what=self.payload["what"], count=self.subject.count(), **kwargs
        )

    def post(self, request, *args, **kwargs):
        email = self.payload["email"]
        if self.payload["what"] == "export":
            data = {
                "exported_at": timezone.now().isoformat(),
                "email": email,
                "comments": services.export(email),
            }
            response = HttpResponse(
                json.dumps(data, indent=2, ensure_ascii=False),
                content_type="application/json; charset=utf-8",
            )
            response["Content-Disposition"] = 'attachment; filename="my-comments.json"'
            return response
        count = services.erase(email)
        messages.success(
            request,
            ngettext("Your comment is erased.", "Your %(count)d comments are erased.", count)
            % {"count": count},
        )
        return HttpResponseRedirect(reverse("comments:privacy"))

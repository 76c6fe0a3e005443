from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from posts import services
from posts.models import AuthorProfile, Book, Category, Image, Page, Post, PostUpdate
from references.admin import CitationsAdminMixin
from subscriptions.post_actions import email_latest_update


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", _("Draft")),
            ("scheduled", _("Scheduled")),
            ("published", _("Published")),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "draft":
                return queryset.drafts()
            case "scheduled":
                return queryset.scheduled()
            case "published":
                return queryset.published()
        return queryset


class PostUpdateInline(admin.StackedInline):
    model = PostUpdate
    extra = 0
    verbose_name = _("dated update")
    verbose_name_plural = _("Dated updates (shown in date order under the post)")
    fieldsets = [
        (
            None,
            {
                "fields": ["date", "text"],
                "description": _(
                    "Readers see it under the post as “Update June 22, 2010: …”. To email "
                    "it to subscribers, save the post, then in the list of posts tick it and "
                    "choose “Email the latest dated update to subscribers”."
                ),
            },
        )
    ]


@admin.register(Post)
class PostAdmin(CitationsAdminMixin, admin.ModelAdmin):
    list_display = ["title", "state", "published_at", "author", "category_list", "is_featured"]
    list_display_links = ["title"]
    list_filter = [StateFilter, "categories", "is_featured", "author"]
    search_fields = ["title", "excerpt", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["recommended_book"]
    filter_horizontal = ["categories"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [PostUpdateInline]
    save_on_top = True
    actions = ["publish_now", "make_draft", email_latest_update]
    fieldsets = [
        (None, {"fields": ["title", "slug", "body"]}),
        (
            _("Publishing"),
            {
                "fields": ["status", "published_at", "is_featured", "author", "comments_open"],
                "description": _(
                    "To publish now, choose “Published” and leave the time empty. To schedule "
                    "the post, choose “Published” and a time in the future: it appears by "
                    "itself then. Subscribers are emailed once, when a new post first appears "
                    "(not a backdated one). A draft is seen only by you (use “View on site” "
                    "to preview it)."
                ),
            },
        ),
        (_("Conditions and topics"), {"fields": ["categories", "tags"]}),
        (_("Summary and cover image"), {"fields": ["excerpt", "cover_image", "cover_alt"]}),
        (
            _("For medical readers"),
            {"fields": ["last_reviewed", "disclosure", "recommended_book"]},
        ),
        (_("History"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author").prefetch_related("categories")

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    def view_on_site(self, obj):
        return obj.get_absolute_url()

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        self._say_where_it_stands(request, obj)
        return response

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        self._say_where_it_stands(request, obj)
        return response

    def _say_where_it_stands(self, request, post):
        """After saving: published (where), scheduled (when) or draft (who sees it)."""
        url = post.get_absolute_url()
        if post.status == Post.Status.DRAFT:
            message = format_html(
                _('“{}” is a draft: readers cannot see it. <a href="{}">Preview it</a>.'),
                post.title,
                url,
            )
        elif post.is_scheduled:
            when = timezone.localtime(post.published_at)
            message = format_html(
                _(
                    "“{}” is scheduled: it appears on the site by itself on {} at {} ({}). "
                    'Until then only you can see it: <a href="{}">preview it</a>.'
                ),
                post.title,
                f"{when:%A, %B %-d, %Y}",
                f"{when:%-I:%M %p}".lower().replace("am", "a.m.").replace("pm", "p.m."),
                timezone.get_current_timezone_name(),
                url,
            )
        else:
            message = format_html(
                _('“{}” is published: <a href="{}">view it on the site</a>.'),
                post.title,
                url,
            )
        self.message_user(request, message, messages.SUCCESS)

    @admin.display(description=_("state"))
    def state(self, obj):
        return obj.state_label

    @admin.display(description=_("categories"))
    def category_list(self, obj):
        return ", ".join(category.name for category in obj.categories.all())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.post_saved(post=form.instance, cover_changed="cover_image" in form.changed_data)

    @admin.action(description=_("Publish the selected posts now"))
    def publish_now(self, request, queryset):
        count = 0
        for post in queryset.exclude(
            status=Post.Status.PUBLISHED, published_at__lte=timezone.now()
        ):
            post.status = Post.Status.PUBLISHED
            post.published_at = timezone.now()
            try:
                post.validate_address()
            except ValidationError:
                self.message_user(
                    request,
                    _(
                        "“%(title)s” was not published: another post published today "
                        "already uses the slug “%(slug)s”. Change its slug, then publish it."
                    )
                    % {"title": post.title, "slug": post.slug},
                    messages.ERROR,
                )
                continue
            post.save()
            services.post_saved(post=post)
            count += 1
        self.message_user(
            request,
            ngettext("%d post published.", "%d posts published.", count) % count,
            messages.SUCCESS if count else messages.WARNING,
        )

    @admin.action(description=_("Turn the selected posts back into drafts"))
    def make_draft(self, request, queryset):
        count = 0
        for post in queryset.exclude(status=Post.Status.DRAFT):
            post.status = Post.Status.DRAFT
            post.save()
            services.post_saved(post=post)
            count += 1
        self.message_user(
            request,
            ngettext("%d post is now a draft.", "%d posts are now drafts.", count) % count,
            messages.SUCCESS,
        )


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["title", "path", "status", "show_in_menu", "menu_order", "is_home_intro"]
    list_editable = ["show_in_menu", "menu_order"]
    list_filter = ["status", "show_in_menu"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    fields = [
        "title",
        "slug",
        "parent",
        "body",
        "status",
        "show_in_menu",
        "menu_order",
        "is_home_intro",
    ]

    def view_on_site(self, obj):
        return obj.get_absolute_url()


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent", "post_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_total=Count("posts"))

    @admin.display(description=_("posts"), ordering="post_total")
    def post_count(self, obj):
        return obj.post_total


@admin.register(Book)
class BookAdmin(admin.ModelAdmin):
    list_display = ["title", "authors", "publisher", "year"]
    search_fields = ["title", "authors"]


@admin.register(AuthorProfile)
class AuthorProfileAdmin(admin.ModelAdmin):
    list_display = ["full_name", "user"]
    search_fields = ["display_name", "user__username"]


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "alt_text", "address", "width", "height", "uploaded_at"]
    search_fields = ["alt_text", "caption"]
    readonly_fields = ["address", "width", "height"]
    fields = ["file", "alt_text", "caption", "address", "width", "height"]

    @admin.display(description=_("preview"))
    def thumbnail(self, obj):
        return format_html('<img src="{}" alt="" width="80" class="admin-thumbnail">', obj.file.url)

    @admin.display(description=_("address to paste into the editor"))
    def address(self, obj):
        return obj.file.url if obj.pk else "—"

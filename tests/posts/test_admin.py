"""The author's jobs in the admin: write, schedule, preview, find."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from posts.models import Post
from tests.factories import CategoryFactory, PostFactory

pytestmark = pytest.mark.django_db


def _post_form(author, **overrides):
    now = timezone.localtime()
    data = {
        "title": "Dextromethorphan for CRPS",
        "slug": "dextromethorphan-for-crps",
        "body": "<p>Dextromethorphan <strong>calms</strong> microglia.<script>x</script></p>",
        "status": "published",
        "published_at_0": now.strftime("%Y-%m-%d"),
        "published_at_1": now.strftime("%H:%M:%S"),
        "author": author.pk,
        "tags": "dextromethorphan, glia",
        "excerpt": "",
        "cover_alt": "",
        "disclosure": "",
        "updates-TOTAL_FORMS": "1",
        "updates-INITIAL_FORMS": "0",
        "updates-MIN_NUM_FORMS": "0",
        "updates-MAX_NUM_FORMS": "1000",
        "updates-0-date": "2010-06-22",
        "updates-0-text": "<p>Check back for case reports.</p>",
        # The references app's inline (references listed under the post).
        "reference_links-TOTAL_FORMS": "0",
        "reference_links-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_admin_writes_a_post_with_update_tags_and_search_index(staff_client, author, client):
    category = CategoryFactory(name="CRPS/RSD")
    response = staff_client.post(
        reverse("admin:posts_post_add"), _post_form(author, categories=[category.pk])
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    post = Post.objects.get(slug="dextromethorphan-for-crps")
    assert "<script>" not in post.body
    assert "<strong>calms</strong>" in post.body
    assert {t.name for t in post.tags.all()} == {"dextromethorphan", "glia"}
    assert post.updates.get().text == "<p>Check back for case reports.</p>"
    # Searchable at once: title, tags and the update.
    found = client.get("/search/", {"q": "case reports"}).context["object_list"]
    assert [p.pk for p in found] == [post.pk]


def test_admin_schedules_a_post_for_later(staff_client, author):
    later = timezone.localtime() + timedelta(days=2)
    staff_client.post(
        reverse("admin:posts_post_add"),
        _post_form(
            author,
            published_at_0=later.strftime("%Y-%m-%d"),
            published_at_1=later.strftime("%H:%M:%S"),
        ),
    )
    post = Post.objects.get()
    assert post.state_label == "Scheduled"
    changelist = staff_client.get(reverse("admin:posts_post_changelist"), {"state": "scheduled"})
    assert post.title in changelist.text
    assert Client().get(post.get_absolute_url()).status_code == 404


def test_cover_image_needs_alt_text(staff_client, author):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 20), "red").save(buffer, format="PNG")
    upload = SimpleUploadedFile("c.png", buffer.getvalue(), content_type="image/png")
    response = staff_client.post(
        reverse("admin:posts_post_add"), _post_form(author, cover_image=upload)
    )
    assert response.status_code == 200
    assert "Describe the cover image" in response.text
    assert not Post.objects.exists()


def test_view_on_site_for_a_draft_opens_the_preview(staff_client):
    draft = PostFactory(status="draft", published_at=None)
    change = staff_client.get(reverse("admin:posts_post_change", args=[draft.pk]))
    assert f'href="/preview/post/{draft.pk}/"' in change.text
    assert staff_client.get(f"/preview/post/{draft.pk}/").status_code == 200


def test_publish_now_action(staff_client):
    draft = PostFactory(status="draft", published_at=None)
    staff_client.post(
        reverse("admin:posts_post_changelist"),
        {"action": "publish_now", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.is_published


def test_changelist_search_and_filters(staff_client):
    PostFactory(title="Naltrexone and MS")
    PostFactory(title="Ketamine", body="<p>Infusions.</p>")
    response = staff_client.get(reverse("admin:posts_post_changelist"), {"q": "naltrexone"})
    assert "Naltrexone and MS" in response.text
    assert "Ketamine" not in response.text


def test_reserved_page_slugs_are_refused(staff_client):
    response = staff_client.post(
        reverse("admin:posts_page_add"),
        {
            "title": "Search",
            "slug": "search",
            "body": "<p>x</p>",
            "status": "published",
            "menu_order": 0,
        },
    )
    assert response.status_code == 200
    assert "used by the site itself" in response.text


def test_same_slug_on_the_same_day_is_refused_with_a_clear_message(staff_client, author):
    now = timezone.localtime()
    taken = PostFactory(slug="dextromethorphan-for-crps", published_at=now)
    response = staff_client.post(reverse("admin:posts_post_add"), _post_form(author))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Another post published on" in errors["slug"][0]
    assert "already uses this slug" in response.text
    assert list(Post.objects.all()) == [taken]
    # The same slug on another day is fine: the address differs.
    yesterday = now - timedelta(days=1)
    response = staff_client.post(
        reverse("admin:posts_post_add"),
        _post_form(
            author,
            published_at_0=yesterday.strftime("%Y-%m-%d"),
            published_at_1=yesterday.strftime("%H:%M:%S"),
        ),
    )
    assert response.status_code == 302
    assert Post.objects.filter(slug="dextromethorphan-for-crps").count() == 2


def test_moving_a_post_onto_a_day_whose_slug_is_taken_is_refused(staff_client, author):
    now = timezone.localtime()
    PostFactory(slug="dextromethorphan-for-crps", published_at=now)
    other = PostFactory(slug="dextromethorphan-for-crps", published_at=now - timedelta(days=3))
    data = _post_form(author, **{"updates-TOTAL_FORMS": "0"})
    response = staff_client.post(reverse("admin:posts_post_change", args=[other.pk]), data)
    assert response.status_code == 200
    assert "already uses this slug" in response.text
    other.refresh_from_db()
    assert other.pub_date == (now - timedelta(days=3)).date()


def test_publish_now_reports_a_slug_already_used_that_day(staff_client):
    first = PostFactory(title="First draft", slug="ldn", status="draft", published_at=None)
    second = PostFactory(title="Second draft", slug="ldn", status="draft", published_at=None)
    response = staff_client.post(
        reverse("admin:posts_post_changelist"),
        {"action": "publish_now", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert "1 post published." in messages
    assert any("was not published" in m and "“ldn”" in m for m in messages), messages
    states = sorted(Post.objects.values_list("status", flat=True))
    assert states == ["draft", "published"]


def test_the_index_shows_drafts_and_what_is_scheduled(staff_client):
    PostFactory(title="Half-written thoughts on ketamine", status="draft", published_at=None)
    later = timezone.now() + timedelta(days=3)
    scheduled = PostFactory(title="Naltrexone in Crohn's disease", published_at=later)
    page = staff_client.get(reverse("admin:index")).text
    assert '<a href="/admin/posts/post/?state=draft">1 draft</a>' in page
    assert '<a href="/admin/posts/post/?state=scheduled">1 post will appear by itself</a>' in page
    change = reverse("admin:posts_post_change", args=[scheduled.pk])
    assert f'<a href="{change}">Naltrexone in Crohn&#x27;s disease</a>' in page
    assert timezone.localtime(later).strftime("%A, %b %-d, %Y") in page


def test_saving_says_whether_the_post_is_published_scheduled_or_a_draft(staff_client, author):
    add = reverse("admin:posts_post_add")
    no_updates = {"updates-TOTAL_FORMS": "0"}
    saved = staff_client.post(add, _post_form(author, status="draft", **no_updates), follow=True)
    assert "is a draft: readers cannot see it." in saved.text
    draft = Post.objects.get()
    assert f'<a href="{draft.get_absolute_url()}">Preview it</a>' in saved.text

    later = timezone.localtime() + timedelta(days=2)
    data = _post_form(
        author,
        published_at_0=later.strftime("%Y-%m-%d"),
        published_at_1=later.strftime("%H:%M:%S"),
        **no_updates,
    )
    change = reverse("admin:posts_post_change", args=[draft.pk])
    saved = staff_client.post(change, data, follow=True)
    assert "is scheduled: it appears on the site by itself on" in saved.text
    assert later.strftime("%A, %B %-d, %Y") in saved.text

    now = timezone.localtime() - timedelta(minutes=1)
    data.update(published_at_0=now.strftime("%Y-%m-%d"), published_at_1=now.strftime("%H:%M:%S"))
    saved = staff_client.post(change, data, follow=True)
    url = Post.objects.get().get_absolute_url()
    assert f'is published: <a href="{url}">view it on the site</a>.' in saved.text


def test_the_post_form_lists_what_the_body_cites_and_flags_unknown_keys(staff_client):
    from tests.references.factories import ReferenceFactory

    zhang = ReferenceFactory(key="zhang2004", title="Morphinan neuroprotection", pmid="15862110")
    post = PostFactory(
        body="<p>Glia [@zhang2004, p. 280]; again [@pmid:15862110] [@nobody2020].</p>"
    )
    page = staff_client.get(reverse("admin:posts_post_change", args=[post.pk])).text
    # How to cite, with a way to find a reference's key.
    assert "type its key in square brackets" in page
    assert f'href="{reverse("admin:references_reference_changelist")}" target="_blank"' in page
    # What this post cites, and which citations lead nowhere.
    cited = page[page.index('class="cited-references"') :]
    zhang_url = reverse("admin:references_reference_change", args=[zhang.pk])
    assert f'<code>[@zhang2004]</code> → <a href="{zhang_url}">' in cited
    assert f'<code>[@pmid:15862110]</code> → <a href="{zhang_url}">' in cited
    add_url = reverse("admin:references_reference_add") + "?key=nobody2020"
    assert "<code>[@nobody2020]</code> ⚠ No reference has this key" in cited
    assert f'<a href="{add_url}">Add it to the bibliography</a>' in cited
    # The link opens the reference form with the key filled in.
    assert 'value="nobody2020"' in staff_client.get(add_url).text


def test_a_new_post_says_where_its_citations_will_be_listed(staff_client):
    page = staff_client.get(reverse("admin:posts_post_add")).text
    assert "No citations yet." in page

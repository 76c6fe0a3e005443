"""The thread readers see: nesting, names, permalinks, pages, masking, and a
constant number of queries however many comments there are."""

import re

import pytest
from django.test import Client

from comments.models import Comment
from tests.factories import PostFactory, bulk_comments, make_comment
from tests.helpers import POST_PAGE_QUERIES

pytestmark = pytest.mark.django_db


def _ids_in_order(html):
    return [int(pk) for pk in re.findall(r'<li id="comment-(\d+)"', html)]


def test_nesting_names_links_dates_and_reply_links(client, post, author):
    top = make_comment(post, user_name="Douglas Lewis, D.Sc.", user_url="https://usdtl.example")
    answer = make_comment(post, parent=top, user=author, user_name="Nancy Sajben MD")
    follow_up = make_comment(post, parent=answer, user_name="Loretta Tirone")
    other = make_comment(post, user_name="Tonia", user_email="tonia@example.com")

    html = client.get(post.get_absolute_url()).text
    assert "4 Responses to “Low dose naltrexone for CRPS”" in html
    assert _ids_in_order(html) == [top.pk, answer.pk, follow_up.pk, other.pk]
    # answer is inside top's list item, follow_up inside answer's.
    top_item = html[
        html.index(f'<li id="comment-{top.pk}"') : html.index(f'<li id="comment-{other.pk}"')
    ]
    assert top_item.count('<ol class="comment-list comment-list--children">') == 2
    assert (
        '<a href="https://usdtl.example" rel="external nofollow ugc">Douglas Lewis, D.Sc.</a>'
        in html
    )
    assert f'#comment-{follow_up.pk}" title="Link to this comment">' in html
    assert f'href="?replytocom={top.pk}#respond"' in html
    # Only the author's comment carries the badge.
    assert html.count('<span class="badge badge--author">Author</span>') == 1
    assert f'<li id="comment-{answer.pk}" class="comment comment--by-author">' in html
    assert "tonia@example.com" not in html
    assert "reader@example.com" not in html


def test_reply_link_without_javascript_puts_the_form_under_the_comment(client, post):
    top = make_comment(post, user_name="Brian")
    html = client.get(post.get_absolute_url(), {"replytocom": top.pk}).text
    item = html[html.index(f'<li id="comment-{top.pk}"') :]
    assert item.index('id="respond"') < item.index("</li>")
    assert "Reply to Brian" in html
    assert f'name="reply_to" value="{top.pk}"' in html


def test_no_reply_link_at_the_deepest_level(client, post, settings):
    settings.COMMENTS_MAX_DEPTH = 2
    top = make_comment(post)
    reply = make_comment(post, parent=top)
    html = client.get(post.get_absolute_url()).text
    assert f"replytocom={top.pk}" in html
    assert f"replytocom={reply.pk}" not in html


def test_held_spam_and_unconfirmed_comments_and_their_replies_stay_hidden(client, post):
    shown = make_comment(post, comment="Visible question")
    for status in ("pending", "spam", "unconfirmed"):
        hidden = make_comment(post, comment=f"Hidden {status}", status=status)
        make_comment(post, parent=hidden, comment=f"Reply under {status}")
    html = client.get(post.get_absolute_url()).text
    assert "1 Response to" in html
    assert _ids_in_order(html) == [shown.pk]
    assert "Hidden" not in html and "Reply under" not in html


def test_emails_and_phone_numbers_in_the_text_are_masked(client, post):
    make_comment(
        post,
        comment="Write to heidihartfield@gmail.com or call (555) 123-4567. I take 4.5 mg.",
    )
    html = client.get(post.get_absolute_url()).text
    assert "heidihartfield" not in html and "123-4567" not in html
    assert "[email address hidden]" in html
    assert "[phone number hidden]" in html
    assert "I take 4.5 mg." in html


def test_editing_a_parent_does_not_publish_its_held_replies(post):
    """django-comments-xtd cascades is_public to replies on save; we turned that off."""
    parent = make_comment(post)
    held = make_comment(post, parent=parent, status=Comment.Status.SPAM)
    parent.comment = "Edited text"
    parent.save()
    held.refresh_from_db()
    assert held.status == Comment.Status.SPAM
    assert held.is_public is False


def test_top_level_threads_paginate_and_permalinks_find_the_page(client, post, settings):
    settings.COMMENTS_PER_PAGE = 2
    threads = [make_comment(post, comment=f"Thread {n}") for n in range(5)]
    late_reply = make_comment(post, parent=threads[0], comment="A late reply")

    first = client.get(post.get_absolute_url()).text
    assert "6 Responses" in first
    assert "Comments page 1 of 3" in first
    assert _ids_in_order(first) == [threads[0].pk, late_reply.pk, threads[1].pk]
    assert f'href="{post.get_absolute_url()}?cpage=2#comments"' in first

    third = client.get(post.get_absolute_url(), {"cpage": 3}).text
    assert _ids_in_order(third) == [threads[4].pk]
    assert f'{post.get_absolute_url()}?cpage=3#comment-{threads[4].pk}"' in third
    assert client.get(post.get_absolute_url(), {"cpage": "99"}).status_code == 200

    for comment, page in [(threads[3], 2), (late_reply, 1), (threads[4], 3)]:
        response = Client().get(comment.get_absolute_url())
        query = f"?cpage={page}" if page > 1 else ""
        assert response.status_code == 302
        assert response["Location"] == f"{post.get_absolute_url()}{query}#comment-{comment.pk}"
    hidden = make_comment(post, status=Comment.Status.PENDING)
    assert client.get(hidden.get_absolute_url()).status_code == 404


def _queries(client, url, django_assert_max_num_queries):
    client.get(url)
    with django_assert_max_num_queries(POST_PAGE_QUERIES) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


def test_two_thousand_comments_render_in_as_many_queries_as_twenty(
    client, author, django_assert_max_num_queries, settings
):
    settings.COMMENTS_PER_PAGE = 50
    small, large = PostFactory(author=author), PostFactory(author=author)
    bulk_comments(small, threads=4)
    bulk_comments(large, threads=400)
    few, few_page = _queries(client, small.get_absolute_url(), django_assert_max_num_queries)
    many, many_page = _queries(client, large.get_absolute_url(), django_assert_max_num_queries)
    assert few == many
    assert "20 Responses" in few_page.text
    assert "2000 Responses" in many_page.text
    assert len(_ids_in_order(many_page.text)) == 250  # 50 threads of 5
    assert "Comments page 1 of 8" in many_page.text
    last, last_page = _queries(
        client, large.get_absolute_url() + "?cpage=8", django_assert_max_num_queries
    )
    assert last == many
    assert len(_ids_in_order(last_page.text)) == 250


def test_listing_shows_the_count_kept_on_the_post(staff_client, post, comment_form):
    """The count is a column of the post, so listings need no query per post."""
    staff_client.post("/comments/post/", comment_form(post, comment="First answer"))
    staff_client.post("/comments/post/", comment_form(post, comment="Second answer"))
    post.refresh_from_db()
    assert post.comment_count == 2
    assert f'<a href="{post.get_absolute_url()}#comments">2 responses</a>' in Client().get("/").text

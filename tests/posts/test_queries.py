"""The post page and the home page cost a constant number of queries."""

import pytest

from tests.factories import CategoryFactory, PostFactory, PostUpdateFactory
from tests.helpers import POST_PAGE_QUERIES

pytestmark = pytest.mark.django_db


def _post_with(n):
    post = PostFactory(
        categories=CategoryFactory.create_batch(n),
        tags=[f"tag {i}" for i in range(n)],
    )
    PostUpdateFactory.create_batch(n, post=post)
    return post


def _count_queries(client, url, django_assert_max_num_queries, limit):
    client.get(url)  # warm the site-settings cache
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("n", [1, 30])
def test_post_page_queries_do_not_grow_with_tags_categories_updates(
    client, django_assert_max_num_queries, n
):
    post = _post_with(n)
    _count_queries(
        client, post.get_absolute_url(), django_assert_max_num_queries, POST_PAGE_QUERIES
    )


def test_post_page_query_count_is_the_same_for_1_and_30(client, django_assert_max_num_queries):
    small, large = _post_with(1), _post_with(30)
    assert _count_queries(
        client, small.get_absolute_url(), django_assert_max_num_queries, POST_PAGE_QUERIES
    ) == _count_queries(
        client, large.get_absolute_url(), django_assert_max_num_queries, POST_PAGE_QUERIES
    )


def test_home_page_queries_do_not_grow_with_posts(client, django_assert_max_num_queries):
    for _ in range(3):
        _post_with(3)
    few = _count_queries(client, "/", django_assert_max_num_queries, 10)
    for _ in range(7):
        _post_with(3)
    assert _count_queries(client, "/", django_assert_max_num_queries, 10) == few

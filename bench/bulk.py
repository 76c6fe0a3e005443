"""Issue 7's scale fixture: 10,000 posts, 200,000 comments, 5,000 references and
50,000 subscribers, generated in bulk SQL (INSERT ... SELECT generate_series),
not one save per row. PostgreSQL only."""

import time

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from posts.models import Category, Post

WORDS = [
    "naltrexone",
    "dextromethorphan",
    "microglia",
    "ketamine",
    "fibromyalgia",
    "neuropathic",
    "inflammation",
    "opioids",
    "sclerosis",
    "Crohn's",
    "remission",
    "glutamate",
]


def seed_bulk(*, posts=10_000, comments_per_post=20, references=5_000, subscribers=50_000):
    """Add the bulk rows (idempotent: rows from an earlier run are replaced)."""
    started = time.perf_counter()
    author_id = Post.objects.order_by("pk").values_list("author_id", flat=True).first()
    category_ids = list(Category.objects.values_list("pk", flat=True))
    post_type = ContentType.objects.get(app_label="posts", model="post").pk
    words = "ARRAY[" + ",".join(f"'{w.replace(chr(39), chr(39) * 2)}'" for w in WORDS) + "]"
    tz = settings.TIME_ZONE
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM subscriptions_subscriber WHERE email LIKE 'bulk%%@example.org'")
        cursor.execute("DELETE FROM references_reference WHERE key LIKE 'bulk%%'")
        cursor.execute(
            "DELETE FROM django_comments WHERE id IN (SELECT xtdcomment_ptr_id FROM "
            "comments_comment c JOIN posts_post p ON p.id = c.post_id "
            "WHERE p.slug LIKE 'bulk-post-%%')"
        )
        cursor.execute("DELETE FROM posts_post WHERE slug LIKE 'bulk-post-%%'")

        # Posts: a few paragraphs of varied words, spread over ten years.
        cursor.execute(
            f"""
            INSERT INTO posts_post (
                title, slug, body, excerpt, status, published_at, pub_date, created_at,
                updated_at, is_featured, cover_image, cover_alt, cover_renditions, disclosure,
                search_document, author_id, comment_count, comments_open
            )
            SELECT
                'Bulk post ' || g || ' on ' || w1,
                'bulk-post-' || g,
                '<p>' || repeat(w1 || ' and ' || w2 || ' in chronic pain. ', 40) || '</p>'
                  || '<p>' || repeat(w2 || ' changes the glia. ', 30) || '</p>',
                'What ' || w1 || ' does for ' || w2 || '.',
                'published', ts, (ts AT TIME ZONE %s)::date, ts, ts, false, '', '', '{{}}',
                '', 'Bulk post ' || g || ' ' || w1 || ' ' || w2, %s, %s, true
            FROM (
                SELECT g, now() - g * interval '8 hours' AS ts,
                       ({words})[1 + g %% 12] AS w1, ({words})[1 + (g / 12) %% 12] AS w2
                FROM generate_series(1, %s) AS g
            ) AS rows
            """,
            [tz, author_id, comments_per_post, posts],
        )
        cursor.execute(
            "UPDATE posts_post SET search_vector = "
            "setweight(to_tsvector(%s, title), 'A') || setweight(to_tsvector(%s, excerpt), 'B') "
            "|| setweight(to_tsvector(%s, search_document), 'C') WHERE slug LIKE 'bulk-post-%%'",
            [settings.SEARCH_CONFIG] * 3,
        )
        if category_ids:
            cursor.execute(
                "INSERT INTO posts_post_categories (post_id, category_id) "
                "SELECT id, (%s::bigint[])[1 + id %% %s] FROM posts_post "
                "WHERE slug LIKE 'bulk-post-%%'",
                [category_ids, len(category_ids)],
            )

        # Comments: top-level, approved, through the three tables of the model.
        cursor.execute("SELECT coalesce(max(id), 0) FROM django_comments")
        (before,) = cursor.fetchone()
        cursor.execute(
            """
            INSERT INTO django_comments (
                object_pk, user_name, user_email, user_url, comment, submit_date, ip_address,
                is_public, is_removed, content_type_id, site_id
            )
            SELECT p.id::text, 'Reader ' || n, 'reader' || n || '@example.com', '',
                   'Does this help with ' || p.title || '? Question ' || n,
                   p.published_at + n * interval '1 hour', '203.0.113.9', true, false, %s, %s
            FROM posts_post p CROSS JOIN generate_series(1, %s) AS n
            WHERE p.slug LIKE 'bulk-post-%%'
            """,
            [post_type, settings.SITE_ID, comments_per_post],
        )
        cursor.execute(
            "INSERT INTO django_comments_xtd_xtdcomment (comment_ptr_id, thread_id, parent_id, "
            'level, "order", followup, nested_count) '
            "SELECT id, id, id, 0, 1, false, 0 FROM django_comments WHERE id > %s",
            [before],
        )
        cursor.execute(
            """
            INSERT INTO comments_comment (
                xtdcomment_ptr_id, status, hold_reason, akismet, user_agent, referrer, follow,
                confirmed_at, comment_html, post_id
            )
            SELECT id, 'published', '', 'ham', '', '', '', submit_date,
                   '<p>' || comment || '</p>', object_pk::bigint
            FROM django_comments WHERE id > %s
            """,
            [before],
        )

        # References, two authors each; every bulk post lists three of them.
        cursor.execute(
            f"""
            INSERT INTO references_reference (
                key, type, genre, title, container_title, container_title_short, volume,
                issue, page, issued_year, event_title, event_place, publisher,
                publisher_place, url, abstract, doi, pmid, pmcid, retracted, retraction_url,
                open_access_url, note, created_at, updated_at
            )
            SELECT 'bulk' || g, 'article-journal', '',
                   'A trial of ' || ({words})[1 + g %% 12] || ' number ' || g,
                   'Journal of Pain Research', 'J Pain Res', (g %% 40)::text, '1',
                   g || '-' || (g + 9), 1990 + g %% 35, '', '', '', '', '', '',
                   '10.9999/bulk.' || g, (90000000 + g)::text, '', false, '', '', '', now(), now()
            FROM generate_series(1, %s) AS g
            """,
            [references],
        )
        cursor.execute(
            "INSERT INTO references_creator (reference_id, role, family, given, literal, position) "
            "SELECT r.id, 'author', 'Author' || i, 'A', '', i - 1 FROM references_reference r "
            "CROSS JOIN generate_series(1, 2) AS i WHERE r.key LIKE 'bulk%%'"
        )
        cursor.execute(
            """
            INSERT INTO references_postreference (post_id, reference_id, position)
            SELECT p.id, r.id, i
            FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM posts_post
                  WHERE slug LIKE 'bulk-post-%%') AS p
            CROSS JOIN generate_series(0, 2) AS i
            JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM references_reference
                  WHERE key LIKE 'bulk%%') AS r
              ON r.n = 1 + ((p.n * 3 + i) %% %s)
            """,
            [references],
        )

        cursor.execute(
            """
            INSERT INTO subscriptions_subscriber (
                email, status, frequency, source, consent_at, consent_ip, confirmed_at,
                bounce_reason, created_at
            )
            SELECT 'bulk' || g || '@example.org', 'confirmed',
                   CASE WHEN g %% 5 = 0 THEN 'weekly' ELSE 'immediate' END,
                   'bulk', now(), '203.0.113.9', now(), '', now()
            FROM generate_series(1, %s) AS g
            """,
            [subscribers],
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started

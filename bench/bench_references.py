"""Issue 3: a post with 60 citations and 60 references (each with authors and a
file), rendered through the test client; with the formatted entries cached
(as in production) and with the cache emptied before every request."""

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from posts.models import Post
from references import services
from references.models import Creator, PostReference, Reference

TINY_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def run(bench):
    seed = Post.objects.get(slug__startswith="low-dose-naltrexone")
    references = []
    for i in range(60):
        reference = Reference.objects.create(
            key=f"bench{i}",
            title=f"Low dose naltrexone and microglia, study {i}",
            container_title="Multiple Sclerosis",
            container_title_short="Mult Scler",
            volume=str(10 + i % 5),
            issue=str(1 + i % 4),
            page=f"{100 + i}-{110 + i}",
            issued_year=2000 + i % 20,
            doi=f"10.1000/bench.{i}",
            pmid=str(30000000 + i),
        )
        Creator.objects.bulk_create(
            Creator(reference=reference, family=family, given="A", position=n)
            for n, family in enumerate(["Zhang", "Hong", "Kim", "Block", "Zecca", "Smith", "Lee"])
        )
        services.attach_file(
            reference=reference,
            uploaded=SimpleUploadedFile("f.pdf", TINY_PDF + f"% {i}\n".encode()),
        )
        references.append(reference)
    # 60 citation groups citing every reference (45 inline, some repeated and
    # grouped), the last 15 listed under the post only.
    groups = [f"[@bench{i}]" for i in range(45)]
    groups += [f"[@bench{i}; @bench{i + 1}; @bench{i + 2}, p. 4]" for i in range(0, 15)]
    body = "".join(f"<p>{'Microglia and naltrexone. ' * 6}{g}</p>" for g in groups)
    post = Post.objects.create(
        title="Bench: sixty citations",
        slug="bench-sixty-citations",
        author=seed.author,
        body=body,
        status=Post.Status.PUBLISHED,
        published_at=seed.published_at,
    )
    for position, reference in enumerate(references[45:]):
        PostReference.objects.create(post=post, reference=reference, position=position)
    url = post.get_absolute_url()
    bench.time_get("post page, 60 citations + 60 references (warm)", url)

    def cold():
        cache.clear()
        response = bench.client.get(url)
        assert response.status_code == 200

    bench.time_call("post page, 60 citations + 60 references (cold)", cold, repeat=20)
    bench.time_get("seed post page (12 references)", seed.get_absolute_url())
    bench.time_get("bibliography page (72 references)", "/references/")
    bench.time_get("export the whole bibliography (RIS)", "/references/export.ris", repeat=50)

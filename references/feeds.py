"""What the posts app's feeds take from the bibliography: the public files of
the references each post cites or lists under it, for enclosures."""

from collections import defaultdict

from django.db.models import Q

from references import citations
from references.models import Attachment, PostReference, Reference


def attachments_for_feed(posts) -> dict[int, list[Attachment]]:
    """post pk -> the post's public attachments: those of the references it
    cites, in order of first citation, then of those it lists, in the list's
    order; a reference's files in their own order. Private files never. Two
    queries, whatever the number of posts."""
    posts = list(posts)
    if not posts:
        return {}
    cites = {post.pk: citations.parse(post.body) for post in posts}
    keys, pmids, dois = citations.lookups([c for found in cites.values() for c in found])
    listed = defaultdict(list)
    for post_id, reference_id in PostReference.objects.filter(post__in=posts).values_list(
        "post_id", "reference_id"
    ):
        listed[post_id].append(reference_id)
    condition = Q(reference_id__in={pk for ids in listed.values() for pk in ids})
    if keys or pmids or dois:
        condition |= Q(reference__in=Reference.objects.matching(keys=keys, pmids=pmids, dois=dois))
    files = defaultdict(list)
    by_key, by_pmid, by_doi = {}, {}, {}
    for attachment in (
        Attachment.objects.public()
        .filter(condition)
        .select_related("reference")
        .order_by("position", "pk")
    ):
        reference = attachment.reference
        files[reference.pk].append(attachment)
        by_key[reference.key] = reference.pk
        if reference.pmid:
            by_pmid[reference.pmid] = reference.pk
        if reference.doi:
            by_doi[reference.doi] = reference.pk

    result = {}
    for post in posts:
        order = []
        for cite in cites[post.pk]:
            for item in cite.items:
                order.append(item.resolve(by_key=by_key, by_pmid=by_pmid, by_doi=by_doi))
        order += listed[post.pk]
        seen, found = set(), []
        for pk in order:
            if pk is not None and pk not in seen:
                seen.add(pk)
                found += files.get(pk, [])
        result[post.pk] = found
    return result

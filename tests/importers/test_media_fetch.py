"""Attachments fetched over HTTP from a real server on 127.0.0.1, and the
rules that keep an uploaded export from probing the network."""

import pytest

from importers.models import ImportedDocument
from posts.models import Image, Post
from tests.importers.conftest import DATA

SITE = "https://painblog.example.com"


def export_served_by(server, tmp_path, name="seed.xml", extra_items=""):
    """The export as if the blog lived at the test server's address."""
    text = (DATA / name).read_text().replace(SITE, f"http://{server.host}")
    path = tmp_path / name
    path.write_text(text.replace("</channel>", extra_items + "</channel>"))
    return path


def attachment(wp_id, url):
    return f"""<item><title>File {wp_id}</title><wp:post_id>{wp_id}</wp:post_id>
        <wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type>
        <wp:attachment_url><![CDATA[{url}]]></wp:attachment_url></item>
"""


@pytest.fixture
def local_allowed(settings):
    """Tests allow fetching from the loopback address explicitly."""
    settings.IMPORTERS_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]


def test_attachments_are_fetched_from_the_old_site(
    import_wxr, file_server, tmp_path, local_allowed
):
    out, _ = import_wxr(export_served_by(file_server, tmp_path))
    assert Image.objects.count() == 1 and ImportedDocument.objects.count() == 3
    assert "/wp-content/uploads/2010/06/Morphinan-Neuroprotection.pdf" in file_server.requests
    document = ImportedDocument.objects.get(title="Morphinan Neuroprotection")
    assert document.size == (DATA / "uploads/2010/06/Morphinan-Neuroprotection.pdf").stat().st_size
    with document.attachment.file.open("rb") as handle:  # in the bibliography now
        assert handle.read().startswith(b"%PDF")
    # The one the server does not have is reported, and the rest goes on.
    assert "Cree-LDN-MS-Poster.pdf was not fetched: the server answered 404" in out
    body = Post.objects.get(slug__startswith="low-dose").body
    assert f'href="{document.get_absolute_url()}"' in body


def test_loopback_and_private_addresses_are_refused_by_default(import_wxr, file_server, tmp_path):
    out, _ = import_wxr(export_served_by(file_server, tmp_path))
    assert not Image.objects.exists() and not ImportedDocument.objects.exists()
    assert file_server.requests == []  # not even one request reached it
    assert "127.0.0.1 resolves to 127.0.0.1, a private or local address" in out
    assert Post.objects.count() == 2  # the posts are imported all the same


def test_only_the_sites_own_host_and_allowed_hosts(import_wxr, file_server, tmp_path, settings):
    settings.IMPORTERS_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
    other = f"http://localhost:{file_server.port}/wp-content/uploads/2010/06/glia-diagram.png"
    path = export_served_by(file_server, tmp_path, "slashes.xml", attachment(901, other))
    out, _ = import_wxr(path)
    assert not Image.objects.exists()
    assert "localhost is not the export's site; add --allow-host localhost to fetch from it" in out
    assert file_server.requests == []
    out, _ = import_wxr(path, "--allow-host", "localhost")
    assert Image.objects.count() == 1
    assert file_server.requests == ["/wp-content/uploads/2010/06/glia-diagram.png"]


def test_redirects_are_checked_like_the_first_address(
    import_wxr, file_server, tmp_path, local_allowed
):
    inside = file_server.url("/wp-content/uploads/2010/06/glia-diagram.png")
    outside = f"http://localhost:{file_server.port}/wp-content/uploads/2010/06/promise-of-ldn.jpg"
    items = attachment(902, file_server.url(f"/redirect/followed.png?to={inside}")) + attachment(
        903, file_server.url(f"/redirect/refused.jpg?to={outside}")
    )
    out, _ = import_wxr(export_served_by(file_server, tmp_path, "slashes.xml", items))
    assert Image.objects.count() == 1  # the redirect within the site was followed
    assert "/wp-content/uploads/2010/06/promise-of-ldn.jpg" not in file_server.requests
    assert "attachment #903" in out and "localhost is not the export's site" in out


def test_size_limit_and_timeout(import_wxr, file_server, tmp_path, settings, local_allowed):
    settings.IMPORTERS_FETCH_MAX_BYTES = 64 * 1024
    settings.IMPORTERS_FETCH_TIMEOUT = 0.5
    items = (
        attachment(904, file_server.url("/endless/big.pdf"))
        + attachment(905, file_server.url("/slow/late.pdf?seconds=3"))
        + attachment(
            906, file_server.url("/wp-content/uploads/2010/06/Microglia-Neurotoxicity.pdf")
        )
    )
    out, _ = import_wxr(export_served_by(file_server, tmp_path, "slashes.xml", items))
    assert "big.pdf was not fetched: the file is larger than the limit" in out
    assert "late.pdf?seconds=3 was not fetched: no answer within 0.5 seconds" in out
    assert list(ImportedDocument.objects.values_list("title", flat=True)) == ["File 906"]


def test_a_server_trickling_bytes_cannot_hold_the_import(
    import_wxr, file_server, tmp_path, settings, local_allowed
):
    settings.IMPORTERS_FETCH_TIMEOUT = 5  # every byte comes well within it
    settings.IMPORTERS_FETCH_TOTAL_TIMEOUT = 1.5  # the whole file does not
    drip = file_server.url("/trickle/drip.pdf?bytes=200&every=0.05")  # 10 s in all
    items = attachment(907, drip) + attachment(
        906, file_server.url("/wp-content/uploads/2010/06/Microglia-Neurotoxicity.pdf")
    )
    out, _ = import_wxr(export_served_by(file_server, tmp_path, "slashes.xml", items))
    assert (
        "drip.pdf?bytes=200&every=0.05 was not fetched: the download took longer than "
        "1.5 seconds in all (IMPORTERS_FETCH_TOTAL_TIMEOUT)"
    ) in out
    assert "/trickle/drip.pdf" in file_server.requests
    # Reported as a missing file; the rest of the import goes on.
    assert list(ImportedDocument.objects.values_list("title", flat=True)) == ["File 906"]

"""Cover images: resized in the worker, offered with srcset, sized to avoid
layout shift."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from posts.models import Post
from tests.posts.test_admin import _post_form

pytestmark = pytest.mark.django_db


def test_cover_image_gets_renditions_and_srcset(
    staff_client, author, client, settings, django_capture_on_commit_callbacks
):
    settings.IMAGE_RENDITION_WIDTHS = [480, 800]
    buffer = BytesIO()
    Image.new("RGB", (1600, 900), "teal").save(buffer, format="JPEG")
    upload = SimpleUploadedFile("cover.jpg", buffer.getvalue(), content_type="image/jpeg")
    with_cover = _post_form(author, cover_image=upload, cover_alt="A spinal cord diagram")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = staff_client.post(reverse("admin:posts_post_add"), with_cover)
    # The resize runs after commit, as a task.
    assert sum("make_cover_renditions" in repr(callback) for callback in callbacks) == 1
    assert response.status_code == 302
    post = Post.objects.get()
    assert set(post.cover_renditions) == {"480", "800"}
    text = client.get(post.get_absolute_url()).text
    assert 'width="1600" height="900"' in text
    assert "480w" in text and "800w" in text and "1600w" in text
    assert 'alt="A spinal cord diagram"' in text
    for name in post.cover_renditions.values():
        with Image.open(post.cover_image.storage.path(name)) as rendition:
            assert rendition.format == "WEBP"

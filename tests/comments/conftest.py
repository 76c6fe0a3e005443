import pytest

from tests.factories import PostFactory


@pytest.fixture(autouse=True)
def _akismet(akismet_server):
    """Every comments test talks to the local Akismet server."""
    return akismet_server


@pytest.fixture
def post(author):
    return PostFactory(author=author, title="Low dose naltrexone for CRPS")


@pytest.fixture
def comment_form(client):
    """The form fields of a post page, as a reader's browser would send them."""

    def fields(post, **overrides):
        response = client.get(post.get_absolute_url())
        form = response.context["form"]
        data = {name: form[name].value() for name in form.fields}
        data.update(
            {
                "name": "Liz Reader",
                "email": "liz@example.com",
                "url": "",
                "comment": "Do you know of LDN being used for post-stroke pain?",
                "follow": "",
                "honeypot": "",
            }
        )
        data.update(overrides)
        return {k: ("" if v is None else v) for k, v in data.items()}

    return fields

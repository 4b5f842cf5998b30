"""plotly.js comes from our own static files, never a CDN."""

import plotly
import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_plotly_bundle_of_the_plotly_package_is_a_static_file():
    path = finders.find("vendor/plotly/plotly.min.js")

    assert path is not None
    with open(path, "rb") as bundle:
        head = bundle.read(200)
    assert b"plotly.js v" in head
    assert plotly.__file__.rsplit("/", 1)[0] in path


def test_plotly_bundle_is_served(client):
    response = client.get("/static/vendor/plotly/plotly.min.js")

    assert response.status_code == 200
    assert b"plotly.js v" in b"".join(response.streaming_content)[:200]


def test_collectstatic_collects_the_plotly_bundle(tmp_path, settings):
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path

    call_command("collectstatic", "--noinput", "-v", "0")

    assert (tmp_path / "vendor" / "plotly" / "plotly.min.js").stat().st_size > 1_000_000

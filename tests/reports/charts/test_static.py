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


def test_the_partial_bundle_is_the_plotly_js_of_the_plotly_package():
    """The pages draw with the partial bundle, kaleido exports with the plotly package's full
    one: both must be the same plotly.js version (rebuild: tools/plotly-bundle/README.md)."""
    import re

    full = finders.find("vendor/plotly/plotly.min.js")
    partial = finders.find("vendor/plotly/plotly-observatory.min.js")
    with open(full, "rb") as a, open(partial, "rb") as b:
        version = re.search(rb"plotly\.js v(\d+\.\d+\.\d+)", a.read(300)).group(1)
        head = b.read(300)

    assert b"plotly.js v" + version + b" (observatory partial bundle" in head


def test_the_pages_use_the_partial_bundle(settings):
    templates = settings.BASE_DIR / "templates"
    users = [p.name for p in templates.rglob("*.html") if "vendor/plotly/" in p.read_text()]
    mentions = {
        p.name for p in templates.rglob("*.html") if "vendor/plotly/plotly.min.js" in p.read_text()
    }

    assert users and not mentions

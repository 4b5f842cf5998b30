"""The dashboard's first load, as production serves it: static files collected by
CompressedManifestStaticFilesStorage and served compressed by WhiteNoise (no Django static
handler in front, unlike the live_server fixture). The browser's own count of bytes on the
wire (Resource Timing ``transferSize``) must stay within 1.5 MB, with the partial plotly.js
bundle."""

import pytest
from django.core.management import call_command
from django.test.testcases import LiveServerThread

from tests.e2e.conftest import at, log_in, wait_until
from tests.reports.dashboard_data import build_election

pytestmark = pytest.mark.e2e

LIMIT = 1_500_000


@pytest.fixture
def production_static_server(transactional_db, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    settings.DEBUG = False
    call_command("collectstatic", "--noinput", "-v", "0")
    # The WSGI handler as gunicorn would run it: WhiteNoise serves /static/ itself.
    server = LiveServerThread("127.0.0.1", lambda handler: handler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    yield f"http://127.0.0.1:{server.port}"
    server.terminate()


def test_the_dashboards_first_load_transfers_at_most_one_and_a_half_megabytes(
    browser, production_static_server, coordinator, mission
):
    build_election(mission).reconcile()
    login = browser.new_context(base_url=production_static_server)
    page = login.new_page()
    log_in(page, "coordinator", "/")
    page.wait_for_url(at("/"))
    session = login.storage_state()
    login.close()
    # A new context: the session cookie, and an empty HTTP cache.
    context = browser.new_context(
        base_url=production_static_server,
        viewport={"width": 1400, "height": 1000},
        storage_state=session,
    )
    page = context.new_page()
    page.goto(f"/missions/{mission.pk}/dashboard/")
    wait_until(page, "() => document.querySelectorAll('.js-plotly-plot').length === 7")
    page.wait_for_load_state("networkidle")

    entries = page.evaluate(
        """() => [...performance.getEntriesByType('navigation'),
                  ...performance.getEntriesByType('resource')]
                 .map(e => ({name: e.name, transfer: e.transferSize, body: e.decodedBodySize,
                             encoded: e.encodedBodySize}))"""
    )
    total = sum(e["transfer"] for e in entries)
    plotly = next(e for e in entries if "plotly-observatory" in e["name"])
    context.close()

    print(
        f"dashboard first load: {total:,} bytes transferred in {len(entries)} requests; "
        f"plotly {plotly['encoded']:,} bytes on the wire for {plotly['body']:,}"
    )
    assert plotly["encoded"] < plotly["body"] / 2  # served compressed
    assert total <= LIMIT

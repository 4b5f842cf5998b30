"""One Debian Chromium and one live server for every browser story; a failing story leaves a
screenshot of each of its pages in tests/e2e/screenshots/ (gitignored).

Never a downloaded browser: Playwright drives /usr/bin/chromium. Outside CI a missing
Chromium skips the stories; under CI=true it fails them.
"""

import os
import re
import shutil
import time
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parent / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "pass-word-123"  # the persona factories' password


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing story saves every open page of the shared browser, named after the test."""
    report = yield
    browser = item.funcargs.get("browser") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and browser is not None:
        SCREENSHOTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", item.name)
        for c, context in enumerate(browser.contexts):
            for p, page in enumerate(context.pages):
                path = SCREENSHOTS / f"{name}-{c}-{p}.png"
                try:
                    page.screenshot(path=str(path), full_page=True)
                except PlaywrightError as error:  # a crashed page must not hide the failure
                    print(f"no screenshot of {page.url}: {error}")
    return report


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and Chromium is missing at {CHROMIUM}")
        pytest.skip("Chromium is not installed")
    # Playwright's sync API keeps an event loop in this thread; the tests' own ORM calls are
    # plain synchronous ones.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    # While Playwright's loop runs, Django keeps database connections per asyncio context:
    # close them, or the test database cannot be dropped at the end.
    connections.close_all()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_context(browser, transactional_db, live_server):
    """Browser contexts on the live server for one story, closed after it."""
    contexts = []

    def make(**options):
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def at(path):
    """A URL pattern for wait_for_url: globs are resolved against base_url, so use a regex."""
    return re.compile(re.escape(path) + r"(\?.*)?$")


def log_in(page, username, next_url):
    page.goto(f"/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")


def wait_until(page, script, timeout=15.0):
    """Poll a JavaScript function until it returns true (wait_for_function would need eval,
    which the pages' Content-Security-Policy forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"timed out waiting for {script}"
        time.sleep(0.1)

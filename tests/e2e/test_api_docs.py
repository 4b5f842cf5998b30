"""/api/docs/ in a real browser, under the site's Content-Security-Policy: Swagger UI draws
the operations from our own static files, with no CSP violation (its initialiser was an
inline script, which the policy blocks: the page was blank)."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_list_the_operations(browser, live_server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(20_000)
    problems, foreign = [], []
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on(
        "request",
        lambda r: not r.url.startswith(live_server.url) and foreign.append(r.url),
    )

    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock-summary-path", timeout=20_000)

    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/visits/" in [p.replace("\u200b", "") for p in paths]
    assert page.locator(".info .title").inner_text().startswith("Observatory API")
    assert problems == []
    assert foreign == []
    page.screenshot(path="/tmp/api-docs.png")
    page.close()

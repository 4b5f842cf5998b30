"""The docs/i18n screenshots: the phone form (390x844), the dashboard, the statement and a
briefing (1280 wide) in every language, from the demo mission on a running server.

    make run   # or any server with the demo mission; then publish a briefing as coordinator
    .venv/bin/python tools/i18n-screenshots/shots.py http://127.0.0.1:8000 docs/i18n [ar,ru]

Logs in as the demo's observer, coordinator and press (password "observatory"), with the
switcher's ``lang`` cookie set, and drives Debian's Chromium (/usr/bin/chromium).
"""

import sys

from playwright.sync_api import sync_playwright

base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8619"
out = sys.argv[2] if len(sys.argv) > 2 else "docs/i18n"
LANGS = ["en", "ru", "kk", "ar", "fr", "es", "zh-hans"]
only = sys.argv[3].split(",") if len(sys.argv) > 3 else LANGS


def session(p, user, lang, viewport):
    b = p.chromium.launch(executable_path="/usr/bin/chromium")
    ctx = b.new_context(viewport=viewport, device_scale_factor=1)
    ctx.add_cookies([{"name": "lang", "value": lang, "url": base}])
    page = ctx.new_page()
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", "observatory")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    return b, page


with sync_playwright() as p:
    for lang in only:
        b, page = session(p, "observer", lang, {"width": 390, "height": 844})
        page.goto(base + "/observe/1/visit/")
        page.select_option("#station", index=1)
        page.locator("input[name=checklist][data-stage=VOTING]").check()
        page.fill("#voters-so-far", "312")
        page.wait_for_timeout(300)
        page.screenshot(path=f"{out}/phone-form-{lang}.png", full_page=True)
        b.close()

        b, page = session(p, "coordinator", lang, {"width": 1280, "height": 1500})
        page.goto(base + "/missions/1/dashboard/")
        page.wait_for_timeout(2500)
        page.screenshot(path=f"{out}/dashboard-{lang}.png")
        page.goto(base + "/missions/1/statement/")
        page.wait_for_timeout(500)
        page.screenshot(path=f"{out}/statement-{lang}.png")
        b.close()

        b, page = session(p, "press", lang, {"width": 1280, "height": 1500})
        page.goto(base + "/briefings/1/")
        page.wait_for_timeout(2500)
        page.screenshot(path=f"{out}/briefing-{lang}.png")
        b.close()
        print(lang, "done")

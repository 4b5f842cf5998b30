"""HTML printed to PDF by the same Chromium that renders the chart files.

The briefing pack and the slide PDF are HTML pages (templates under
``templates/reports/press/``) printed with Chromium's ``Page.printToPDF``: Chromium splits
tables across pages and repeats their header rows, shapes Arabic and Kazakh text, embeds the
fonts (Noto Sans, Noto Sans Arabic, found through ``static/fonts/fonts.conf``), keeps the
charts' SVG as vector text that a reader can select and search, and numbers the pages.

It borrows the warm browser of ``reports.charts.rendering`` (a tab of its own per print, closed
afterwards), so a worker keeps one Chromium for both jobs.
"""

from __future__ import annotations

import asyncio
import base64
import tempfile
from pathlib import Path

from reports.charts import rendering

PRINT_TIMEOUT = 60  # seconds for one document


async def _print(browser, path: Path, options: dict) -> bytes:
    tab = await browser.create_tab("")
    try:
        loaded = tab.subscribe_once("Page.loadEventFired")
        await tab.send_command("Page.enable")
        await tab.send_command("Page.navigate", params={"url": path.as_uri()})
        await loaded
        await tab.send_command(
            "Runtime.evaluate",
            params={"expression": "document.fonts.ready.then(() => true)", "awaitPromise": True},
        )
        answer = await tab.send_command("Page.printToPDF", params=options)
        if "error" in answer:
            raise rendering.RenderFailed(f"printing failed: {answer['error']}")
        return base64.b64decode(answer["result"]["data"])
    finally:
        await browser.close_tab(tab.target_id)


def html_print(*, html: str, footer: str = "", header: str = "") -> bytes:
    """``html`` (a whole document whose CSS sets ``@page``) as PDF bytes.

    ``footer``/``header`` are Chromium's page templates (HTML with ``pageNumber`` and
    ``totalPages`` spans); given either, every page carries them. Raises ChromiumUnavailable
    or RenderFailed, as ``rendering.figure_render`` does.
    """
    browser = rendering._warm_browser()
    options = {
        "printBackground": True,
        "preferCSSPageSize": True,
        "displayHeaderFooter": bool(footer or header),
        "headerTemplate": header or "<span></span>",
        "footerTemplate": footer or "<span></span>",
    }
    with tempfile.TemporaryDirectory(prefix="observatory-print-") as directory:
        path = Path(directory) / "document.html"
        path.write_text(html, encoding="utf-8")
        future = asyncio.run_coroutine_threadsafe(
            _print(browser.kaleido, path, options), browser.loop
        )
        try:
            return future.result(PRINT_TIMEOUT)
        except BaseException as exc:
            future.cancel()
            rendering.renderer_stop()
            raise rendering.RenderFailed(f"printing a PDF failed: {exc!r}") from exc

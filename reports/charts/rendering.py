"""Static chart files (PNG, SVG, PDF) rendered on the server by kaleido driving Chromium.

One headless Chromium is kept warm per process: the first render starts it (a few seconds),
later renders reuse its tab (a few tenths of a second). It runs on an asyncio loop in a
daemon thread of its own, so callers stay synchronous (Django views, Celery tasks) and several
threads may render at once (the renders queue for the browser's tab). A process that forks
after the browser started (gunicorn ``--preload``, Celery prefork) starts its own on first use.

We use our own small holder rather than ``kaleido.start_sync_server``: that one waits forever
when Chromium fails to start, and its reply queue is shared between calling threads.

Chromium is Debian's package (``apt-get install chromium``) or whatever ``settings.CHROMIUM_PATH``
names; kaleido is never allowed to download a browser, and the page it renders in loads only
the plotly.js shipped in the ``plotly`` package (MathJax, which kaleido would fetch from a
CDN, is switched off).
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

FORMATS = ("png", "svg", "pdf")
CONTENT_TYPES = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
}
INSTALL_HINT = (
    "Chart images need Chromium on the server: install it with `apt-get install chromium` "
    "(Debian/Ubuntu) or set CHROMIUM_PATH to a Chromium or Chrome executable. "
    "The CSV downloads work without it."
)
START_TIMEOUT = 60  # seconds for Chromium to start
RENDER_TIMEOUT = 30  # seconds for one figure
# Exports are drawn at this width; the height is the figure's own (or the default below).
EXPORT_WIDTH = 1000
DEFAULT_HEIGHT = 500
FONTS_CONF = Path(settings.BASE_DIR) / "static" / "fonts" / "fonts.conf"
PNG_SCALE = 2  # press quality: a 1000 px wide chart gives a 2000 px wide PNG


class ChromiumUnavailable(RuntimeError):
    """No usable Chromium: the caller answers 503 with ``INSTALL_HINT``."""

    def __init__(self, detail: str = ""):
        super().__init__(f"{INSTALL_HINT} ({detail})" if detail else INSTALL_HINT)
        self.detail = detail


class RenderFailed(RuntimeError):
    """Chromium is there but this figure could not be rendered (timeout, crash)."""


def chromium_path() -> str:
    """The Chromium executable to use, or ChromiumUnavailable."""
    configured = getattr(settings, "CHROMIUM_PATH", "") or ""
    if configured:
        if os.path.isfile(configured) and os.access(configured, os.X_OK):
            return configured
        raise ChromiumUnavailable(f"CHROMIUM_PATH={configured} is not an executable file")
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    raise ChromiumUnavailable("no chromium found on PATH")


def chromium_available() -> bool:
    try:
        chromium_path()
    except ChromiumUnavailable:
        return False
    return True


@dataclass
class _Browser:
    """One Kaleido (a Chromium with a tab that has plotly.js loaded) on its own event loop."""

    path: str
    pid: int
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread
    kaleido: object

    @classmethod
    def start(cls, path: str) -> _Browser:
        from kaleido import Kaleido, PageGenerator

        # The charts' fonts (Noto Sans, Noto Sans Arabic) are vendored beside this config,
        # which also includes the system's: Chromium finds them through fontconfig.
        os.environ["FONTCONFIG_FILE"] = str(FONTS_CONF)
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="kaleido-chromium", daemon=True)
        thread.start()

        async def open_browser():
            browser = Kaleido(
                path=path,
                n=1,
                timeout=RENDER_TIMEOUT,
                page_generator=PageGenerator(mathjax=False),
            )
            await browser.open()
            return browser

        future = asyncio.run_coroutine_threadsafe(open_browser(), loop)
        try:
            kaleido = future.result(START_TIMEOUT)
        except BaseException as exc:
            future.cancel()
            loop.call_soon_threadsafe(loop.stop)
            logger.warning("Chromium at %s did not start: %r", path, exc)
            raise ChromiumUnavailable(f"Chromium at {path} did not start: {exc}") from exc
        return cls(path=path, pid=os.getpid(), loop=loop, thread=thread, kaleido=kaleido)

    def render(self, figure, *, fmt: str, width: int, height: int, scale: float) -> bytes:
        # ``write_fig`` rather than ``calc_fig``: it hands the tab back (a page reload, a few
        # tenths of a second) in the background instead of before returning.
        opts = {"format": fmt, "width": width, "height": height, "scale": scale}
        with tempfile.TemporaryDirectory(prefix="observatory-render-") as directory:
            target = Path(directory) / f"chart.{fmt}"
            future = asyncio.run_coroutine_threadsafe(
                self.kaleido.write_fig(figure, path=target, opts=opts), self.loop
            )
            try:
                future.result(RENDER_TIMEOUT + 5)
            except BaseException as exc:
                future.cancel()
                raise RenderFailed(f"rendering a {fmt} failed: {exc!r}") from exc
            if not target.is_file() or target.stat().st_size == 0:
                raise RenderFailed(f"rendering a {fmt} produced no file")
            return target.read_bytes()

    def close(self) -> None:
        if self.pid != os.getpid():
            return  # a forked child does not own its parent's browser

        async def close_browser():
            # Let tabs still reloading after a render finish first (kaleido's own __aexit__).
            pending = list(self.kaleido._background_render_tasks)
            await asyncio.gather(*pending, return_exceptions=True)
            await self.kaleido.close()

        future = asyncio.run_coroutine_threadsafe(close_browser(), self.loop)
        try:
            future.result(10)
        except BaseException:  # noqa: BLE001 closing is best effort
            logger.warning("Chromium did not close cleanly", exc_info=True)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


_browser: _Browser | None = None
_browser_lock = threading.Lock()


def _warm_browser() -> _Browser:
    """This process's browser, started on first use (and again if the path changed)."""
    global _browser
    path = chromium_path()
    with _browser_lock:
        browser = _browser
        if browser is not None and (browser.pid != os.getpid() or browser.path != path):
            if browser.pid == os.getpid():
                browser.close()
            browser = _browser = None
        if browser is None:
            started = time.perf_counter()
            browser = _browser = _Browser.start(path)
            logger.info("Chromium started in %.2f s", time.perf_counter() - started)
        return browser


def renderer_stop() -> None:
    """Close this process's browser (tests, worker shutdown). The next render starts one."""
    global _browser
    with _browser_lock:
        if _browser is not None:
            _browser.close()
            _browser = None


def export_size(figure) -> tuple[int, int]:
    """The width and height (CSS pixels) a figure is exported at."""
    layout = figure.layout
    return int(layout.width or EXPORT_WIDTH), int(layout.height or DEFAULT_HEIGHT)


def figure_render(*, figure, fmt: str, scale: float | None = None) -> bytes:
    """The figure as PNG, SVG or PDF bytes.

    Raises ChromiumUnavailable (no browser: answer 503) or RenderFailed. A failed render
    drops the browser, so the next call starts a fresh one instead of reusing a broken one.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {FORMATS}")
    width, height = export_size(figure)
    if scale is None:
        scale = PNG_SCALE if fmt == "png" else 1
    browser = _warm_browser()
    try:
        return browser.render(figure, fmt=fmt, width=width, height=height, scale=scale)
    except RenderFailed:
        renderer_stop()
        raise

"""Markdown that people write (a briefing's summary) as HTML that is safe to show.

``markdown_html`` renders with Python-Markdown and then sanitises with nh3 (the Rust
``ammonia`` sanitiser): only the tags a statement's key messages need survive, links keep
``http``, ``https`` and ``mailto`` targets only and get ``rel="noopener noreferrer nofollow"``,
and anything else, raw HTML included (``<script>``, ``onerror=``, ``javascript:``), is removed
or escaped. Pages, the briefing pack and the API all show this one rendering.
"""

from __future__ import annotations

import markdown
import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h1",
    "h2",
    "h3",
    "h4",
    "a",
    "code",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def markdown_html(text: str) -> str:
    """``text`` (Markdown) as sanitised HTML; empty text gives an empty string."""
    if not text or not text.strip():
        return ""
    rendered = markdown.markdown(text, extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )

"""Markdown to HTML for showing a story on a web page.

The one place altar makes HTML from typed text: CommonMark with raw HTML
turned off, so whatever a writer types (``<script>`` included) is shown as
text, and markdown-it's link check drops ``javascript:`` and similar links.
"""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False})


def markdown_html(text: str) -> Markup:
    """``text`` (Markdown) as safe HTML: every tag in it is markdown-it's own."""
    return Markup(_parser().render(text))

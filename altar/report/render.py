"""The report pipeline's last two steps: HTML from the Jinja2 templates
(``templates/report/``), and PDF from that HTML with WeasyPrint.

One environment for every report: templates found through
``altar.resources.templates_dir()`` (the checkout's ``templates/`` or the
wheel's copy), autoescaping on for everything (an authority named
``<script>`` prints as text), and ``StrictUndefined``, so a template asking
for a figure the context does not have fails the render instead of printing
a blank.

WeasyPrint is optional (``pip install 'altar[pdf]'``): it needs the Pango
libraries from the operating system, which not every machine a practitioner
uses has. ``pdf_problem()`` says why PDF is unavailable, and ``write_pdf``
raises a ``RenderError`` that says how to enable it.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import BinaryIO

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from altar.errors import RenderError
from altar.resources import templates_dir

PDF_HELP = (
    "PDF output needs WeasyPrint: install it with pip install 'altar[pdf]' (in a checkout, make install does), "
    "and the Pango libraries it draws text with (Debian/Ubuntu: apt-get install libpango-1.0-0 "
    "libpangoft2-1.0-0); or write HTML only with --format html"
)


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(template: str, report: object) -> str:
    """A report's HTML: ``template`` (e.g. ``report/regional.html``) given its context as ``report``."""
    return environment().get_template(template).render(report=report)


def pdf_problem() -> str | None:
    """None when PDF can be written, else why not and how to fix it."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:  # OSError: the Pango libraries are missing
        return f"{PDF_HELP} ({type(exc).__name__}: {exc})"
    return None


def write_pdf(html: str, target: BinaryIO) -> None:
    """Lay ``html`` out as a PDF (A4, with the page numbers and running
    heads of the stylesheet's ``@page`` rules) into ``target``. Only
    ``data:`` URLs are fetched: the report carries everything it shows, and
    a name that somehow reached the HTML as a link fetches nothing."""
    problem = pdf_problem()
    if problem:
        raise RenderError(problem)
    from weasyprint import HTML, URLFetcher

    # WeasyPrint reports CSS it ignores as warnings; a report's reader has no use for them.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf(target)

"""The regional report and the per-authority summaries (``altar report``).

Pipeline::

    store ──read_region / read_authority──> RegionData, AuthorityData
          (altar stats documents, cohort cross-tabulation, dates, store state)
    ──regional_report / authority_summary──> RegionalReport, AuthoritySummary
          (frozen contexts: figures protected by altar.disclosure, sentences
           from report.findings, charts from altar.charts.bars)
    ──render_html──> one self-contained HTML file (templates/report/)
    ──write_pdf──> the same document as PDF (WeasyPrint)

The library returns :class:`Document` objects (a file name without its
extension, a title, the HTML); only the caller decides where they go.
``release`` is the one path from store to documents that ``altar report``,
the lead's download (``archive``) and ``altar demo`` all take.
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from altar.access import Permission, User, require
from altar.baselines import load_baselines
from altar.db.tallies import Counting
from altar.instrument import current_codebook
from altar.report.context import (
    AuthoritySummary,
    RegionalReport,
    authority_summary,
    regional_report,
)
from altar.report.data import (
    RegionData,
    ReportOptions,
    read_authority,
    read_region,
    resolve_authorities,
)
from altar.report.protected import region_figures
from altar.report.render import pdf_problem, render_html, write_pdf

__all__ = [
    "AuthoritySummary",
    "Document",
    "RegionalReport",
    "ReportOptions",
    "archive",
    "authority_documents",
    "generated_at",
    "pdf_problem",
    "read_region",
    "regional_document",
    "release",
    "save",
    "save_all",
    "summary_file_name",
    "write_pdf",
]

REGIONAL_FILE_NAME = "regional-report"


@dataclass(frozen=True)
class Document:
    """A rendered report: ``name`` is its file name without the extension."""

    name: str
    title: str
    html: str


def summary_file_name(code: str) -> str:
    """An authority summary's file name, without its extension.

    >>> summary_file_name("dudley")
    'summary-dudley'
    """
    return f"summary-{code}"


def regional_document(data: RegionData, options: ReportOptions) -> Document:
    """The regional report from the region's data (``read_region(full=True)``)."""
    report = regional_report(data, options)
    return Document(
        REGIONAL_FILE_NAME, report.document_title, render_html("report/regional.html", report)
    )


def authority_documents(
    session: Session, data: RegionData, authorities: Sequence[str] | None, options: ReportOptions
) -> list[Document]:
    """One summary per authority named (code or display name), or for every
    authority with screened children when ``authorities`` is None."""
    codes = (
        list(data.authorities)
        if authorities is None
        else resolve_authorities(session, data, authorities)
    )
    region = region_figures(data, options.rule)
    documents = []
    for code in codes:
        summary = authority_summary(
            data, region, read_authority(session, data.book, code, data), options
        )
        documents.append(
            Document(
                summary_file_name(code),
                summary.document_title,
                render_html("report/authority.html", summary),
            )
        )
    return documents


def release(
    session: Session,
    options: ReportOptions,
    *,
    regional: bool = True,
    authorities: Sequence[str] | None = None,
    baseline_dirs: Sequence[Path] = (),
    counting: Counting = Counting.COMPLETE,
) -> list[Document]:
    """The documents of a release, the one path every face takes (``altar
    report``, the lead's download, ``altar demo``): the regional report
    unless ``regional`` is false, then a summary for each of
    ``authorities`` (codes or display names; None: every authority with
    screened children; empty: none). The region is read once, with the
    current codebook and the general-population baselines loaded here (the
    shipped ones, then any in ``baseline_dirs``), so the same data and
    options give the same documents, fingerprint included, whichever face
    asked. ``counting`` says which screenings count (complete ones unless
    the lead chose otherwise)."""
    data = read_region(
        session,
        current_codebook(),
        load_baselines(baseline_dirs),
        full=regional,
        counting=counting,
    )
    documents = [regional_document(data, options)] if regional else []
    if authorities is None or authorities:
        documents += authority_documents(session, data, authorities, options)
    return documents


def save(
    document: Document, folder: Path, formats: Sequence[str], *, private: bool = False
) -> list[Path]:
    """Write ``document`` into ``folder`` as ``name.html`` and/or ``name.pdf``
    (``formats``: "html", "pdf"); return the paths written.

    Each file is written beside its final name and renamed into place, so a
    failed PDF never leaves half a file behind. ``private`` (an unsuppressed
    working copy) makes the files readable by their owner only.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        path = folder / f"{document.name}.{fmt}"
        handle, temporary = tempfile.mkstemp(prefix=f".{document.name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(handle, "wb") as stream:
                if fmt == "html":
                    stream.write(document.html.encode("utf-8"))
                else:
                    write_pdf(document.html, stream)
            os.chmod(temporary, 0o600 if private else 0o666 & ~_umask())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        written.append(path)
    return written


def save_all(
    documents: Sequence[Document],
    folder: Path,
    formats: Sequence[str],
    *,
    private: bool = False,
    progress: Callable[[int], None] | None = None,
) -> list[Path]:
    """``save`` each document in turn; ``progress(n)`` is told how many are
    written so far. Returns every path written, in order."""
    paths: list[Path] = []
    for done, document in enumerate(documents, start=1):
        paths += save(document, folder, formats, private=private)
        if progress:
            progress(done)
    return paths


def archive(
    session: Session,
    user: User,
    options: ReportOptions,
    formats: Sequence[str],
    baseline_dirs: Sequence[Path] = (),
) -> bytes:
    """The regional report and every authority's summary in ``formats``, as
    one ZIP file (each document at its top level, e.g. regional-report.html,
    summary-dudley.html), for a download: the ``release`` ``altar report``
    writes for the same options and ``baseline_dirs``. Rendered through a private
    temporary folder, removed before this returns. Needs
    ``Permission.REGION``; a store with no screened children raises
    NotFoundError, a missing PDF library RenderError."""
    require(user, Permission.REGION)
    documents = release(session, options, baseline_dirs=baseline_dirs)
    with tempfile.TemporaryDirectory(prefix="altar-reports-") as folder:
        paths = save_all(documents, Path(folder), formats, private=True)
        stream = io.BytesIO()
        with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as bundle:
            for path in paths:
                bundle.write(path, path.name)
    return stream.getvalue()


def generated_at() -> datetime:
    """Now, or SOURCE_DATE_EPOCH (the reproducible-builds convention) when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

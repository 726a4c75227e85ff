"""The lead researcher's pages: completeness and the reports (pen-pictures
are views/pen_pictures.py). Every one needs ``Permission.REGION`` (a practitioner gets 403,
for a typed URL and a crafted post alike); the library functions they call
check again."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, current_app, render_template, request
from werkzeug.wrappers import Response

from altar import report
from altar.access import Permission, require
from altar.completeness import completeness
from altar.errors import FieldProblem, NotFoundError, RenderError, ValidationError
from altar.report import ReportOptions
from altar.vocab import STRATUM_LABELS
from altar.web import pages

bp = Blueprint("lead", __name__, url_prefix="/lead")
FORMATS = {
    "html": "HTML: one web page per document, opens offline",
    "pdf": "PDF: ready to print and send",
}


@bp.before_request
def _lead_only() -> None:
    require(pages.user(), Permission.REGION)


def _problems(error: ValidationError) -> list[FieldProblem]:
    """The library's problems, linked to their field and shown whole ("authority: ...")."""
    return [FieldProblem(p.field, str(p)) for p in error.located] or [
        FieldProblem(None, line) for line in error.problems or [str(error)]
    ]


@bp.route("")
def index() -> tuple[str, int]:
    authority, stratum = request.args.get("authority", ""), request.args.get("stratum", "")
    problems: list[FieldProblem] = []
    with pages.reading() as db:
        try:
            view = completeness(db, pages.user(), authority=authority, stratum=stratum)
        except ValidationError as exc:
            problems, view = _problems(exc), completeness(db, pages.user())
    context = dict(
        view=view,
        strata=STRATUM_LABELS,
        chosen={"authority": authority, "stratum": stratum},
        problems=problems,
    )
    return render_template("lead/index.html", **context), 400 if problems else 200


@bp.route("/reports", methods=["GET", "POST"])
def reports() -> Response | tuple[str, int]:
    pdf_problem = report.pdf_problem()
    formats = {k: v for k, v in FORMATS.items() if k == "html" or pdf_problem is None}
    if request.method == "GET":
        return _reports_page(formats, pdf_problem, "html", []), 200
    chosen = request.form.get("format", "")
    if chosen not in formats:
        return _reports_page(
            formats, pdf_problem, chosen, [FieldProblem("format", "Choose HTML or PDF")]
        ), 400
    options = ReportOptions(generated_at=report.generated_at())
    if region := current_app.config["ALTAR_REGION"]:
        options = replace(options, region=region)
    try:
        with pages.reading() as db:
            data = report.archive(
                db, pages.user(), options, (chosen,), current_app.config["ALTAR_BASELINE_DIRS"]
            )
    except (NotFoundError, RenderError) as exc:
        problem = FieldProblem(None, pages.web_message(f"The reports could not be made: {exc}"))
        return _reports_page(formats, pdf_problem, chosen, [problem]), 400
    name = f"altar-reports-{options.generated_at:%Y-%m-%d}.zip"
    return Response(
        data,
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def _reports_page(
    formats: dict[str, str], pdf_problem: str | None, chosen: str, problems: list[FieldProblem]
) -> str:
    return render_template(
        "lead/reports.html",
        formats=formats,
        pdf_problem=pdf_problem,
        chosen=chosen,
        problems=problems,
    )

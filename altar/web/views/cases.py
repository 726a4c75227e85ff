"""The caseload: the cases the signed-in user may see, with each one's
screening status; adding a case; one case's overview page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from altar.capture.entry import DETAILS, add_case, change_details, detail_texts
from altar.db.authorities import authority_names, list_authorities
from altar.db.caseload import case_overview, caseload_page
from altar.errors import FieldProblem, ValidationError
from altar.vocab import (
    CASE_COLUMNS,
    CATEGORIES,
    COHORT_LABELS,
    COLUMN_LABELS,
    ETHNICITIES,
    SEXES,
    STATUS_LABELS,
    STRATUM_LABELS,
)
from altar.web import pages

bp = Blueprint("cases", __name__)

# What `altar case add` assumes when an option is left out, shown ticked.
NEW_DEFAULTS = {"cohort": "main", "sex": "unknown", "ethnicity": "unknown"}


@bp.route("/")
def home() -> Response:
    return redirect(url_for("cases.index"))


@bp.route("/cases")
def index() -> str:
    user = pages.user()
    filters = _filters(user.role != "practitioner")
    search = request.args.get("q", "").strip()[:60]
    with pages.reading() as db:
        listing = caseload_page(
            db, user, page=request.args.get("page", 1, type=int), search=search, **filters
        )
        authorities = [(a.code, a.name) for a in list_authorities(db, user)]
    options = {
        "authority": [("", "All authorities"), *authorities],
        "stratum": [("", "All strata"), *STRATUM_LABELS.items()],
        "status": [("", "Any status"), *STATUS_LABELS.items()],
    }
    return render_template(
        "cases/index.html",
        listing=listing,
        filters=filters,
        search=search,
        options=options,
        names={"authority": dict(authorities), "stratum": STRATUM_LABELS},
    )


class _Filters(TypedDict):
    """``caseload_page``'s filters (None: all)."""

    stratum: str | None
    status: str | None
    authority: str | None


def _filters(by_authority: bool) -> _Filters:
    """The GET form's filters; a value no option offers (a hand-edited URL)
    is ignored rather than showing an empty list for a typo."""

    def chosen(name: str, options: Mapping[str, str]) -> str | None:
        value = request.args.get(name)
        return value if value in options else None

    return _Filters(
        stratum=chosen("stratum", STRATUM_LABELS),
        status=chosen("status", STATUS_LABELS),
        # The library scopes the list; an unknown authority simply matches nothing.
        authority=(request.args.get("authority") or None) if by_authority else None,
    )


@bp.route("/cases/new", methods=["GET", "POST"])
def new() -> Response | str | tuple[str, int]:
    user = pages.user()
    if request.method == "GET":
        return _new_form({**dict.fromkeys(CASE_COLUMNS, ""), **NEW_DEFAULTS})
    # The fields are the library's column names, so a problem's column names its field.
    typed = {name: pages.form_text(name).strip() for name in CASE_COLUMNS}
    # A practitioner's form has no authority field: theirs is implied. A
    # crafted post naming another is refused by the library (AccessDenied).
    typed["authority"] = typed["authority"] or (user.authority or "")
    try:
        with pages.writing() as db:
            # Blank means "use the default" (e.g. today's date), as an option left out of `altar case add`.
            record = add_case(
                db, user, {k: v for k, v in typed.items() if v}, command=pages.command()
            )
    except ValidationError as error:
        return _new_form(typed, _problems(error)), 400
    flash(f"Case {record.case_ref} added. Its screening is ready to fill in.")
    return redirect(url_for("cases.show", ref=record.case_ref))


def _problems(error: ValidationError) -> list[FieldProblem]:
    """The library's problems, each beside its field (a case's problems keep
    the value typed), or the error as a whole."""
    return [
        FieldProblem(p.field, _message(p.field or "", getattr(p, "value", ""), p.message))
        for p in error.located
    ] or [FieldProblem(None, str(error))]


def _message(column: str, value: str, reason: str) -> str:
    """The library's reason as a sentence, named by the field's label unless
    it already says what it is about ("a case reference is required"). A
    choice left unmade gets the GOV.UK wording, not the list of codes."""
    label = COLUMN_LABELS.get(column, column)
    if column in CATEGORIES and not value.strip():
        return f"Select the {label.lower()}"
    if label.split()[-1].lower() in reason.lower():
        return reason[:1].upper() + reason[1:]
    return f"{label}: {reason}"


def _new_form(typed: dict[str, str], problems: list[FieldProblem] | None = None) -> str:
    return render_template("cases/new.html", typed=typed, problems=problems or [], **_choices())


def _choices() -> dict[str, object]:
    """The case forms' options and the user's authorities' names."""
    with pages.reading() as db:
        authorities = [(a.code, a.name) for a in list_authorities(db, pages.user())]
    options = {
        "authority": [("", "Choose an authority"), *authorities],
        "stratum": list(STRATUM_LABELS.items()),
        "cohort": list(COHORT_LABELS.items()),
        "sex": [(code, code.capitalize()) for code in SEXES],
        "ethnicity": [(code, code.capitalize()) for code in ETHNICITIES],
    }
    return {"options": options, "authority_names": dict(authorities)}


@bp.route("/cases/<path:ref>/details", methods=["GET", "POST"])
def details(ref: str) -> Response | str | tuple[str, int]:
    """Correct a case's details (a stratum or age entered wrongly); its
    screening, story and chronology stay as they are."""
    if request.method == "GET":
        return _details_form(ref, {})
    typed = {name: pages.form_text(name).strip() for name in DETAILS if name in request.form}
    try:
        with pages.writing() as db:
            changed = change_details(db, pages.user(), ref, typed, command=pages.command())
    except ValidationError as error:
        if not error.located:
            raise
        return _details_form(ref, typed, _problems(error)), 400
    flash(f"Case {ref} changed." if changed else "Nothing had changed, so nothing was saved.")
    return redirect(url_for("cases.show", ref=ref))


def _details_form(
    ref: str, typed: dict[str, str], problems: list[FieldProblem] | None = None
) -> str:
    """The form with the stored details, overlaid by what was typed."""
    with pages.reading() as db:
        stored = detail_texts(db, pages.user(), ref)  # NotFoundError (404) outside the user's scope
    return render_template(
        "cases/details.html", ref=ref, typed=stored | typed, problems=problems or [], **_choices()
    )


@bp.route("/cases/<path:ref>")
def show(ref: str) -> str:
    with pages.reading() as db:
        row = case_overview(db, pages.user(), ref)
        names = {
            "authority": authority_names(db),
            "stratum": STRATUM_LABELS,
            "cohort": COHORT_LABELS,
        }
    return render_template("cases/show.html", row=row, names=names)

"""The case story: read it, write it section by section (with a preview and
the identifying-detail check before saving), and see its versions and what
changed between two of them. Versions, the check and the conflict rule are
altar.stories.casestory's, as for `altar story`."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from altar.db import stories as store
from altar.errors import ConflictError, FieldProblem, ValidationError
from altar.identifiers import IdentifierMatch
from altar.markdown import markdown_html
from altar.stories.casestory import (
    Comparison,
    IdentifyingDetails,
    compare_versions,
    identifying_details,
    open_story,
    read_story,
    save_sections,
)
from altar.stories.template import Section
from altar.web import pages

bp = Blueprint("stories", __name__)
bp.add_app_template_filter(markdown_html, "markdown")

Page = str | tuple[str, int]


@bp.route("/cases/<path:ref>/story")
def show(ref: str) -> str:
    with pages.reading() as db:
        page = read_story(db, pages.user(), ref)
    return render_template("stories/show.html", page=page)


@bp.route("/cases/<path:ref>/story/history")
def history(ref: str) -> str:
    with pages.reading() as db:
        return _history(db, ref, [])[0]


def _history(
    db: Session, ref: str, problems: list[FieldProblem], status: int = 200
) -> tuple[str, int]:
    page = read_story(db, pages.user(), ref)
    rows = list(reversed(store.history(db, pages.user(), ref)))
    return render_template(
        "stories/history.html",
        page=page,
        rows=rows,
        problems=problems,
        old=request.args.get("old", ""),
        new=request.args.get("new", ""),
    ), status


@bp.route("/cases/<path:ref>/story/diff")
def diff(ref: str) -> Page:
    with pages.reading() as db:
        try:
            comparison = compare_versions(
                db,
                pages.user(),
                ref,
                request.args.get("old", type=int),
                request.args.get("new", type=int),
            )
        except ValidationError:
            return _history(
                db, ref, [FieldProblem("old", "Choose the earlier version to compare")], 400
            )
        page = read_story(db, pages.user(), ref)
    return render_template("stories/diff.html", page=page, comparison=comparison)


@bp.route("/cases/<path:ref>/story/<section>", methods=["GET", "POST"])
def edit(ref: str, section: str) -> Page | Response:
    with pages.reading() as db:
        opened = open_story(db, pages.user(), ref, section)
    form = _Form(
        opened.template.section(section),
        opened.base_version,
        opened.base.sections.get(section, "") if opened.base else "",
    )
    if request.method == "GET":
        return form.render(ref)
    form.text, form.base_version = (
        pages.form_text("text"),
        request.form.get("base_version", type=int),
    )
    if request.form.get("action") == "preview":
        with pages.reading() as db:
            form.findings = identifying_details(db, pages.user(), ref, {section: form.text})
        form.preview = True
        return form.render(ref)
    return _save(ref, form)


def _save(ref: str, form: _Form) -> Page | Response:
    confirmed = request.form.getlist("seen") if request.form.get("override") == "yes" else []
    try:
        with pages.writing() as db:
            outcome = save_sections(
                db,
                pages.user(),
                ref,
                {form.section.code: form.text},
                base_version=form.base_version,
                confirmed=confirmed,
                command=pages.command(),
            )
    except IdentifyingDetails as exc:
        form.findings = list(exc.findings)
        return form.render(
            ref,
            [
                *(_finding_problem(f) for f in exc.findings),
                FieldProblem(
                    "override",
                    "Take these details out, or tick the box to confirm they are not identifying",
                ),
            ],
            400,
        )
    except ConflictError:
        return _conflict(ref, form)
    except ValidationError as exc:
        return form.render(
            ref, [FieldProblem("text", p[:1].upper() + p[1:]) for p in exc.problems], 400
        )
    if outcome.version is None:
        flash("The section was unchanged: nothing was saved.")
    else:
        kept = (
            " Identifying-looking details were kept on purpose; this is recorded."
            if outcome.kept_findings
            else ""
        )
        flash(f"Saved version {outcome.version} of the story.{kept}")
    return redirect(url_for("stories.show", ref=ref, _anchor=f"section-{form.section.code}"))


def _finding_problem(finding: IdentifierMatch) -> FieldProblem:
    return FieldProblem("text", f"Line {finding.line}: “{finding.text}” looks like {finding.what}")


def _conflict(ref: str, form: _Form) -> Page:
    """Someone saved a newer version meanwhile: show what they changed in
    this section, keep the writer's text, and base the form on the newest
    version so saving again is a deliberate choice."""
    with pages.reading() as db:
        comparison = compare_versions(
            db, pages.user(), ref, form.base_version, None, only=[form.section.code]
        )
    form.base_version, form.conflict = comparison.after.version, comparison
    return form.render(
        ref,
        [
            FieldProblem(
                "text",
                f"{comparison.after.written_by or 'Someone'} saved version {comparison.after.version} of the story "
                "while you were writing: nothing of yours was saved. Compare, merge your text with theirs, then save again",
            )
        ],
        409,
    )


class _Form:
    """What the edit page shows: one section, its text and how it was checked."""

    def __init__(self, section: Section, base_version: int | None, text: str) -> None:
        self.section, self.base_version, self.text = section, base_version, text
        self.findings: list[IdentifierMatch] = []
        self.preview = False
        self.conflict: Comparison | None = None

    def render(
        self, ref: str, problems: list[FieldProblem] | None = None, status: int = 200
    ) -> tuple[str, int]:
        return render_template(
            "stories/edit.html", ref=ref, form=self, problems=problems or []
        ), status

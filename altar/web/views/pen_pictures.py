"""Pen-pictures, the lead researcher's: the list, one to read and approve
or withdraw, and writing or changing one. Each page needs
``Permission.REGION`` (a practitioner gets 403); the checks (length, case
references, identifying details, approval withdrawn by a change) and the
change log are altar.stories.pen_pictures', as for `altar penpicture`."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from altar.access import Permission, require
from altar.db.authorities import authority_names
from altar.db.pen_pictures import PenPictureRow
from altar.errors import ConflictError, FieldProblem, NotFoundError, ValidationError
from altar.stories import pen_pictures
from altar.stories.pen_pictures import BODY_MAX, TITLE_MAX
from altar.vocab import STRATUM_LABELS
from altar.web import pages

bp = Blueprint("pen_pictures", __name__, url_prefix="/lead/pen-pictures")
DONE = {
    "approve": "Approved: it appears in the regional report and in its authority's summary.",
    "withdraw": "Approval withdrawn: the reports leave it out.",
    "unchanged": "Nothing changed: it already was as you asked.",
    "added": "Saved. It is a draft: read it through, then approve it for publication.",
    "edited": "Saved.",
    "edited-withdrawn": "Saved. Changing the text withdrew its approval: approve it again to publish it.",
}
LABELS = {"case_ref": "Case reference", "title": "Title", "body": "Text"}
Page = str | tuple[str, int]


@bp.before_request
def _lead_only() -> None:
    require(pages.user(), Permission.REGION)


@bp.route("")
def index() -> str:
    with pages.reading() as db:
        rows, names = pen_pictures.list_pen_pictures(db, pages.user()), authority_names(db)
    return render_template(
        "pen_pictures/index.html", pictures=rows, strata=STRATUM_LABELS, names=names
    )


@bp.route("/<int:picture_id>")
def show(picture_id: int) -> str:
    return _show(picture_id, notice=DONE.get(request.args.get("done", "")))


def _show(
    picture_id: int, problems: list[FieldProblem] | None = None, notice: str | None = None
) -> str:
    """The pen-picture as stored now (NotFoundError: 404)."""
    with pages.reading() as db:
        row, names = pen_pictures.show(db, pages.user(), picture_id), authority_names(db)
    return render_template(
        "pen_pictures/show.html",
        picture=row,
        paragraphs=pen_pictures.paragraphs(row.body),
        strata=STRATUM_LABELS,
        names=names,
        problems=problems or [],
        notice=notice,
    )


@bp.route("/<int:picture_id>", methods=["POST"])
def approval(picture_id: int) -> Response | tuple[str, int]:
    action = request.form.get("action")
    if action not in ("approve", "withdraw"):
        return _show(picture_id, [FieldProblem(None, "Choose approve or withdraw")]), 400
    try:
        with pages.writing() as db:
            _, changed = pen_pictures.set_approved(
                db, pages.user(), picture_id, action == "approve", command=pages.command()
            )
    except ValidationError as exc:
        return _show(picture_id, _problems(exc, link=False)), 400
    return redirect(
        url_for("pen_pictures.show", picture_id=picture_id, done=action if changed else "unchanged")
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> Page | Response:
    form = {"case_ref": request.values.get("case", "").strip(), "title": "", "body": ""}
    if request.method == "GET":
        return _form(None, form)
    form = {
        "case_ref": request.form.get("case_ref", "").strip(),
        "title": request.form.get("title", ""),
        "body": pages.form_text("body"),
    }
    if not form["case_ref"]:
        return _form(
            None,
            form,
            [FieldProblem("case_ref", "Enter the case reference of the child it is drawn from")],
        )
    try:
        with pages.writing() as db:
            added = pen_pictures.add(
                db,
                pages.user(),
                form["case_ref"],
                form["title"],
                form["body"],
                command=pages.command(),
            )
    except NotFoundError as exc:
        return _form(None, form, [FieldProblem("case_ref", pages.web_message(str(exc)))])
    except ValidationError as exc:
        return _form(None, form, _problems(exc))
    return redirect(url_for("pen_pictures.show", picture_id=added.id, done="added"))


@bp.route("/<int:picture_id>/edit", methods=["GET", "POST"])
def edit(picture_id: int) -> Page | Response:
    with pages.reading() as db:
        stored = pen_pictures.show(db, pages.user(), picture_id)
    if request.method == "GET":
        return _form(stored, {"title": stored.title, "body": stored.body, "opened": stored.body})
    form = {
        "title": request.form.get("title", ""),
        "body": pages.form_text("body"),
        "opened": pages.form_text("opened"),
    }
    try:
        with pages.writing() as db:
            edited = pen_pictures.edit(
                db,
                pages.user(),
                picture_id,
                title=form["title"],
                text=form["body"],
                opened=form["opened"],
                command=pages.command(),
            )
    except ConflictError:
        return _conflict(picture_id, form)
    except ValidationError as exc:
        return _form(stored, form, _problems(exc))
    done = (
        "unchanged" if not edited.changed else "edited-withdrawn" if edited.withdrawn else "edited"
    )
    return redirect(url_for("pen_pictures.show", picture_id=picture_id, done=done))


def _conflict(picture_id: int, form: dict[str, str]) -> tuple[str, int]:
    """Someone saved the text meanwhile: show theirs, keep the writer's, and
    base the form on theirs so saving again is a deliberate choice."""
    with pages.reading() as db:
        now = pen_pictures.show(db, pages.user(), picture_id)
    problem = FieldProblem(
        "body",
        "Someone saved a change to this pen-picture while you were writing: nothing of yours was "
        "saved. Their text is shown below yours; merge the two, then save again",
    )
    return _form(
        now,
        {**form, "opened": now.body},
        [problem],
        theirs=pen_pictures.paragraphs(now.body),
        status=409,
    )


def _problems(error: ValidationError, *, link: bool = True) -> list[FieldProblem]:
    """The library's problems, each linked to its field and named by its label."""
    located = error.located or [FieldProblem(None, p) for p in error.problems or [str(error)]]
    return [
        FieldProblem(
            p.field if link and p.field in LABELS else None,
            pages.web_message(f"{LABELS[p.field]}: {p.message}" if p.field in LABELS else str(p)),
        )
        for p in located
    ]


def _form(
    picture: PenPictureRow | None,
    form: dict[str, str],
    problems: list[FieldProblem] | None = None,
    *,
    theirs: tuple[str, ...] = (),
    status: int | None = None,
) -> tuple[str, int]:
    page = render_template(
        "pen_pictures/form.html",
        picture=picture,
        form=form,
        problems=problems or [],
        theirs=theirs,
        title_max=TITLE_MAX,
        body_max=BODY_MAX,
    )
    return page, status or (400 if problems else 200)

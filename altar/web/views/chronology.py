"""A case's chronology: the table of its dated events, adding, changing and
removing one, and its timeline chart. The vocabularies, date rules, scope
and change log are ``stories.chronology_entry``'s, as for the CLI."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from altar.db.scope import require_case
from altar.errors import FieldProblem, ValidationError
from altar.stories import chronology_entry as chronology
from altar.stories.chronology import AGENCY_LABELS, EVENT_TYPE_LABELS, NOTE_MAX
from altar.stories.chronology_entry import EventListing
from altar.web import pages

bp = Blueprint("chronology", __name__)
FIELDS = ("date", "agency", "event_type", "note")  # form field ids: the library's column names


@bp.route("/cases/<path:ref>/chronology")
def index(ref: str) -> str:
    with pages.reading() as db:
        events = chronology.list_events(db, pages.user(), ref)
    notice = next(iter(get_flashed_messages()), None)
    return render_template(
        "chronology/index.html", ref=ref, events=events, notice=notice, **_vocabularies()
    )


@bp.route("/cases/<path:ref>/chronology/timeline.png")
def timeline(ref: str) -> Response:
    """The chart as a download: it names the case, so it is stamped "not for
    publication" by the library and never cached."""
    with pages.reading() as db:
        image = chronology.case_timeline(db, pages.user(), ref, "png")
    name = (
        f"{ref.replace('/', '_')}_timeline.png"  # a case reference is letters, digits and . _ - /
    )
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return Response(image, mimetype="image/png", headers=headers)


@bp.route("/cases/<path:ref>/chronology/new", methods=["GET", "POST"])
def new(ref: str) -> Response | tuple[str, int]:
    if request.method == "GET":
        with pages.reading() as db:
            require_case(db, pages.user(), ref)
        return _form(ref, None, dict.fromkeys(FIELDS, ""))
    typed = _typed()
    try:
        with pages.writing() as db:
            added = chronology.add_event(db, pages.user(), ref, typed, command=pages.command())
    except ValidationError as refused:
        return _form(ref, None, typed, refused)
    return _done(ref, f"Added {_described(added)}.")


@bp.route("/cases/<path:ref>/chronology/<int:event_id>/edit", methods=["GET", "POST"])
def edit(ref: str, event_id: int) -> Response | tuple[str, int]:
    if request.method == "GET":
        with pages.reading() as db:
            event = chronology.get_event(db, pages.user(), ref, event_id)
        return _form(ref, event_id, {name: getattr(event, name) or "" for name in FIELDS})
    typed = _typed()
    try:
        with pages.writing() as db:
            changed = chronology.edit_event(
                db, pages.user(), ref, event_id, typed, command=pages.command()
            )
    except ValidationError as refused:
        return _form(ref, event_id, typed, refused)
    return _done(ref, f"Saved {_described(changed)}.")


@bp.route("/cases/<path:ref>/chronology/<int:event_id>/remove", methods=["GET", "POST"])
def remove(ref: str, event_id: int) -> Response | str:
    """A confirmation page (there is no script to ask), then the removal."""
    if request.method == "GET":
        with pages.reading() as db:
            event = chronology.get_event(db, pages.user(), ref, event_id)
        return render_template("chronology/remove.html", ref=ref, event=event, **_vocabularies())
    with pages.writing() as db:
        removed = chronology.remove_event(db, pages.user(), ref, event_id, command=pages.command())
    return _done(ref, f"Removed {_described(removed)}.")


def _vocabularies() -> dict:
    return {"agencies": AGENCY_LABELS, "event_types": EVENT_TYPE_LABELS}


def _typed() -> dict[str, str]:
    return {name: pages.form_text(name) for name in FIELDS}


def _form(
    ref: str, event_id: int | None, values: dict[str, str], refused: ValidationError | None = None
) -> tuple[str, int]:
    """The add or change form, with the library's problems (if any) by field."""
    if refused is not None and not refused.located:
        raise refused
    located = refused.located if refused else []
    problems = [FieldProblem(p.field, p.message[:1].upper() + p.message[1:]) for p in located]
    page = render_template(
        "chronology/form.html",
        ref=ref,
        event_id=event_id,
        values=values,
        problems=problems,
        note_max=NOTE_MAX,
        **_vocabularies(),
    )
    return page, 400 if refused else 200


def _described(event: EventListing) -> str:
    return f"the event of {event.date}: {AGENCY_LABELS[event.agency]}, {EVENT_TYPE_LABELS[event.event_type]}"


def _done(ref: str, message: str) -> Response:
    flash(message)
    return redirect(url_for(".index", ref=ref))

"""The screening form: one case's screening, generated from its own
codebook version, saved as a draft or marked complete (``capture.web_form``
holds what it shows, how a post is read and the optimistic lock)."""

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

from altar.capture import web_form
from altar.db.authorities import authority_names
from altar.errors import ConflictError
from altar.vocab import STRATUM_LABELS
from altar.web import pages

bp = Blueprint("screening", __name__)

_SAVED = {"complete": "Screening saved and complete.", "in_progress": "Draft saved."}


@bp.route("/cases/<path:ref>/screening", methods=["GET", "POST"])
def form(ref: str) -> str | Response | tuple[str, int]:
    if request.method == "GET":
        with pages.reading() as db:
            page = web_form.open_screening(db, pages.user(), ref)
        return _render(page)
    try:
        with pages.writing() as db:
            saved = web_form.save_screening(
                db, pages.user(), ref, request.form.to_dict(flat=False), command=pages.command()
            )
    except (web_form.ScreeningInvalid, web_form.ScreeningConflict) as refused:
        return _render(refused.page), 409 if isinstance(refused, ConflictError) else 400
    flash(_SAVED[saved.status] if saved.changed else "Nothing had changed, so nothing was saved.")
    return redirect(url_for("screening.form", ref=ref))


def _render(page: web_form.ScreeningPage) -> str:
    problems = [pages.Problem(p.message, p.field) for p in page.problems]
    with pages.reading() as db:
        names = {"authority": authority_names(db), "stratum": STRATUM_LABELS}
    return render_template(
        "screening/form.html",
        page=page,
        problems=problems,
        names=names,
        notices=get_flashed_messages(),
        unknown_suffix=web_form.UNKNOWN,
    )

"""The caseload: the cases the signed-in user may see, with each one's
screening status."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from werkzeug.wrappers import Response

from altar.db.cases import list_cases
from altar.web import pages

bp = Blueprint("cases", __name__)


@bp.route("/")
def home() -> Response:
    return redirect(url_for("cases.index"))


@bp.route("/cases")
def index() -> str:
    with pages.reading() as db:
        cases = list_cases(db, pages.user())
    return render_template("cases/index.html", cases=cases)

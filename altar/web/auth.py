"""Signing in and out, and who is signed in on every request.

The session cookie (Flask's, signed; HttpOnly, SameSite=Lax, Secure behind
TLS) holds the user's name, a stamp of their password hash and when they
were last seen. Each request re-reads the user: a disabled user, a changed
password or 30 idle minutes end the session. Failed sign-ins are counted
per user name and per address; after five in a row that name (or twenty
from one address) must wait, a minute at first, doubling to a quarter of
an hour, whatever the password. A signed-in user changes their own
password at /account/password.
"""

from __future__ import annotations

import logging
import threading
import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from altar.db.scope import resolve_user, users_exist
from altar.db.users import change_own_password, password_stamp, sign_in
from altar.errors import AccessDenied, FieldProblem, ValidationError
from altar.passwords import MIN_LENGTH
from altar.web import pages
from altar.web.app import IDLE_MINUTES

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)
PUBLIC = {"auth.sign_in", "static"}


class Throttle:
    """Failed sign-ins per key, in this server process: ``wait(key)`` is how
    many seconds must pass before the next attempt is even checked."""

    def __init__(self, free: int, first_pause: float = 60, longest: float = 900) -> None:
        self.free, self.first_pause, self.longest = free, first_pause, longest
        self._failures: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def wait(self, key: str, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        with self._lock:
            count, last = self._failures.get(key, (0, now))
        if count < self.free:
            return 0.0
        pause = min(self.first_pause * 2 ** (count - self.free), self.longest)
        return max(0.0, last + pause - now)

    def failed(self, key: str, now: float | None = None) -> None:
        with self._lock:
            count, _ = self._failures.get(key, (0, 0.0))
            self._failures[key] = (count + 1, time.monotonic() if now is None else now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


def install(app: Flask) -> None:
    app.extensions["altar_throttles"] = {"name": Throttle(free=5), "address": Throttle(free=20)}
    app.register_blueprint(bp)
    app.before_request(_load_user)


def _load_user() -> Response | None:
    g.user = None
    if request.endpoint in PUBLIC:
        return None
    name = session.get("user")
    if name is None:
        return _to_sign_in()
    if time.time() - session.get("seen", 0) > IDLE_MINUTES * 60:
        return _signed_out(
            f"You were signed out after {IDLE_MINUTES} minutes without activity. Sign in again."
        )
    with pages.reading() as db:
        if password_stamp(db, name) != session.get("stamp"):
            return _signed_out("Your password was changed, so you were signed out. Sign in again.")
        try:
            g.user = resolve_user(db, name)
        except AccessDenied:
            return _signed_out("Your account is disabled. Ask the lead researcher.")
    session["seen"] = time.time()
    return None


def _to_sign_in() -> Response:
    return redirect(
        url_for("auth.sign_in", next=request.full_path if request.method == "GET" else None)
    )


def _signed_out(message: str) -> Response:
    session.clear()
    session["notice"] = message
    return _to_sign_in()


@bp.route("/sign-in", methods=["GET", "POST"], endpoint="sign_in")
def sign_in_page() -> str | Response | tuple[str, int]:
    with pages.reading() as db:
        if not users_exist(db):
            return _page(
                [
                    FieldProblem(
                        None,
                        "No one can sign in yet: an administrator must first add users with "
                        "`altar user add NAME --role admin` on the command line.",
                    )
                ],
                status=503,
            )
    if request.method == "GET":
        return _page([], notice=session.pop("notice", None))
    return _attempt(request.form.get("name", "").strip(), request.form.get("password", ""))


def _attempt(name: str, password: str) -> str | Response | tuple[str, int]:
    problems = [
        FieldProblem(field, text)
        for text, field, value in (
            ("Enter your user name", "name", name),
            ("Enter your password", "password", password),
        )
        if not value
    ]
    if problems:
        return _page(problems, name=name, status=400)
    throttles = current_app.extensions["altar_throttles"]
    keys = {"name": name.casefold(), "address": request.remote_addr or "?"}
    wait = max(throttles[kind].wait(key) for kind, key in keys.items())
    if wait:
        log.warning(
            "sign-in as %r from %s refused: paused after repeated failures",
            name[:60],
            keys["address"],
        )
        minutes = max(1, round(wait / 60))
        return _page(
            [
                FieldProblem(
                    None,
                    f"Too many failed sign-ins for this user name or computer. Wait {minutes} "
                    f"minute{'s' if minutes > 1 else ''} and try again.",
                )
            ],
            name=name,
            status=429,
        )
    try:
        with pages.writing() as db:  # writing: an outdated hash is upgraded
            user = sign_in(db, name, password)
            stamp = password_stamp(db, name)
    except AccessDenied:
        for kind, key in keys.items():
            throttles[kind].failed(key)
        # For the server's log (a council's monitoring): never the password.
        log.warning("failed sign-in as %r from %s", name[:60], keys["address"])
        return _page(
            [FieldProblem("name", "The user name or password is not right")], name=name, status=400
        )
    throttles["name"].succeeded(keys["name"])
    log.info("%s signed in from %s", user.name, keys["address"])
    session.clear()  # a fresh session (and CSRF token) at every sign-in
    session.permanent = True
    session.update(user=user.name, stamp=stamp, seen=time.time())
    return redirect(_safe_next(request.args.get("next")))


def _page(
    problems: list[FieldProblem], *, name: str = "", notice: str | None = None, status: int = 200
) -> tuple[str, int]:
    return render_template("sign_in.html", problems=problems, name=name, notice=notice), status


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another."""
    if not target:
        return url_for("cases.index")
    parts = urlsplit(target)
    # Browsers read "/\\host" as "//host", another site; control characters can hide either.
    unsafe = "\\" in target or not target.isprintable()
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or unsafe
    ):
        return url_for("cases.index")
    return target


@bp.route("/sign-out", methods=["POST"])
def sign_out() -> Response:
    session.clear()
    session["notice"] = "You have signed out."
    return redirect(url_for("auth.sign_in"))


PASSWORD_FIELDS = {
    "current_password": "Enter your current password",
    "new_password": "Enter a new password",
    "confirm_password": "Enter the new password again",
}


@bp.route("/account/password", methods=["GET", "POST"])
def change_password() -> str | Response | tuple[str, int]:
    """A signed-in user's own new password. A wrong current password counts
    as a failed sign-in (so a session left open is no way to guess it); the
    new one ends every other session, and this one carries on."""
    if request.method == "GET":
        return _password_page([])
    name, form = pages.user().name, {k: request.form.get(k, "") for k in PASSWORD_FIELDS}
    if name is None:  # cannot be: _load_user signs every web user in by name
        return _to_sign_in()
    missing = [
        FieldProblem(field, text) for field, text in PASSWORD_FIELDS.items() if not form[field]
    ]
    if missing:
        return _password_page(missing, status=400)
    throttle = current_app.extensions["altar_throttles"]["name"]
    if throttle.wait(name.casefold()):
        return _password_page(
            [FieldProblem(None, "Too many wrong passwords: wait a few minutes and try again")],
            status=429,
        )
    try:
        with pages.writing() as db:
            change_own_password(
                db,
                pages.user(),
                form["current_password"],
                form["new_password"],
                form["confirm_password"],
                command=pages.command(),
            )
            stamp = password_stamp(db, name)
    except AccessDenied:
        throttle.failed(name.casefold())
        log.warning(
            "wrong current password from %s changing %r's password", request.remote_addr, name[:60]
        )
        return _password_page(
            [FieldProblem("current_password", "Your current password is not right")], status=400
        )
    except ValidationError as exc:
        problems = [FieldProblem(p.field, pages.web_message(p.message)) for p in exc.located]
        return _password_page(problems, status=400)
    session["stamp"] = stamp  # this session goes on; every other one ends at its next request
    flash(
        "Your password has been changed. Anywhere else you were signed in, you have been signed out."
    )
    return redirect(url_for("auth.change_password"))


def _password_page(problems: list[FieldProblem], *, status: int = 200) -> tuple[str, int]:
    return render_template(
        "account/password.html",
        problems=problems,
        min_length=MIN_LENGTH,
        notices=get_flashed_messages(),
    ), status

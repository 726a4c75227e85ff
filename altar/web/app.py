"""The Flask application and the server that runs it."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from flask import Flask, Response, g, render_template
from flask_wtf.csrf import CSRFError, CSRFProtect
from jinja2 import StrictUndefined
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from altar.db import Database
from altar.db.models import Meta
from altar.errors import AccessDenied, AltarError, DatabaseError, NotFoundError
from altar.resources import templates_dir
from altar.vocab import STATUS_LABELS
from altar.web.pages import web_message

# A story of ten long sections is well under this; anything bigger is refused
# (413) before it is read.
MAX_BODY = 1024 * 1024
IDLE_MINUTES = 30

# Pages hold data about children: nothing from elsewhere, no framing, and no
# copy left in a shared laptop's browser cache.
_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def create_app(
    database: Database,
    *,
    secret_key: str | None = None,
    secure_cookies: bool = False,
    proxies: int = 0,
    baseline_dirs: Sequence[Path] = (),
    region: str | None = None,
) -> Flask:
    """The web application on ``database``.

    ``secret_key`` signs session cookies; by default one is made on first
    use and kept in the database, so every server process on one store
    (and a restart) accepts the same cookies. ``secure_cookies``: send the
    cookie over HTTPS only (behind a TLS proxy). ``proxies``: how many
    reverse proxies to trust for the client address and scheme.
    ``baseline_dirs`` and ``region`` are the reports download's, as
    ``altar report``'s --baseline-dir and --region (None: the default region).
    """
    folder = templates_dir() / "web"
    app = Flask(__name__, template_folder=str(folder), static_folder=str(folder / "static"))
    app.config.update(
        SECRET_KEY=secret_key or _stored_secret(database),
        MAX_CONTENT_LENGTH=MAX_BODY,
        MAX_FORM_MEMORY_SIZE=MAX_BODY,
        SESSION_COOKIE_NAME="altar_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the signed-in session
        ALTAR_BASELINE_DIRS=tuple(baseline_dirs),
        ALTAR_REGION=region,
    )
    app.extensions["altar_database"] = database
    app.jinja_env.undefined = StrictUndefined
    if proxies:
        # Flask's documented way to put middleware around the app; mypy sees a method replaced.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    CSRFProtect(app)
    _register(app)
    return app


def _register(app: Flask) -> None:
    from altar.web import auth, pages, views

    app.context_processor(lambda: {"user": g.get("user")})
    app.add_template_filter(pages.by_field)
    # Macros see globals, not a page's context: the status tag's labels are the vocabulary's.
    app.jinja_env.globals["status_labels"] = STATUS_LABELS
    auth.install(app)
    views.install(app)
    app.after_request(_secure_headers)
    app.register_error_handler(
        NotFoundError, lambda e: _error_page(404, "Page not found", web_message(str(e)))
    )
    app.register_error_handler(
        AccessDenied, lambda e: _error_page(403, "You cannot do that", web_message(str(e)))
    )
    app.register_error_handler(
        CSRFError,
        lambda e: _error_page(
            400,
            "The form had expired",
            "The page was open too long or you signed out meanwhile: go back, "
            "reload the page and send it again. Nothing was saved.",
        ),
    )
    app.register_error_handler(
        DatabaseError,
        lambda e: _error_page(503, "The database is not available", web_message(str(e))),
    )
    app.register_error_handler(
        AltarError, lambda e: _error_page(400, "That could not be done", web_message(str(e)))
    )
    app.register_error_handler(HTTPException, _http_error)


def _secure_headers(response: Response) -> Response:
    for name, value in _HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _http_error(error: HTTPException) -> tuple[str, int]:
    messages = {
        404: ("Page not found", "If you typed the web address, check it is correct."),
        405: ("That page cannot be used like that", "Go back and use the page's own buttons."),
        413: (
            "What you sent is too big",
            f"A form may hold at most {MAX_BODY // 1024} KB. Nothing was saved.",
        ),
        # An error of altar's own: the page's transaction was rolled back, and waitress logs the traceback.
        500: (
            "Something went wrong",
            "The page could not be shown and nothing was saved. Try again; if it "
            "happens again, tell your administrator the time it happened.",
        ),
    }
    title, text = messages.get(error.code or 500, (error.name, error.description or ""))
    return _error_page(error.code or 500, title, text)


def _error_page(status: int, title: str, message: str) -> tuple[str, int]:
    return render_template("error.html", title=title, message=message, status=status), status


def _stored_secret(database: Database) -> str:
    with database.transaction() as session:
        row = session.get(Meta, "web_secret_key")
        if row is None:
            row = Meta(key="web_secret_key", value=secrets.token_hex(32))
            session.add(row)
        return row.value


def serve(app: Flask, host: str, port: int, *, threads: int = 8) -> None:
    """Run ``app`` under waitress (a production WSGI server) until stopped."""
    import logging

    from waitress import serve as waitress_serve

    # Sign-ins and refusals (altar.web.auth) and waitress's own messages, on stderr.
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    waitress_serve(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="altar",
        clear_untrusted_proxy_headers=True,
    )

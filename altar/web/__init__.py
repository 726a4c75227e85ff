"""The web front end, ``altar serve``: the same library the CLI calls,
behind sign-in, for practitioners who will never open a terminal.

- ``app``: ``create_app(database)``, the Flask application (security
  headers, error pages, CSRF, session cookie settings) and ``serve()``
  (waitress, the production WSGI server).
- ``auth``: sign-in and sign-out, the signed-in user on every request,
  and the pause after repeated failed sign-ins.
- ``pages``: what every view uses: ``reading()`` (a read session) and
  ``writing()`` (one transaction, the page's unit of work), ``user()``,
  ``command()``, and ``by_field`` for the error summary.
- ``views/``: one blueprint per page family (cases, screening, stories,
  chronology, lead, pen_pictures).

Views only read the request, call the library and render a template in
``templates/web/``; access rules, validation and audit are the library's.
"""

from altar.web.app import create_app, serve

__all__ = ["create_app", "serve"]

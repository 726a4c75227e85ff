"""One blueprint per page family; ``install`` registers them all."""

from flask import Flask

from altar.web.views import cases, chronology, lead, pen_pictures, screening, stories

BLUEPRINTS = (cases.bp, screening.bp, stories.bp, chronology.bp, lead.bp, pen_pictures.bp)


def install(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)

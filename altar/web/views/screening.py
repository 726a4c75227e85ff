"""The screening pages."""

from flask import Blueprint

bp = Blueprint("screening", __name__)

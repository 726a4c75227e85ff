"""The stories pages."""

from flask import Blueprint

bp = Blueprint("stories", __name__)

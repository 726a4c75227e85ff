"""The lead pages."""

from flask import Blueprint

bp = Blueprint("lead", __name__)

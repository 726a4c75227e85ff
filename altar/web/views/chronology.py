"""The chronology pages."""

from flask import Blueprint

bp = Blueprint("chronology", __name__)

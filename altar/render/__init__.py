"""Presenting results: plain-text tables for the terminal (and, later, HTML
and PDF reports from the Jinja templates)."""

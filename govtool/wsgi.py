"""WSGI entry point for gunicorn: `gunicorn govtool.wsgi:app`."""

from . import create_app

app = create_app()

"""WSGI entry point for gunicorn: `gunicorn govtool.wsgi:app`."""

import gc

from . import create_app

app = create_app()

# Move everything loaded at start-up (modules, templates, catalogues) out of the collector's reach:
# full collections then scan only request garbage, which removed 100 ms p95 spikes on large pages
# (bench/README.md), and forked workers share these pages instead of copying them.
gc.freeze()

#!/bin/sh
# Quick start: set up, migrate the embedded SQLite database in instance/, and serve the app
# with gunicorn at http://127.0.0.1:5000 (the first start prints the admin password once,
# unless ADMIN_PASSWORD is set).
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh
.venv/bin/flask --app app init-db
exec .venv/bin/gunicorn --config gunicorn.conf.py app:app

#!/bin/sh
# Quick start: set up, migrate the embedded SQLite database in instance/, and serve the app
# with gunicorn at http://127.0.0.1:5000 (the first start prints the admin password once,
# unless ADMIN_PASSWORD is set).
#
# Without a broker (CELERY_BROKER_URL unset) a loop beside gunicorn keeps tokens fresh and
# delivers webhooks: one `flask refresh-due` pass every REFRESH_INTERVAL_SECONDS (default
# 60). With a broker, run Celery's worker and beat instead (README, "Background refresh").
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh
.venv/bin/flask --app app init-db
if [ -z "${CELERY_BROKER_URL:-}" ]; then
    (
        while true; do
            .venv/bin/flask --app app refresh-due || true
            sleep "${REFRESH_INTERVAL_SECONDS:-60}"
        done
    ) &
    loop=$!
    trap 'kill "$loop" 2>/dev/null || true' EXIT INT TERM
    .venv/bin/gunicorn --config gunicorn.conf.py app:app
else
    exec .venv/bin/gunicorn --config gunicorn.conf.py app:app
fi

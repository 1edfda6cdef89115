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
if [ -n "${CELERY_BROKER_URL:-}" ]; then
    exec .venv/bin/gunicorn --config gunicorn.conf.py app:app
fi
# gunicorn runs as a child here: a stop signal is handed on to it (graceful stop), then the
# loop and its current pass are stopped.
.venv/bin/gunicorn --config gunicorn.conf.py app:app &
server=$!
(
    child=
    trap 'kill "$child" 2>/dev/null; exit 0' TERM
    while :; do
        .venv/bin/flask --app app refresh-due &
        child=$!
        wait "$child" || true
        sleep "${REFRESH_INTERVAL_SECONDS:-60}" &
        child=$!
        wait "$child" || true
    done
) &
loop=$!
trap 'kill -TERM "$server" 2>/dev/null || true' INT TERM
status=0
wait "$server" || status=$?
while kill -0 "$server" 2>/dev/null; do  # a trapped signal ends the first wait early
    wait "$server" || status=$?
done
kill -TERM "$loop" 2>/dev/null || true
wait "$loop" 2>/dev/null || true
exit "$status"

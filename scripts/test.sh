#!/bin/sh
# Quick start: set up, then run the whole test suite (SQLite always; PostgreSQL when
# TEST_DATABASE_URL is set; browser tests with Debian's chromium). Arguments go to pytest.
set -eu
cd "$(dirname "$0")/.."
WITH_BROWSER=1 sh scripts/setup.sh
exec .venv/bin/python -m pytest "$@"

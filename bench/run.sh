#!/bin/sh
# The benchmark's one command (see bench/__main__.py and the README): sh bench/run.sh [--duration S]
# Sets up what it needs first: the virtual environment and Debian's wrk.
set -eu
cd "$(dirname "$0")/.."
WITH_BENCH=1 sh scripts/setup.sh
exec .venv/bin/python -m bench "$@"

#!/bin/sh
# The benchmark's one command (see bench/__main__.py and the README): sh bench/run.sh [--duration S]
set -eu
cd "$(dirname "$0")/.."
exec .venv/bin/python -m bench "$@"

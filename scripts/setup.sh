#!/bin/sh
# Prepare a fresh machine for this project: a virtual environment with the pinned packages
# and, for the browser tests, Debian's chromium. Safe to run again; it skips what is done.
set -eu
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -r requirements.txt
    echo "$want" > "$stamp"
fi

# Debian packages the tests need: chromium (browser tests, WITH_BROWSER=1, set by
# scripts/test.sh) and wrk (benchmark, WITH_BENCH=1). Installed when missing and we are root;
# otherwise those tests skip locally and say why (in CI they fail).
missing=""
if [ "${WITH_BROWSER:-0}" = 1 ]; then command -v chromium >/dev/null 2>&1 || missing="$missing chromium"; fi
if [ "${WITH_BENCH:-0}" = 1 ]; then command -v wrk >/dev/null 2>&1 || missing="$missing wrk"; fi
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
    else
        echo "note: not root; cannot install$missing (tests needing it will skip)" >&2
    fi
fi

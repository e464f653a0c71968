#!/usr/bin/env bash
# Set up (or bring up to date) a local copy: virtual environment, packages, .env, database,
# static files. Safe to run again: each step is skipped or quick when nothing changed.
# Usage: scripts/setup.sh [dev]   ("dev" also installs the test and tool packages)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %d.%d)" % sys.version_info[:2])'

if [ ! -x .venv/bin/python ]; then
  echo "==> Creating the virtual environment in .venv"
  "$PYTHON" -m venv .venv
fi

reqs=requirements.txt
[ "${1:-}" = "dev" ] && reqs=requirements-dev.txt
stamp=".venv/.installed-$(cat requirements.txt "$reqs" | sha256sum | cut -c1-16)-$(basename "$reqs")"
if [ ! -f "$stamp" ]; then
  echo "==> Installing packages from $reqs"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r "$reqs"
  touch "$stamp"
fi

if [ ! -f .env ]; then
  echo "==> Writing .env for local development (DEBUG on, a random SECRET_KEY)"
  key=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')
  printf 'DJANGO_DEBUG=true\nSECRET_KEY=%s\n' "$key" > .env
fi

mkdir -p data
echo "==> Applying database migrations, then loading the education content"
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py load_education_content --verbosity 0
echo "==> Collecting static files"
.venv/bin/python manage.py collectstatic --noinput --verbosity 0

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

if [ "${1:-}" = "dev" ]; then
  # NLM's LHC-Forms, for tests/browser/test_lforms.py only (it renders our FHIR Questionnaire):
  # installed under tests/browser/, away from the static files, so it is never served to patients.
  vendor=tests/browser/lforms_vendor
  npm_stamp="$vendor/node_modules/.installed-$(cat "$vendor/package.json" "$vendor/package-lock.json" "$vendor/.npmrc" | sha256sum | cut -c1-16)"
  if [ ! -f "$npm_stamp" ]; then
    if command -v npm >/dev/null 2>&1; then
      echo "==> Installing LHC-Forms for the FHIR browser test (npm ci --prefix $vendor)"
      npm ci --prefix "$vendor" --ignore-scripts --no-audit --no-fund --loglevel=error
      touch "$npm_stamp"
    elif [ -n "${CI:-}" ]; then
      echo "npm is needed for tests/browser/test_lforms.py (Debian: apt-get install nodejs npm)" >&2
      exit 1
    else
      echo "==> npm not found: tests/browser/test_lforms.py will be skipped (install Node.js and npm)"
    fi
  fi
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

"""Running the project in a subprocess under production settings, for startup and deploy checks.

A fresh process is the only way to see what settings do at import time (the refusal to start,
ADMIN_URL, the deploy checks), so these tests never reuse the test run's settings.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def production_env(**overrides: str | None) -> dict[str, str]:
    """The environment of a production server (DEBUG off, a real key); None removes a variable."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "ENV_FILE": "/nonexistent",
        "DJANGO_SETTINGS_MODULE": "atrophy_site.settings",
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "clinic.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://clinic.example.org",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def run_python(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run `python <args>` in the project folder with `env` and capture its output."""
    return subprocess.run(  # noqa: S603
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

"""Two servers deploying at once: their `migrate` runs one after the other, both succeed."""

import os
import subprocess
import sys
import uuid

import pytest
from django.db import connection

from tests.production import BASE_DIR, production_env

pytestmark = pytest.mark.django_db(transaction=True)  # CREATE DATABASE needs autocommit


def test_two_migrates_at_once_on_one_postgresql_database_both_succeed():
    if connection.vendor != "postgresql":
        pytest.skip("the lock is PostgreSQL's; SQLite is one machine")
    settings = connection.settings_dict
    name = f"atrophy_migrate_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        url = (
            f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
            f"{settings['PORT'] or 5432}/{name}"
        )
        env = production_env(DATABASE_URL=url, PATH=os.environ.get("PATH", ""))
        runs = [
            subprocess.Popen(  # noqa: S603
                [sys.executable, "manage.py", "migrate", "--noinput"],
                cwd=BASE_DIR,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [run.communicate(timeout=300)[0] for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs
        # One applied the migrations, the other found them applied.
        assert sum("No migrations to apply." in output for output in outputs) == 1, outputs
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_migrate_creates_the_cache_table_when_the_cache_is_the_database(tmp_path):
    env = production_env(DATA_DIR=str(tmp_path), PATH=os.environ.get("PATH", ""))
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    check = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.core.cache import cache; "
            "cache.set('k', 'shared'); print(cache.get('k'))",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.stdout.strip().splitlines()[-1] == "shared", check.stderr

"""`migrate`, one server at a time: Django's own command inside a PostgreSQL advisory lock.

Deploying to several servers at once, each running `migrate`, made two processes apply the same
migrations together: duplicate types, deadlocks, data migrations recorded twice (issue 14). On
PostgreSQL this command first takes a session-level advisory lock, so a second `migrate` waits
for the first to finish and then finds nothing left to do. On SQLite (one machine) it is
Django's command unchanged.

After migrating it also creates the cache table when the cache is the database's (production
without Redis, see settings): `createcachetable`, which leaves an existing table alone.
"""

from django.core.management import call_command
from django.core.management.commands import migrate
from django.db import connections

#: The advisory lock's key: any fixed number no other code of ours uses ("ATRO" in ASCII).
MIGRATE_LOCK_KEY = 0x4154524F


class Command(migrate.Command):
    help = f"{migrate.Command.help} On PostgreSQL, one process at a time (an advisory lock)."

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            return self._migrate(*args, **options)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK_KEY])
        try:
            return self._migrate(*args, **options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATE_LOCK_KEY])

    def _migrate(self, *args, **options):
        result = super().handle(*args, **options)
        if not options["plan"] and not options["check_unapplied"]:
            call_command(
                "createcachetable", database=options["database"], verbosity=options["verbosity"]
            )
        return result

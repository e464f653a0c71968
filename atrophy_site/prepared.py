"""One row by its key, with the SELECT compiled once per database connection.

Django compiles a query's SQL from its expression tree on every execution. For a model of many
columns read on every request (a patient's form: 76 columns, loaded by each page of the form)
the compiling costs several times what the database does: in the load test it was about a tenth
of the app servers' CPU. `PreparedGet` asks Django's own compiler for the SQL, the columns and
their converters once per connection, then on each call runs that SQL with the new key and
builds the instance with `Model.from_db`, as `QuerySet.get()` does: the same columns, the same
conversions (dates, JSON, booleans), the same signals, the same query log and execute wrappers,
since the cursor is the connection's own.

Kept per connection object (not per process): a converter may be bound to its connection, and
the SQL differs between SQLite and PostgreSQL (and with FOR UPDATE). A model change after start
(a migration adds a column) takes a restart of the server, as the model classes do anyway.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Model
from django.db.transaction import TransactionManagementError

#: A placeholder the compiled SQL's only parameter is checked against.
_PLACEHOLDER = -987654321


@dataclass(frozen=True)
class _Compiled:
    sql: str
    attnames: list[str]
    converters: list[tuple[int, list, object]]


class PreparedGet:
    """`PreparedGet(Model, "key field")(value)`: the instance whose field equals value, or None."""

    def __init__(self, model: type[Model], field: str = "pk"):
        self.model = model
        self.field = field
        self._key_field = model._meta.pk if field == "pk" else model._meta.get_field(field)
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def __call__(self, value, *, for_update: bool = False) -> Model | None:
        alias = (router.db_for_write if for_update else router.db_for_read)(self.model)
        connection = connections[alias]
        if for_update and connection.get_autocommit():
            # What QuerySet.select_for_update() says outside a transaction, said here too.
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        compiled = self._for(connection, alias, for_update)
        # As the lookup prepares it: a key given as text is read as a number, a wrong one raises.
        value = self._key_field.get_db_prep_value(
            self._key_field.get_prep_value(value), connection, prepared=True
        )
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, [value])
            row = cursor.fetchone()
        if row is None:
            return None
        values = list(row)
        for position, functions, expression in compiled.converters:
            converted = values[position]
            for function in functions:
                converted = function(converted, expression, connection)
            values[position] = converted
        return self.model.from_db(alias, compiled.attnames, values)

    def _for(self, connection, alias: str, for_update: bool) -> _Compiled:
        by_kind = self._compiled.get(connection)
        if by_kind is None:
            by_kind = self._compiled[connection] = {}
        compiled = by_kind.get(for_update)
        if compiled is None:
            compiled = by_kind[for_update] = self._compile(connection, alias, for_update)
        return compiled

    def _compile(self, connection, alias: str, for_update: bool) -> _Compiled:
        queryset = self.model._default_manager.using(alias).filter(**{self.field: _PLACEHOLDER})
        if for_update:
            queryset = queryset.select_for_update()
        query = queryset.query
        query.clear_ordering(force=True)
        compiler = query.get_compiler(using=alias, connection=connection)
        sql, params = compiler.as_sql()
        if len(params) != 1 or str(params[0]) != str(_PLACEHOLDER):
            raise ValueError(f"{self.model.__name__}.{self.field}: not a plain key lookup")
        klass_info = compiler.klass_info
        first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        if (first, last) != (0, len(compiler.select)):
            raise ValueError(f"{self.model.__name__}: the SELECT holds more than its columns")
        columns = [column for column, _sql, _alias in compiler.select]
        converters = [
            (position, functions, expression)
            for position, (functions, expression) in compiler.get_converters(columns).items()
        ]
        return _Compiled(
            sql=sql,
            attnames=[column.target.attname for column in columns],
            converters=converters,
        )

"""One row by its key, or the rows that belong to one key, with the SELECT compiled once per
database connection.

Django compiles a query's SQL from its expression tree on every execution. For a model of many
columns read on every request (a patient's form: 76 columns, loaded by each page of the form)
the compiling costs several times what the database does: in the load test it was about a tenth
of the app servers' CPU. `PreparedGet` asks Django's own compiler for the SQL, the columns and
their converters once per connection, then on each call runs that SQL with the new key and
builds the instance with `Model.from_db`, as `QuerySet.get()` does: the same columns, the same
conversions (dates, JSON, booleans), the same signals, the same query log and execute wrappers,
since the cursor is the connection's own. `PreparedValues` does the same for `.values()` of the
rows that refer to one key (a form's medicines, in their order): the same dictionaries, in the
same order, as the queryset gives. `PreparedUpdates`, a model's base class, does it for the
UPDATE that `Model.save()` runs (the answers of each page of the form are saved that way).

Kept per connection object (not per process): a converter may be bound to its connection, and
the SQL differs between SQLite and PostgreSQL (and with FOR UPDATE). A model change after start
(a migration adds a column) takes a restart of the server, as the model classes do anyway.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from django.db import connections, models, router, transaction
from django.db.models import Model
from django.db.transaction import TransactionManagementError

#: A placeholder the compiled SQL's only parameter is checked against.
_PLACEHOLDER = -987654321


def _prepared_key(field, value, connection):
    """A key as its lookup prepares it: given as text, read as a number; a wrong one raises."""
    return field.get_db_prep_value(field.get_prep_value(value), connection, prepared=True)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    attnames: list[str]
    converters: list[tuple[int, list, object]]


class _PerConnection:
    """SQL compiled from a queryset with one parameter, kept per connection and kind."""

    def __init__(self, model: type[Model], field: str):
        self.model = model
        self.field = field
        self._key_field = model._meta.pk if field == "pk" else model._meta.get_field(field)
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _for(self, connection, alias: str, kind) -> _Compiled:
        by_kind = self._compiled.get(connection)
        if by_kind is None:
            by_kind = self._compiled[connection] = {}
        compiled = by_kind.get(kind)
        if compiled is None:
            compiled = by_kind[kind] = self._compile(connection, alias, kind)
        return compiled

    def _compile(self, connection, alias: str, kind) -> _Compiled:
        raise NotImplementedError

    def _key(self, value, connection):
        return _prepared_key(self._key_field, value, connection)

    def _sql(self, compiler) -> str:
        sql, params = compiler.as_sql()
        if len(params) != 1 or str(params[0]) != str(_PLACEHOLDER):
            raise ValueError(f"{self.model.__name__}.{self.field}: not a plain key lookup")
        return sql

    @staticmethod
    def _converted(row, compiled: _Compiled, connection) -> list:
        values = list(row)
        for position, functions, expression in compiled.converters:
            converted = values[position]
            for function in functions:
                converted = function(converted, expression, connection)
            values[position] = converted
        return values

    @staticmethod
    def _converters(compiler, columns) -> list[tuple[int, list, object]]:
        return [
            (position, functions, expression)
            for position, (functions, expression) in compiler.get_converters(columns).items()
        ]


class PreparedGet(_PerConnection):
    """`PreparedGet(Model, "key field")(value)`: the instance whose field equals value, or None."""

    def __init__(self, model: type[Model], field: str = "pk"):
        super().__init__(model, field)

    def __call__(self, value, *, for_update: bool = False) -> Model | None:
        alias = (router.db_for_write if for_update else router.db_for_read)(self.model)
        connection = connections[alias]
        if for_update and connection.get_autocommit():
            # What QuerySet.select_for_update() says outside a transaction, said here too.
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        compiled = self._for(connection, alias, for_update)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, [self._key(value, connection)])
            row = cursor.fetchone()
        if row is None:
            return None
        values = self._converted(row, compiled, connection)
        return self.model.from_db(alias, compiled.attnames, values)

    def _compile(self, connection, alias: str, for_update: bool) -> _Compiled:
        queryset = self.model._default_manager.using(alias).filter(**{self.field: _PLACEHOLDER})
        if for_update:
            queryset = queryset.select_for_update()
        query = queryset.query
        query.clear_ordering(force=True)
        compiler = query.get_compiler(using=alias, connection=connection)
        sql = self._sql(compiler)
        klass_info = compiler.klass_info
        first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        if (first, last) != (0, len(compiler.select)):
            raise ValueError(f"{self.model.__name__}: the SELECT holds more than its columns")
        columns = [column for column, _sql, _alias in compiler.select]
        return _Compiled(
            sql=sql,
            attnames=[column.target.attname for column in columns],
            converters=self._converters(compiler, columns),
        )


class PreparedValues(_PerConnection):
    """`PreparedValues(Row, "submission", ("name", "dose"))(key)`: what
    `Row.objects.filter(submission=key).values("name", "dose")` gives, in the model's default
    order: a list of dictionaries."""

    def __init__(self, model: type[Model], field: str, names: tuple[str, ...]):
        super().__init__(model, field)
        self.names = tuple(names)
        # The key is the field the rows refer to the form by: a foreign key's own column.
        if self._key_field.is_relation:
            self._key_field = self._key_field.target_field

    def __call__(self, value) -> list[dict]:
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        compiled = self._for(connection, alias, "values")
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, [self._key(value, connection)])
            rows = cursor.fetchall()
        names = compiled.attnames
        return [
            dict(zip(names, self._converted(row, compiled, connection), strict=True))
            for row in rows
        ]

    def _compile(self, connection, alias: str, kind) -> _Compiled:
        queryset = (
            self.model._default_manager.using(alias)
            .filter(**{self.field: _PLACEHOLDER})
            .values(*self.names)
        )
        query = queryset.query
        compiler = query.get_compiler(using=alias, connection=connection)
        sql = self._sql(compiler)
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        if names != list(self.names) or compiler.col_count != len(names):
            raise ValueError(f"{self.model.__name__}: the SELECT is not the columns asked for")
        columns = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
        return _Compiled(sql=sql, attnames=names, converters=self._converters(compiler, columns))


#: UPDATE statements by connection, then by model and the columns set, in their order.
_UPDATES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class PreparedUpdates(models.Model):
    """A model base class: `save()` of an existing row runs its UPDATE with SQL written once per
    connection and set of columns, not compiled from a query each time.

    Only `Model._do_update`, the step that runs the UPDATE, changes; everything around it is
    Django's (`pre_save` of each field, signals, `update_fields`, the INSERT of a new row). Values
    are prepared for the database as Django's UPDATE compiler prepares them
    (`Field.get_db_prep_save`), the key as its lookup prepares it. A value that is an expression
    (`F("x") + 1`), a field with its own placeholder, a model with `select_on_save`, or a base
    manager that filters rows: Django's own UPDATE, unchanged.
    """

    class Meta:
        abstract = True

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        if (
            not values
            or self._meta.select_on_save
            or base_qs.query.has_filters()
            or any(
                hasattr(value, "resolve_expression")
                or hasattr(value, "prepare_database_save")
                or hasattr(field, "get_placeholder")
                for field, _model, value in values
            )
        ):
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        # The table of the model being saved (a parent's, when Django saves a child's parents).
        return update_row(
            base_qs.model, using, pk_val, [(field, value) for field, _model, value in values]
        )


def update_row(model: type[Model], using: str, key, values: list[tuple]) -> bool:
    """`UPDATE <model's table> SET <field> = <value>, ... WHERE <key column> = key`, with the SQL
    written once per connection, model and fields: True if a row was updated.

    `values` are (field, value) pairs of plain values (no expressions), prepared for the database
    here as Django's UPDATE compiler prepares them."""
    connection = connections[using]
    fields = tuple(field for field, _value in values)
    sql = _update_sql(connection, model, fields)
    pk = model._meta.pk
    params = [
        *(field.get_db_prep_save(value, connection) for field, value in values),
        _prepared_key(pk, key, connection),
    ]
    # As QuerySet._update runs it: an error inside atomic() marks the block for rollback.
    with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount > 0


def _update_sql(connection, model: type[Model], fields: tuple) -> str:
    by_columns = _UPDATES.get(connection)
    if by_columns is None:
        by_columns = _UPDATES[connection] = {}
    key = (model, tuple(field.attname for field in fields))
    sql = by_columns.get(key)
    if sql is None:
        # Only the model's own table and column names, quoted as Django quotes them; the
        # values go as parameters. (format(), not an f-string: bandit reads its nosec on an
        # f-string twice and warns.)
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        columns = ", ".join(f"{quote(field.column)} = %s" for field in fields)
        where = f"{table}.{quote(model._meta.pk.column)} = %s"
        sql = "UPDATE {} SET {} WHERE {}".format(table, columns, where)  # nosec B608 # noqa: S608, UP032
        by_columns[key] = sql
    return sql

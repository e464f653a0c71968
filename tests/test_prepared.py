"""One row by its key with the SELECT compiled once (atrophy_site/prepared.py), and the sessions
read that way (atrophy_site/sessions.py): the same instance the ORM gives, one query, no
compiling after the first, and an expired session is no session."""

import threading
from datetime import date, timedelta

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.core.exceptions import FieldError
from django.db import DatabaseError, connections, models, transaction
from django.db.models import F
from django.db.models.sql.compiler import SQLCompiler, SQLUpdateCompiler
from django.db.transaction import TransactionManagementError
from django.test import Client
from django.utils import timezone

from atrophy_site.prepared import PreparedGet, PreparedValues
from atrophy_site.sessions import SessionStore
from intake import pages
from intake.models import Injury, IntakeSubmission, Medicine, TestDone
from intake.tests.factories import IntakeSubmissionFactory, MedicineFactory
from intake.tokens import resume_link_for

pytestmark = pytest.mark.django_db


def field_values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


def test_a_prepared_get_gives_what_the_orm_gives_column_for_column():
    submission = IntakeSubmissionFactory(sent=True)
    load = PreparedGet(IntakeSubmission)

    prepared = load(submission.pk)
    orm = IntakeSubmission.objects.get(pk=submission.pk)

    assert field_values(prepared) == field_values(orm)
    # JSON, dates and aware datetimes come back converted, not as the database's text.
    assert isinstance(prepared.steps_completed, list)
    assert prepared.sent_at == orm.sent_at and prepared.sent_at.tzinfo is not None
    assert prepared._state.adding is False
    assert prepared._state.db == "default"


def test_a_prepared_get_runs_one_query_and_compiles_only_the_first_time(
    monkeypatch, django_assert_num_queries
):
    first, second = IntakeSubmissionFactory(), IntakeSubmissionFactory()
    load = PreparedGet(IntakeSubmission)
    compiled = []
    original = SQLCompiler.as_sql
    monkeypatch.setattr(
        SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(1) or original(self, *a, **k)
    )

    with django_assert_num_queries(1):
        assert load(first.pk).pk == first.pk
    with django_assert_num_queries(1):
        assert load(second.pk).full_name == second.full_name

    assert len(compiled) == 1


def test_a_prepared_get_of_a_missing_key_is_none():
    assert PreparedGet(IntakeSubmission)(987654) is None


def test_a_prepared_get_reads_a_key_given_as_text_and_refuses_a_wrong_one():
    submission = IntakeSubmissionFactory()
    load = PreparedGet(IntakeSubmission)

    assert load(str(submission.pk)).pk == submission.pk
    with pytest.raises(ValueError):
        load("not a number")


@pytest.mark.django_db(transaction=True)
def test_a_prepared_get_for_update_needs_a_transaction_as_the_orm_does():
    submission = IntakeSubmissionFactory()
    load = PreparedGet(IntakeSubmission)

    with pytest.raises(TransactionManagementError):
        load(submission.pk, for_update=True)
    with transaction.atomic():
        assert load(submission.pk, for_update=True).pk == submission.pk


@pytest.mark.django_db(transaction=True)
def test_a_prepared_get_works_on_each_threads_own_connection():
    submission = IntakeSubmissionFactory()
    load = PreparedGet(IntakeSubmission)
    assert load(submission.pk).pk == submission.pk  # compiled for this thread's connection
    seen = {}

    def other_thread():
        own = connections["default"]
        try:
            seen["name"] = load(submission.pk).full_name
            seen["connection"] = own
        finally:
            own.close()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()

    assert seen["name"] == submission.full_name
    assert seen["connection"] is not connections["default"]
    assert len(load._compiled) == 2  # one compiled SELECT per connection


@pytest.mark.parametrize("step_page", [pages.MedicinesPage, pages.InjuriesPage, pages.TestsPage])
def test_prepared_rows_give_what_the_orm_gives_in_the_same_order(step_page):
    submission = IntakeSubmissionFactory()  # two of each row, dates and choices among them
    model = step_page.saved_rows.model
    # Positions out of the order they were made in: the model's own order must win.
    rows = list(model.objects.filter(submission=submission))
    for position, row in zip(range(len(rows), 0, -1), rows, strict=True):
        model.objects.filter(pk=row.pk).update(position=position)
    names = step_page.saved_rows.names
    other = IntakeSubmissionFactory()  # another form's rows are not this form's

    prepared = step_page.saved_rows(submission.pk)
    orm = list(model.objects.filter(submission=submission).values(*names))

    assert prepared == orm
    assert len(prepared) >= 2
    # In the order of their positions (reversed above), not the order they were saved in.
    assert prepared == [
        model.objects.filter(pk=row.pk).values(*names).get() for row in reversed(rows)
    ]
    assert step_page.saved_rows(other.pk) == list(
        model.objects.filter(submission=other).values(*names)
    )


def test_prepared_rows_convert_what_the_database_gives_as_the_orm_does():
    submission = IntakeSubmissionFactory(medicines=[])
    MedicineFactory(
        submission=submission, name="Prednisolone", started=date(2024, 3, 1), position=0
    )
    read = PreparedValues(Medicine, "submission", ("name", "started", "position"))

    (row,) = read(submission.pk)

    assert row == {"name": "Prednisolone", "started": date(2024, 3, 1), "position": 0}
    assert read(str(submission.pk)) == [row]  # a key given as text, as the lookup reads it


def test_prepared_rows_of_a_form_without_rows_are_an_empty_list():
    submission = IntakeSubmissionFactory(medicines=[])

    assert PreparedValues(Medicine, "submission", ("name",))(submission.pk) == []


def test_prepared_rows_run_one_query_and_compile_only_the_first_time(
    monkeypatch, django_assert_num_queries
):
    first, second = IntakeSubmissionFactory(), IntakeSubmissionFactory()
    read = PreparedValues(Injury, "submission", ("body_part",))
    compiled = []
    original = SQLCompiler.as_sql
    monkeypatch.setattr(
        SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(1) or original(self, *a, **k)
    )

    with django_assert_num_queries(1):
        assert len(read(first.pk)) == 2
    with django_assert_num_queries(1):
        assert len(read(second.pk)) == 2

    assert len(compiled) == 1


def test_prepared_rows_refuse_a_column_the_model_does_not_have():
    with pytest.raises(FieldError):
        PreparedValues(TestDone, "submission", ("no_such_column",))(1)


def test_a_prepared_update_saves_what_djangos_update_saves():
    # Two forms alike; one saved through the prepared UPDATE, the other through Django's own.
    ours, theirs = IntakeSubmissionFactory(), IntakeSubmissionFactory()
    changes = {
        "given_names": "Ann O'Brien",  # a quote, sent as a parameter
        "family_name": "Leonard",
        "date_of_birth": date(1950, 2, 28),
        "steps_completed": [1, 2, 3],  # JSON
        "urgent_symptoms": ["trouble_breathing"],
        "phone": "+442079460000",
        "questions": "",
        "sitting_hours": None,
        "sent_at": timezone.now(),  # an aware datetime
    }
    for submission in (ours, theirs):
        for name, value in changes.items():
            setattr(submission, name, value)
    ours.save(update_fields=[*changes, "updated_at"])
    fields = [IntakeSubmission._meta.get_field(name) for name in changes]
    models.Model._do_update(
        theirs,
        IntakeSubmission._base_manager.using("default"),
        "default",
        theirs.pk,
        [(field, None, field.pre_save(theirs, False)) for field in fields],
        list(changes),
        True,
    )

    saved, expected = (
        field_values(IntakeSubmission.objects.get(pk=submission.pk))
        for submission in (ours, theirs)
    )
    # (save() also sets the full name from its parts: Django's _do_update alone does not.)
    ignored = {"id", "reference", "token_hash", "updated_at", "created_at", "full_name"}
    assert {k: v for k, v in saved.items() if k not in ignored} == {
        k: v for k, v in expected.items() if k not in ignored
    }
    assert saved["full_name"] == "Ann O'Brien Leonard"
    assert saved["steps_completed"] == [1, 2, 3]


def test_a_prepared_update_runs_one_query_and_writes_its_sql_once(
    monkeypatch, django_assert_num_queries
):
    submission = IntakeSubmissionFactory()
    compiled = []
    original = SQLUpdateCompiler.as_sql
    monkeypatch.setattr(
        SQLUpdateCompiler,
        "as_sql",
        lambda self, *a, **k: compiled.append(1) or original(self, *a, **k),
    )

    for text in ("first", "second"):
        submission.questions = text
        with django_assert_num_queries(1) as queries:
            submission.save(update_fields=["questions"])

    assert compiled == []  # Django's UPDATE compiler never ran
    assert queries.captured_queries[0]["sql"].startswith("UPDATE")
    assert IntakeSubmission.objects.get(pk=submission.pk).questions == "second"


def test_a_save_with_an_expression_is_left_to_djangos_own_update():
    submission = IntakeSubmissionFactory(sitting_hours=3)
    submission.sitting_hours = F("sitting_hours") + 1

    submission.save(update_fields=["sitting_hours"])

    assert IntakeSubmission.objects.get(pk=submission.pk).sitting_hours == 4


def test_a_prepared_update_of_a_row_gone_saves_nothing_as_django_says():
    submission = IntakeSubmissionFactory()
    IntakeSubmission.objects.filter(pk=submission.pk).delete()
    submission.questions = "too late"

    with pytest.raises(DatabaseError, match="did not affect any rows"):
        submission.save(update_fields=["questions"])


def saved_session(**data) -> SessionStore:
    store = SessionStore()
    store.update(data)
    store.save()
    return store


def test_a_session_is_read_back_with_its_data():
    key = saved_session(colour="blue").session_key

    assert SessionStore(key)["colour"] == "blue"


def test_an_expired_session_is_no_session_and_gets_a_new_key_when_saved():
    key = saved_session(colour="blue").session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(1))

    store = SessionStore(key)
    assert store.get("colour") is None
    store["colour"] = "red"
    store.save()

    assert store.session_key != key


def test_a_session_saved_again_keeps_its_key_and_its_new_data_in_one_query(
    django_assert_num_queries,
):
    store = saved_session(colour="blue")
    key = store.session_key
    store["colour"] = "red"
    store.set_expiry(600)

    with django_assert_num_queries(1):  # the UPDATE only: no savepoint, no SELECT
        store.save()

    row = Session.objects.get(session_key=key)
    assert SessionStore(key)["colour"] == "red"
    assert timezone.now() + timedelta(seconds=590) < row.expire_date
    assert row.expire_date <= timezone.now() + timedelta(seconds=600)


def test_saving_a_session_whose_row_has_gone_fails_as_djangos_store_does():
    store = saved_session(colour="blue")
    Session.objects.filter(session_key=store.session_key).delete()
    store["colour"] = "red"

    with pytest.raises(UpdateError):
        store.save()


def test_an_unknown_session_key_is_no_session():
    store = SessionStore("x" * 32)

    assert store.load() == {}
    assert store.session_key is None


def test_a_patient_with_a_session_opens_their_form_with_the_prepared_reads(
    django_assert_max_num_queries,
):
    submission = IntakeSubmissionFactory()
    client = Client()
    client.get(resume_link_for(submission, submission.raw_token))

    with django_assert_max_num_queries(2):  # the session, the form
        response = client.get("/prepare/step/1/")

    assert response.status_code == 200
    assert f'value="{submission.family_name}"' in response.content.decode()

"""One row by its key with the SELECT compiled once (atrophy_site/prepared.py), and the sessions
read that way (atrophy_site/sessions.py): the same instance the ORM gives, one query, no
compiling after the first, and an expired session is no session."""

import threading
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connections, transaction
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError
from django.test import Client
from django.utils import timezone

from atrophy_site.prepared import PreparedGet
from atrophy_site.sessions import SessionStore
from intake.models import IntakeSubmission
from intake.tests.factories import IntakeSubmissionFactory
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

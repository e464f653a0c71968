"""Private tokens, reference codes and the lookup behind the private link."""

import re
from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from intake.models import IntakeSubmission
from intake.tests.factories import BlankDraftFactory, IntakeSubmissionFactory
from intake.tokens import (
    REFERENCE_ALPHABET,
    create_submission,
    find_by_token,
    hash_token,
    new_reference,
    new_token,
    normalise_reference,
    record_failed_resume,
    resume_is_blocked,
    resume_link_for,
)


def test_a_token_carries_256_random_bits_in_url_safe_text():
    token = new_token()
    assert len(token) == 43  # 32 bytes, base64url without padding
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert new_token() != token


def test_reference_codes_avoid_characters_people_confuse():
    for _ in range(200):
        code = new_reference()
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code)
        assert not set(code.replace("-", "")) & set("01ILOUV")
        assert set(code.replace("-", "")) <= set(REFERENCE_ALPHABET)


def test_a_typed_reference_is_normalised():
    assert normalise_reference(" k7qp 3mxd ") == "K7QP-3MXD"
    assert normalise_reference("K7QP3MXD") == "K7QP-3MXD"
    assert normalise_reference("k7qp-3mxd") == "K7QP-3MXD"


@pytest.mark.django_db
def test_only_the_hash_of_the_token_is_stored():
    submission, token = create_submission(full_name="Ann Example")
    submission.refresh_from_db()
    assert submission.token_hash == hash_token(token)
    stored = [str(v) for v in IntakeSubmission.objects.values().get().values()]
    assert not any(token in value for value in stored)


@pytest.mark.django_db
def test_the_private_link_opens_its_own_submission_only():
    mine = IntakeSubmissionFactory()
    theirs = IntakeSubmissionFactory()
    assert find_by_token(mine.raw_token) == mine
    assert find_by_token(theirs.raw_token) == theirs
    assert resume_link_for(mine, mine.raw_token) == f"/prepare/resume/{mine.raw_token}/"
    with pytest.raises(ValueError):
        resume_link_for(mine, theirs.raw_token)


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["", "x", "A" * 43, "A" * 500])
def test_a_wrong_token_is_not_found(token):
    BlankDraftFactory()
    with pytest.raises(Http404):
        find_by_token(token)


@pytest.mark.django_db
def test_an_expired_draft_is_not_found(settings):
    settings.INTAKE_DRAFT_DAYS = 30
    draft = BlankDraftFactory()
    IntakeSubmission.objects.filter(pk=draft.pk).update(
        updated_at=timezone.now() - timedelta(days=31)
    )
    with pytest.raises(Http404):
        find_by_token(draft.raw_token)


@pytest.mark.django_db
def test_a_sent_submission_opens_until_its_link_lapses_and_never_once_archived():
    sent = IntakeSubmissionFactory(sent=True)
    assert find_by_token(sent.raw_token) == sent
    IntakeSubmission.objects.filter(pk=sent.pk).update(
        sent_at=timezone.now() - timedelta(days=400)  # beyond the sent link's lifetime
    )
    with pytest.raises(Http404):
        find_by_token(sent.raw_token)
    archived = IntakeSubmissionFactory(sent=True, status=IntakeSubmission.Status.ARCHIVED)
    with pytest.raises(Http404):
        find_by_token(archived.raw_token)


def test_failed_link_attempts_are_limited_per_client(settings):
    settings.INTAKE_RESUME_MAX_FAILURES = 3
    for _ in range(3):
        assert not resume_is_blocked("203.0.113.5")
        record_failed_resume("203.0.113.5")
    assert resume_is_blocked("203.0.113.5")
    assert not resume_is_blocked("203.0.113.6")

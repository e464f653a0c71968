"""The question definition (intake/questions.py) is the one list of questions: every answer
column is defined there, and every view of the answers is generated from it."""

import dataclasses

import pytest
from django.contrib.admin.sites import site

from intake.admin import _answer_display, answer_fieldsets
from intake.answers import answers_by_step, staff_label
from intake.export import header_row, submission_row
from intake.fhir.definition import section_questions
from intake.forms import form_for
from intake.models import Injury, IntakeSubmission, Medicine, TestDone
from intake.questions import STEPS, Kind, Question
from intake.summary import build_summary
from intake.tests.factories import IntakeSubmissionFactory

pytestmark = pytest.mark.django_db

#: Columns of the submission that are not the patient's answers: the clinic's, or bookkeeping.
NOT_ANSWERS = {
    "id",
    "reference",
    "token_hash",
    "keep_until",
    "status",
    "created_at",
    "updated_at",
    "sent_at",
    "unsaved_input",
    "steps_completed",
    "consent_given_at",  # the check step's consent (FHIR "send.consent")
    "language",
    "urgency_tier",
    "urgent_carry_on_at",
    "urgent_carry_on_signs",
    "sarc_f_total",
    "reviewed_by",
    "reviewed_at",
    "archived_at",
    "staff_note",
    "mrn",  # the clinic's patient number, typed by staff
}


def defined_slugs(steps=STEPS) -> list[str]:
    return [q.slug for step in steps.values() for q in step.questions]


def test_every_answer_column_of_the_submission_is_one_defined_question():
    columns = {f.name for f in IntakeSubmission._meta.concrete_fields} - NOT_ANSWERS
    slugs = defined_slugs()
    assert len(slugs) == len(set(slugs)), "a slug is defined twice"
    assert set(slugs) == columns


@pytest.mark.parametrize(("slug", "model"), [("medicines", Medicine), ("injuries", Injury)])
def test_every_column_of_a_row_is_a_defined_question(slug, model):
    step = next(s for s in STEPS.values() if s.slug == slug)
    columns = {f.name for f in model._meta.concrete_fields} - {"id", "submission", "position"}
    assert {q.slug for q in step.rows.questions} == columns


def test_every_column_of_a_test_row_is_a_defined_question():
    step = next(s for s in STEPS.values() if s.slug == "tests")
    columns = {f.name for f in TestDone._meta.concrete_fields} - {"id", "submission", "position"}
    assert {q.slug for q in step.rows.questions} == columns


def test_follow_ups_name_an_earlier_question_and_one_of_its_answers():
    for step in STEPS.values():
        seen = {}
        for question in step.questions:
            if question.shown_when:
                parent, value = question.shown_when
                assert parent in seen, f"{question.slug} follows {parent}, not asked before it"
                assert value in seen[parent].choices.values
            if question.nested_in:
                assert seen[question.nested_in].kind == Kind.CHOICES
            seen[question.slug] = question


def test_every_question_has_a_form_field_with_its_models_limits():
    for step in STEPS.values():
        if step.kind != "fields":
            continue
        form = form_for(step)()
        assert list(form.fields) == [q.slug for q in step.asked]
        for question in step.asked:
            model_field = IntakeSubmission._meta.get_field(question.slug)
            if question.kind in (Kind.TEXT, Kind.LONG_TEXT):
                assert form.fields[question.slug].max_length == model_field.max_length


def views_of(submission, steps) -> dict[str, str]:
    """Each generated view of `submission`'s answers under `steps`, as one text to search."""
    check_page = answers_by_step(submission, steps)
    summary = build_summary(submission, steps=steps)
    return {
        "form": " ".join(
            name
            for step in steps.values()
            if step.kind == "fields"
            for name in form_for(step)().fields
        ),
        "check page": " ".join(
            f"{answer.label}={answer.value}" for s in check_page for answer in s.answers
        ),
        "summary": " ".join(
            f"{answer.label}={answer.value}{'; '.join(answer.items)}"
            for section in summary.sections
            for answer in section.answers
        )
        + " ".join(f"{a.label}={a.value}" for a in summary.header.more),
        "CSV": " ".join(
            f"{column}={cell}"
            for column, cell in zip(
                header_row(steps), submission_row(submission, steps), strict=True
            )
        ),
        "admin": " ".join(
            name for _title, options in answer_fieldsets(steps) for name in options["fields"]
        ),
        "FHIR": " ".join(
            item.link_id for step in steps.values() for item in section_questions(step)
        ),
    }


def without(steps, slug):
    """A test-only definition: `steps` with one question taken out."""
    return {
        number: dataclasses.replace(
            step, questions=tuple(q for q in step.questions if q.slug != slug)
        )
        for number, step in steps.items()
    }


def with_question(steps, step_slug, question):
    """A test-only definition: `steps` with one question added at the end of a step."""
    return {
        number: dataclasses.replace(step, questions=(*step.questions, question))
        if step.slug == step_slug
        else step
        for number, step in steps.items()
    }


def test_adding_one_question_to_the_definition_shows_it_in_every_view():
    """Adding a question is one entry in the definition (plus its column and translation):
    the form, the check page, the summary, the CSV, the admin and FHIR all show it."""
    submission = IntakeSubmissionFactory(sent=True, allergies="Penicillin (rash)")
    base = without(STEPS, "allergies")
    question = Question(
        "allergies",
        "Any allergies to tell the doctor about?",
        Kind.LONG_TEXT,
        short="Your allergies",
        lines=2,
    )
    added = with_question(base, "lifestyle", question)

    before, after = views_of(submission, base), views_of(submission, added)

    expected = {
        "form": "allergies",
        "check page": "Your allergies=Penicillin (rash)",
        "summary": "Allergies=Penicillin (rash)",
        "CSV": "Allergies=Penicillin (rash)",
        "admin": "answer_allergies",
        "FHIR": "lifestyle.allergies",
    }
    for view, text in expected.items():
        assert text not in before[view], f"{view} shows a question the definition does not have"
        assert text in after[view], f"{view} does not show the question added to the definition"
    step = next(s for s in added.values() if s.slug == "lifestyle")
    assert _answer_display(step, question)(submission) == "Penicillin (rash)"


def test_every_defined_question_is_in_every_view_of_a_complete_form():
    submission = IntakeSubmissionFactory(sent=True)
    views = views_of(submission, STEPS)
    for step in STEPS.values():
        if step.rows:
            continue
        for question in step.questions:
            if question.parent:
                continue  # read on its parent's line
            assert f"answer_{question.slug}" in views["admin"].split()
            assert f"{staff_label(question)}=" in views["CSV"]
            if question.asked:
                assert question.slug in views["form"].split()
                assert f"{step.slug}.{question.slug}" in views["FHIR"].split()
                assert f"{question.check_label}=" in views["check page"]


def test_the_admin_has_a_read_only_display_for_every_question_it_lays_out():
    model_admin = site._registry[IntakeSubmission]
    for _title, options in answer_fieldsets():
        for name in options["fields"]:
            assert hasattr(model_admin, name)
    assert set(model_admin.get_readonly_fields(None)) >= {
        name for _title, options in answer_fieldsets() for name in options["fields"]
    }

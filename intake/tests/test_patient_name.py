"""The patient's name, asked in two parts (given names, family name) as the GOV.UK name pattern
does: the full name is made from them and read everywhere on one line, and forms from before
the parts were asked keep showing the name as it was typed (it is never split by guessing)."""

import csv
import io
import re

import pytest
from django.test import Client
from django.urls import reverse

from intake.answers import answers_by_step
from intake.export import csv_lines
from intake.models import IntakeSubmission, full_name_from_parts
from intake.patient_copy import build_patient_copy
from intake.questions import STEPS
from intake.summary import build_summary
from intake.tests.factories import BlankDraftFactory, IntakeSubmissionFactory
from intake.tokens import resume_link_for
from tests.staff import make_staff_user, sign_in_verified

from .helpers import STEP1, post_step, step_url

pytestmark = pytest.mark.django_db

CHECK_PAGE = "/prepare/check-your-answers/"
NAME_LABELS = {"Given names", "Family name", "Full name"}


# --- The definition ---------------------------------------------------------------------------


def test_the_name_is_asked_in_two_parts_where_the_full_name_was():
    about = STEPS[1]
    slugs = [question.slug for question in about.questions]
    assert slugs.index("full_name") + 1 == slugs.index("given_names")
    assert slugs.index("given_names") + 1 == slugs.index("family_name")
    full_name = about.question("full_name")
    assert not full_name.asked and full_name.derived_from == ("given_names", "family_name")
    assert not about.question("given_names").required
    assert about.question("family_name").required
    # Every derived answer is made from questions of its own step that are asked today.
    for step in STEPS.values():
        for question in step.questions:
            for slug in question.derived_from:
                assert step.question(slug).asked, (question.slug, slug)


# --- The full name, made from the parts -------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "family", "full"),
    [
        ("Ada", "Lovelace", "Ada Lovelace"),
        ("Rosa María", "Ejemplo García", "Rosa María Ejemplo García"),
        ("", "Suharto", "Suharto"),  # one name: the family name alone
        ("Ada", "", "Ada"),  # saved for later before the family name
        ("  Ada  ", "\tLovelace \n", "Ada Lovelace"),  # each part stripped, one space between
        ("   ", "Lovelace", "Lovelace"),
        ("", "", ""),
    ],
)
def test_the_full_name_is_the_given_names_and_family_name_joined_by_one_space(given, family, full):
    assert full_name_from_parts(given, family) == full


def test_the_full_name_fits_its_column_however_long_the_parts():
    full = full_name_from_parts("A" * 100, "B" * 100)
    max_length = IntakeSubmission._meta.get_field("full_name").max_length
    assert len(full) == max_length and full.startswith("A" * 100 + " B")


def test_saving_the_parts_saves_the_full_name_made_from_them():
    submission = BlankDraftFactory(given_names="Ada", family_name="Lovelace")
    submission.refresh_from_db()
    assert submission.full_name == "Ada Lovelace"

    # A save of some columns only saves the full name with the parts.
    submission.family_name = "King"
    submission.save(update_fields=["family_name", "updated_at"])
    submission.refresh_from_db()
    assert submission.full_name == "Ada King"


def test_an_older_forms_full_name_is_kept_as_typed_when_it_is_saved_again():
    older = BlankDraftFactory(full_name="ADA  lovelace")
    older.allergies = "Penicillin"
    older.save(update_fields=["allergies", "updated_at"])
    older.save()
    older.refresh_from_db()
    assert (older.full_name, older.given_names, older.family_name) == ("ADA  lovelace", "", "")


def test_the_first_page_saves_the_parts_and_the_full_name(client):
    response = client.post(
        step_url(1),
        {"form_reference": "", **STEP1, "given_names": " Rosa  ", "family_name": "Núñez Pérez"},
    )
    assert response.status_code == 302
    submission = IntakeSubmission.objects.get()
    assert (submission.given_names, submission.family_name) == ("Rosa", "Núñez Pérez")
    assert submission.full_name == "Rosa Núñez Pérez"


def test_an_older_draft_saved_for_later_without_the_parts_keeps_its_full_name():
    older = BlankDraftFactory(full_name="Ann Old-Style")
    client = Client()
    client.get(resume_link_for(older, older.raw_token))
    response = post_step(client, 1, {"date_of_birth_0": "3"}, action="later")
    assert response.status_code == 302
    older.refresh_from_db()
    assert older.full_name == "Ann Old-Style"


# --- Shown once ---------------------------------------------------------------------------------


def about_you_answers(submission) -> dict[str, str]:
    about = answers_by_step(submission)[0]
    return {answer.label: answer.value for answer in about.answers}


def test_the_check_page_shows_a_new_forms_name_once_in_its_parts(client):
    submission = IntakeSubmissionFactory(given_names="Ada", family_name="Lovelace")
    answers = about_you_answers(submission)
    assert answers["Given names"] == "Ada" and answers["Family name"] == "Lovelace"
    assert "Full name" not in answers

    client.get(resume_link_for(submission, submission.raw_token))
    page = client.get(CHECK_PAGE).content.decode()
    assert '<dt class="summary-list__key">Given names</dt>' in page
    assert '<dt class="summary-list__key">Family name</dt>' in page
    assert "Full name" not in page


def test_the_check_page_shows_an_older_forms_full_name_and_asks_for_the_family_name(client):
    older = BlankDraftFactory(full_name="Ann Old-Style")
    answers = about_you_answers(older)
    assert answers["Full name"] == "Ann Old-Style"
    assert not {"Given names", "Family name"} & set(answers)

    client.get(resume_link_for(older, older.raw_token))
    page = client.get(CHECK_PAGE).content.decode()
    assert "Ann Old-Style" in page
    assert "Answer “Family name” before you send" in page


def test_a_form_saved_with_given_names_only_shows_them_not_a_full_name():
    draft = BlankDraftFactory(given_names="Ada", family_name="")
    answers = about_you_answers(draft)
    assert answers["Given names"] == "Ada" and answers["Family name"] == ""
    assert "Full name" not in answers


@pytest.mark.parametrize(
    "names",
    [{"given_names": "Ada", "family_name": "Lovelace"}, {"full_name": "Ada Lovelace"}],
    ids=["new form", "older form"],
)
def test_the_summary_heads_with_the_full_name_and_repeats_no_part_of_it(names):
    submission = IntakeSubmissionFactory(sent=True, **names)
    summary = build_summary(submission)
    assert summary.header.full_name == "Ada Lovelace"
    labels = {answer.label for answer in summary.header.more}
    labels |= {answer.label for section in summary.sections for answer in section.answers}
    assert not NAME_LABELS & labels

    copy = build_patient_copy(submission, language="en")
    assert copy.full_name == "Ada Lovelace"
    assert not NAME_LABELS & {a.label for section in copy.sections for a in section.answers}


def test_the_doctors_summary_page_shows_the_name_once_as_its_heading():
    submission = IntakeSubmissionFactory(sent=True, given_names="Ada", family_name="Lovelace")
    staff = sign_in_verified(Client(), make_staff_user("nurse"))
    page = staff.get(
        reverse("intake:staff_summary", kwargs={"reference": submission.reference})
    ).content.decode()
    assert re.search(r'<h1 class="summary-header__name"[^>]*>Ada Lovelace</h1>', page)
    assert "Given names" not in page and "Family name" not in page


def admin_answer_rows(staff, submission) -> set[str]:
    url = reverse("admin:intake_intakesubmission_change", args=[submission.pk])
    page = staff.get(url).content.decode()
    return set(re.findall(r"field-answer_(full_name|given_names|family_name)\b", page))


def test_the_admin_shows_a_new_forms_name_parts_and_an_older_forms_full_name():
    staff = sign_in_verified(Client(), make_staff_user("nurse"))
    new = IntakeSubmissionFactory(sent=True, given_names="Ada", family_name="Lovelace")
    older = IntakeSubmissionFactory(sent=True, full_name="Grace Hopper")
    assert admin_answer_rows(staff, new) == {"given_names", "family_name"}
    assert admin_answer_rows(staff, older) == {"full_name"}


def test_the_csv_has_a_full_name_for_every_form_and_the_parts_where_given():
    """A column means the same on every row: "Full name" is filled for newer and older forms."""
    IntakeSubmissionFactory(sent=True, given_names="Ada", family_name="Lovelace")
    IntakeSubmissionFactory(sent=True, full_name="Grace Hopper")
    text = "".join(csv_lines(IntakeSubmission.objects.sent()))
    rows = list(csv.DictReader(io.StringIO(text)))
    names = {row["Full name"]: (row["Given names"], row["Family name"]) for row in rows}
    assert names == {"Ada Lovelace": ("Ada", "Lovelace"), "Grace Hopper": ("", "")}

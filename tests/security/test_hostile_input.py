"""Hostile input in every field of every step is stored or refused cleanly, and shown escaped.

Script tags, an attribute break-out, an SQL fragment, template syntax, 10 000 characters,
Unicode (accents, Chinese, Arabic, a right-to-left override, emoji), a null byte, and malformed
dates and numbers go into every field the form posts, as an attacker with a plain HTTP client
could send them. The bar: never a server error; text is either stored exactly as typed or refused
with a message beside the field; what is stored comes back escaped on "Check your answers", on
the visit summary and in the staff admin. The fields are read from the forms themselves, so a
new question is covered without touching this file.
"""

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from intake.models import IntakeSubmission
from intake.pages import page_for
from intake.questions import STEPS
from intake.tests.factories import IntakeSubmissionFactory
from intake.tokens import resume_link_for
from tests.staff import make_staff_user, sign_in_verified

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]

SCRIPT = '<script>alert("x")</script>'
ATTRIBUTE_BREAK = "\"'><img src=x onerror=alert(1)>"
SQL = "'; DROP TABLE intake_intakesubmission; --"
TEMPLATE = "{{ 7|add:7 }} {% now 'Y' %}"
UNICODE = "Zoë Ñúñez 李小龙 مرحبا \u202eevil\u202c 👵🏽💪"
LONG = "A" * 10_000
NULL_BYTE = "before\x00after"

#: Text that a field may store (each within every field's length limit).
STORABLE = {"script": SCRIPT, "attribute": ATTRIBUTE_BREAK, "sql": SQL, "template": TEMPLATE}
STORABLE["unicode"] = UNICODE
#: Text that every field must refuse, with a message.
REFUSED = {"10 000 characters": LONG, "null byte": NULL_BYTE}
#: Markup that must never reach a page unescaped.
LIVE_MARKUP = ("<script>alert", "<img src=x")

STEP1_VALID = {"date_of_birth_0": "3", "date_of_birth_1": "4", "date_of_birth_2": "1950"}
NAME = {"given_names": "Pat", "family_name": "Draft"}
TEXT_STEPS = [1, 5, 6, 7, 8, 9, 10]  # steps with free-text boxes (2 to 4 are all choices)
#: Choices that reveal a step's boxes: on step 8, when and where belong to the tests ticked.
REVEALING = {9: {"tests_had": ["blood", "ct", "mri", "nerve_conduction", "emg", "nerve_biopsy"]}}
REVEALING[9]["tests_had"].append("muscle_biopsy")


def revealing(number) -> dict:
    """The answers that show every follow-up of the step (a follow-up the patient's answer
    hides is not kept: intake/forms.py StepForm.clean), so every text box is in play."""
    data = dict(REVEALING.get(number, {}))
    for form in page_forms(number):
        for name, (parent, value) in getattr(form, "revealed_by", {}).items():
            if name not in form.fields or parent not in form.fields:
                continue
            if isinstance(form.fields[parent], forms.MultipleChoiceField):
                data.setdefault(parent, [])
                if value not in data[parent]:
                    data[parent].append(value)
            else:
                data[parent] = value
    return data


def empty_page(number):
    """A step's page as a new patient first sees it; rows steps with one row to type in (the
    injuries page starts with none, and an "Add an injury" button)."""
    if STEPS[number].kind in ("medicines", "injuries"):
        return page_for(STEPS[number], None, add_row=True)
    return page_for(STEPS[number], None)


def page_forms(number):
    page = empty_page(number)
    if hasattr(page, "form"):
        return [page.form]
    if hasattr(page, "formset"):
        return list(page.formset.forms)
    return page.forms


def management_data(number) -> dict[str, str]:
    page = empty_page(number)
    if not hasattr(page, "formset"):
        return {}
    prefix = page.formset.prefix
    return {f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0"}


def fields_of(number):
    """(posted name, form, field name) for every input of the step, date parts one by one."""
    for form in page_forms(number):
        for name, field in form.fields.items():
            posted = form.add_prefix(name)
            if isinstance(field, forms.MultiValueField):
                for part in range(len(field.fields)):
                    yield f"{posted}_{part}", form, name
            else:
                yield posted, form, name


def text_fields(number) -> list[tuple[str, object, str]]:
    return [
        (posted, form, name)
        for posted, form, name in fields_of(number)
        if type(form.fields[name]) is forms.CharField
    ]


def other_fields(number) -> list[tuple[str, object, str]]:
    """Choices, numbers and dates: nothing a person types there is free text."""
    return [
        (posted, form, name)
        for posted, form, name in fields_of(number)
        if type(form.fields[name]) is not forms.CharField
    ]


def saved_text(number, submission) -> dict[str, str]:
    """What the step's boxes hold when it is opened again, by posted name."""
    submission.refresh_from_db()
    saved = page_for(STEPS[number], submission)
    if hasattr(saved, "form"):
        saved_forms = [saved.form]
    elif hasattr(saved, "formset"):
        saved_forms = list(saved.formset.forms)
    else:
        saved_forms = saved.forms
    return {
        form.add_prefix(name): form[name].value()
        for form in saved_forms
        for name, field in form.fields.items()
        if type(field) is forms.CharField
    }


def data_without_dates(data: dict) -> dict:
    return {key: value for key, value in data.items() if key not in STEP1_VALID}


def patient_with_a_draft() -> tuple[Client, IntakeSubmission]:
    """A browser session bound to a fresh draft (step 1 answered) through its private link."""
    draft = IntakeSubmissionFactory(**NAME, steps_completed=[1])
    client = Client()
    client.get(resume_link_for(draft, draft.raw_token))
    return client, draft


def post_step(client, submission, number, data):
    return client.post(
        f"/prepare/step/{number}/",
        {
            "form_reference": submission.reference,
            "action": "next",
            **management_data(number),
            **data,
        },
    )


def assert_refused_beside_the_field(response, form, name):
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in html
    assert f'id="{form[name].auto_id}_error"' in html, f"no message beside {name}"


def assert_shown_escaped(html, value, where):
    for markup in LIVE_MARKUP:
        assert markup not in html, f"live markup on {where}"
    assert escape(value) in html, f"{value!r} not shown on {where}"


def test_the_forms_offer_the_fields_this_test_expects():
    assert [n for n in STEPS if n < 11 and text_fields(n)] == TEXT_STEPS
    assert len([f for n in TEXT_STEPS for f in text_fields(n)]) >= 25
    assert all(other_fields(n) for n in (1, 2, 3, 4, 5, 7, 8, 9, 10))


@pytest.mark.parametrize("value", STORABLE.values(), ids=STORABLE.keys())
def test_hostile_text_is_stored_as_typed_and_shown_escaped_everywhere(value):
    client, draft = patient_with_a_draft()
    for number in TEXT_STEPS:
        data = {posted: value for posted, _form, _name in text_fields(number)}
        if number == 1:
            data.update(STEP1_VALID)
        response = post_step(client, draft, number, {**data, **revealing(number)})
        assert response.status_code == 302, (number, response.content.decode()[:3000])

        # Stored exactly as typed: the step shows it back as its saved answer.
        assert saved_text(number, draft) == data_without_dates(data), number

    assert IntakeSubmission.objects.filter(pk=draft.pk).exists()  # the table is still there
    html = client.get(reverse("intake:check_answers")).content.decode()
    assert_shown_escaped(html, value, "check your answers")

    response = client.post(
        reverse("intake:check_answers"), {"form_reference": draft.reference, "consent": "on"}
    )
    assert response.status_code == 302
    html = client.get(reverse("intake:summary")).content.decode()
    assert_shown_escaped(html, value, "the visit summary")

    staff = sign_in_verified(Client(), make_staff_user("nurse"))
    for where in (
        reverse("admin:intake_intakesubmission_change", args=[draft.pk]),
        reverse("admin:intake_intakesubmission_changelist"),
        reverse("intake:staff_summary", kwargs={"reference": draft.reference}),
    ):
        html = staff.get(where).content.decode()
        assert_shown_escaped(html, value, where)


@pytest.mark.parametrize("value", REFUSED.values(), ids=REFUSED.keys())
@pytest.mark.parametrize("number", TEXT_STEPS)
def test_overlong_text_and_null_bytes_are_refused_beside_each_field(number, value):
    client, draft = patient_with_a_draft()
    data = {posted: value for posted, _form, _name in text_fields(number)}
    if number == 1:
        data.update(STEP1_VALID)

    response = post_step(client, draft, number, {**data, **revealing(number)})

    for _posted, form, name in text_fields(number):
        assert_refused_beside_the_field(response, form, name)
    assert number not in IntakeSubmission.objects.get(pk=draft.pk).steps_completed[1:]


@pytest.mark.parametrize("value", [SCRIPT, SQL, UNICODE, LONG, NULL_BYTE, "-1", "1e9", "²"])
@pytest.mark.parametrize("number", range(1, 11))
def test_hostile_values_in_choices_and_numbers_are_refused(number, value):
    """Radio buttons, tick boxes and number boxes take nothing but their own values."""
    client, draft = patient_with_a_draft()
    for posted, form, name in other_fields(number):
        if isinstance(form.fields[name], forms.MultiValueField):
            continue  # dates: test_malformed_dates_are_refused_with_a_message
        data = {**NAME, **STEP1_VALID} if number == 1 else {}
        data[posted] = value
        response = post_step(client, draft, number, data)
        assert_refused_beside_the_field(response, form, name)


@pytest.mark.parametrize(
    "day, month, year",
    [
        ("31", "02", "2020"),  # no such day
        ("0", "0", "0"),
        ("29", "2", "2023"),  # not a leap year
        ("-1", "1", "1950"),
        ("1.5", "1", "1950"),
        ("3", "4", "50"),  # a two-digit year
        ("", "", "1950"),
        ("²", "1", "1950"),  # a superscript digit
        ("1", "1", "1" * 5000),  # longer than Python will read as a number
        ("99999999999999999999", "1", "1950"),
        ("1", "99999999999999999999", "1950"),
        ("1", "1", "19500"),
        ("\x00", "1", "1950"),
        ("1", "1", "٢٠٥٠"),  # Arabic-Indic digits, in the future
    ],
)
@pytest.mark.parametrize("field", ["date_of_birth", "appointment_date"])
def test_malformed_dates_are_refused_with_a_message(field, day, month, year):
    client, draft = patient_with_a_draft()
    data = {**STEP1_VALID, f"{field}_0": day, f"{field}_1": month, f"{field}_2": year}

    response = post_step(client, draft, 1, {**NAME, **data})

    assert_refused_beside_the_field(response, page_forms(1)[0], field)


@pytest.mark.parametrize(
    "tampered",
    [
        {"action": "remove-²"},
        {"action": "remove-٣"},
        {"action": "remove-99999999999999999999"},
        {"action": "remove-0", "medicine-²-name": "Aspirin"},
        {"action": "remove--1"},
        {"action": SCRIPT},
        {"action": NULL_BYTE},
        {"medicine-TOTAL_FORMS": SCRIPT},
        {"medicine-TOTAL_FORMS": "-1"},
        {"medicine-TOTAL_FORMS": "99999999"},
        {"medicine-TOTAL_FORMS": "²"},
        {"medicine-INITIAL_FORMS": NULL_BYTE},
        {"return_to": SCRIPT},
    ],
    ids=lambda data: repr(data)[:40],
)
def test_tampered_buttons_and_row_counts_never_break_the_rows_page(tampered):
    client, draft = patient_with_a_draft()
    data = {"medicine-0-name": "Aspirin", **management_data(5), **tampered}

    response = post_step(client, draft, 5, data)

    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response.url.startswith("/prepare/")


@pytest.mark.parametrize(
    "query",
    [SCRIPT, ATTRIBUTE_BREAK, SQL, UNICODE, LONG, NULL_BYTE, "31/02/2020", "0/0/0", "1950-02-30"],
    ids=["script", "attribute", "sql", "unicode", "long", "null", "31/02", "0/0/0", "02-30"],
)
def test_hostile_searches_answer_normally_and_escaped(query):
    learn = Client().get(reverse("education:search"), {"q": query})
    assert learn.status_code == 200
    staff = sign_in_verified(Client(), make_staff_user("nurse"))
    queue = staff.get(reverse("admin:intake_intakesubmission_changelist"), {"q": query})
    assert queue.status_code == 200
    for response in (learn, queue):
        html = response.content.decode()
        for markup in LIVE_MARKUP:
            assert markup not in html

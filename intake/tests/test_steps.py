"""Each step's validation: what is required, the ranges, the lengths and the messages."""

import datetime
import re

import pytest
from django.utils import timezone

from intake.forms import MAX_ROWS, TestsChecklistForm
from intake.models import Condition, Injury, IntakeSubmission, Medicine, TestDone

from .helpers import SARC_F_ALL_SOME, STEP1, error_messages, post_step, rows, start_form, step_url

pytestmark = pytest.mark.django_db


def step1(**changes):
    return {"form_reference": "", **STEP1, **changes}


# --- Step 1 -------------------------------------------------------------------------------------


def test_step_one_needs_a_family_name_and_a_date_of_birth(client):
    response = client.post(
        step_url(1),
        step1(
            given_names="",
            family_name="",
            date_of_birth_0="",
            date_of_birth_1="",
            date_of_birth_2="",
        ),
    )
    assert response.status_code == 200
    assert error_messages(response) == ["Enter your family name", "Enter your date of birth"]
    assert not IntakeSubmission.objects.exists()


def _form_group(html: str, field_id: str) -> str:
    """The markup of the question whose box is `field_id`: its label, hint, message and box."""
    box = html.index(f'id="{field_id}"')
    return html[html.rindex('<div class="form-group', 0, box) : html.index("</div>\n", box)]


def test_a_missing_family_name_is_said_next_to_its_box_and_the_given_names_are_kept(client):
    response = client.post(step_url(1), step1(given_names="Ada", family_name=""))
    html = response.content.decode()
    family = _form_group(html, "id_family_name")
    assert 'class="form-group form-group--error"' in family
    assert "Enter your family name</p>" in family
    assert 'aria-describedby="id_family_name_helptext id_family_name_error"' in family
    assert '<a href="#id_family_name">Enter your family name</a>' in html  # the summary
    given = _form_group(html, "id_given_names")
    assert 'value="Ada"' in given and "error" not in given
    assert not IntakeSubmission.objects.exists()


def test_the_name_is_asked_in_two_boxes_only_the_family_name_needed(client):
    html = client.get(step_url(1)).content.decode()
    assert 'name="full_name"' not in html
    given, family = _form_group(html, "id_given_names"), _form_group(html, "id_family_name")
    assert "Given names <span" in given and "(optional)" in given
    assert "The patient&#x27;s first name and any middle names." in given
    assert 'autocomplete="given-name" spellcheck="false"' in given
    assert "Family name</label>" in family and "(optional)" not in family
    assert "The patient&#x27;s surname. If they have only one name, write it here." in family
    assert 'autocomplete="family-name" spellcheck="false"' in family
    assert html.index("id_given_names") < html.index("id_family_name")


def test_someone_with_one_name_gives_only_a_family_name(client):
    response = client.post(step_url(1), step1(given_names="", family_name="Suharto"))
    assert response.status_code == 302
    submission = IntakeSubmission.objects.get()
    assert (submission.given_names, submission.family_name) == ("", "Suharto")
    assert submission.full_name == "Suharto"


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("3", "", "1950", "Date of birth must include a month"),
        ("", "", "1950", "Date of birth must include a day and a month"),
        ("31", "2", "1990", "Date of birth must be a real date"),
        ("3", "13", "1990", "Date of birth must be a real date"),
        ("x", "2", "1990", "Date of birth must be a real date, in numbers"),
        ("3", "4", "50", "Year must include 4 numbers, for example 1956"),
        ("3", "4", "1899", "Date of birth must be after 1900"),
    ],
)
def test_a_date_of_birth_must_be_a_real_date_in_a_sane_range(client, day, month, year, message):
    response = client.post(
        step_url(1), step1(date_of_birth_0=day, date_of_birth_1=month, date_of_birth_2=year)
    )
    assert error_messages(response) == [message]


def test_a_date_of_birth_cannot_be_in_the_future(client):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        step_url(1),
        step1(
            date_of_birth_0=str(tomorrow.day),
            date_of_birth_1=str(tomorrow.month),
            date_of_birth_2=str(tomorrow.year),
        ),
    )
    assert error_messages(response) == ["Date of birth must be today or in the past"]


def test_a_date_accepts_one_or_two_digits(client):
    client.post(step_url(1), step1(date_of_birth_0="03", date_of_birth_1="4"))
    assert IntakeSubmission.objects.get().date_of_birth == datetime.date(1950, 4, 3)


def test_an_appointment_must_be_within_the_next_two_years(client):
    far = timezone.localdate() + datetime.timedelta(days=3 * 365)
    response = client.post(
        step_url(1),
        step1(
            appointment_date_0=str(far.day),
            appointment_date_1=str(far.month),
            appointment_date_2=str(far.year),
        ),
    )
    assert error_messages(response) == ["Appointment date must be within the next 2 years"]


def test_step_one_text_is_bounded(client):
    response = client.post(
        step_url(1),
        step1(given_names="A" * 101, family_name="B" * 101, visit_reason="c" * 2001),
    )
    assert error_messages(response) == [
        "Given names must be 100 characters or fewer",
        "Family name must be 100 characters or fewer",
        "Main reason for your visit must be 2000 characters or fewer",
    ]


def test_an_error_keeps_every_other_answer_as_typed_and_says_error_in_the_title(client):
    response = client.post(
        step_url(1),
        step1(
            family_name="", email="ada@example.org", visit_reason="Weak legs", date_of_birth_0="7"
        ),
    )
    html = response.content.decode()
    assert "<title>Error: About you and your visit" in html
    assert 'value="ada@example.org"' in html
    assert "Weak legs</textarea>" in html
    assert 'name="date_of_birth_0" value="7"' in html
    # The summary links to each field; the field points at its message.
    assert '<a href="#id_family_name">Enter your family name</a>' in html
    assert 'aria-describedby="id_family_name_helptext id_family_name_error"' in html
    assert 'aria-invalid="true"' in html


# --- Step 2 -------------------------------------------------------------------------------------


def test_step_two_accepts_nothing_and_stores_the_body_map(client):
    start_form(client)
    response = post_step(client, 2, {})
    assert response.status_code == 302
    post_step(
        client,
        2,
        {
            "weakness_map": ["neck", "left_hip_thigh"],
            "weakness_map__left_hip_thigh": "cannot_move",
        },
    )
    assert post_step(client, 3, {}).status_code == 302
    post_step(client, 3, {"weakness_limit": "not_at_all", "other_symptoms": ["pain"]})
    submission = IntakeSubmission.objects.get()
    assert submission.weakness_map == {"neck": "", "left_hip_thigh": "cannot_move"}
    assert submission.weakness_limit == "not_at_all"
    assert submission.other_symptoms == ["pain"]


@pytest.mark.parametrize(
    ("number", "data"),
    [
        (3, {"weakness_limit": "11"}),
        (3, {"weakness_limit": "very"}),
        (2, {"weakness_map": ["elbow"]}),
        (2, {"weakness_map": ["left_hand"], "weakness_map__left_hand": "very"}),
        (3, {"other_symptoms": ["falls"]}),  # only older forms have it: the strength check asks
    ],
)
def test_steps_two_and_three_refuse_answers_outside_their_choices(client, number, data):
    start_form(client)
    response = post_step(client, number, data)
    assert response.status_code == 200
    assert len(error_messages(response)) == 1


# --- Step 3 -------------------------------------------------------------------------------------


def test_the_strength_check_needs_all_five_answers(client):
    start_form(client)
    response = post_step(client, 4, {"sarc_f_strength": "2"})
    assert len(error_messages(response)) == 4
    assert "Select how many times you have fallen in the past year" in error_messages(response)


def test_the_strength_check_accepts_only_zero_to_two(client):
    start_form(client)
    response = post_step(client, 4, {**SARC_F_ALL_SOME, "sarc_f_falls": "3"})
    assert len(error_messages(response)) == 1
    post_step(client, 4, SARC_F_ALL_SOME)
    assert IntakeSubmission.objects.get().sarc_f_answers == dict.fromkeys(
        ["strength", "walking", "chair", "stairs", "falls"], 1
    )


# --- Step 4 -------------------------------------------------------------------------------------


def test_something_else_needs_saying_what(client):
    start_form(client)
    response = post_step(client, 5, {"conditions": [Condition.STROKE, Condition.OTHER]})
    assert error_messages(response) == [
        "Tell us the other condition, or untick \u201cSomething else\u201d"
    ]
    post_step(client, 5, {"conditions": [Condition.OTHER], "conditions_other": "Gout"})
    assert IntakeSubmission.objects.get().conditions_other == "Gout"


# --- Steps 5 and 6: rows ------------------------------------------------------------------------


def test_a_medicine_row_needs_a_name_and_blank_rows_are_ignored(client):
    start_form(client)
    response = post_step(client, 6, rows("medicine", {"dose": "5 mg"}))
    assert error_messages(response) == ["Enter the name of the medicine, or remove this one"]
    assert 'value="5 mg"' in response.content.decode()
    post_step(client, 6, rows("medicine", {"name": "Atorvastatin"}, {"name": "", "dose": ""}))
    assert list(Medicine.objects.values_list("name", flat=True)) == ["Atorvastatin"]


def test_add_another_saves_the_rows_and_offers_a_new_one(client):
    start_form(client)
    response = post_step(client, 6, rows("medicine", {"name": "Prednisolone"}), action="add")
    assert response.status_code == 302
    assert response.url.endswith("?add=1#medicine-1")
    assert Medicine.objects.get().name == "Prednisolone"
    html = client.get(response.url).content.decode()
    assert html.count('class="row-card"') == 2
    assert 'name="medicine-1-name"' in html and "autofocus" in html


def test_remove_drops_that_row_and_keeps_the_others_in_order(client):
    start_form(client)
    data = rows("medicine", {"name": "A"}, {"name": "B"}, {"name": "C"})
    response = post_step(client, 6, data, action="remove-1")
    assert response.status_code == 302
    assert list(Medicine.objects.values_list("name", "position")) == [("A", 0), ("C", 1)]


def test_rows_are_limited_to_thirty_with_a_clear_message(client):
    start_form(client)
    many = [{"name": f"Medicine {n}"} for n in range(MAX_ROWS + 1)]
    response = post_step(client, 6, rows("medicine", *many))
    assert response.status_code == 200
    assert "You can list up to 30 medicines here." in response.content.decode()
    assert not Medicine.objects.exists()

    thirty = [{"name": f"Medicine {n}"} for n in range(MAX_ROWS)]
    response = post_step(client, 6, rows("medicine", *thirty), action="add")
    assert Medicine.objects.count() == MAX_ROWS
    page = client.get(response.url, follow=True).content.decode()
    assert "You have listed 30 medicines, the most this form takes." in page
    assert "Add another medicine" not in page


def test_an_injury_cannot_be_dated_in_the_future(client):
    start_form(client)
    next_year = str(timezone.localdate().year + 1)
    response = post_step(client, 7, rows("injury", {"body_part": "Knee", "when": next_year}))
    assert error_messages(response) == ["The year cannot be in the future"]
    response = post_step(client, 7, rows("injury", {"what_happened": "Fell"}))
    assert error_messages(response) == [
        "Enter the part of the body that was hurt, or remove this injury"
    ]


def test_injuries_are_saved_in_the_order_given(client):
    start_form(client)
    post_step(
        client,
        7,
        rows(
            "injury",
            {"body_part": "Left knee", "when": "2019", "still_troubling": "sometimes"},
            {"body_part": "Lower back", "when": "last month", "still_troubling": "yes"},
        ),
    )
    assert list(Injury.objects.values_list("body_part", "when", "still_troubling")) == [
        ("Left knee", "2019", "sometimes"),
        ("Lower back", "last month", "yes"),
    ]


# --- Step 7 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"alcohol_drinks_per_week": "201"},
            "Alcoholic drinks a week must be a whole number from 0 to 200",
        ),
        (
            {"alcohol_drinks_per_week": "lots"},
            "Alcoholic drinks a week must be a whole number from 0 to 200",
        ),
        (
            {"recent_immobilisation": "yes", "recent_immobilisation_details": "x" * 501},
            "What happened, and for how long must be 500 characters or fewer",
        ),
    ],
)
def test_lifestyle_numbers_must_be_in_range(client, data, message):
    start_form(client)
    assert error_messages(post_step(client, 8, data)) == [message]


# --- Step 8 -------------------------------------------------------------------------------------


def test_only_ticked_tests_are_stored_with_when_and_where_and_years_are_checked(client):
    start_form(client)
    next_year = str(timezone.localdate().year + 1)
    response = post_step(client, 9, {"tests_had": ["mri"], "mri_when": next_year})
    assert error_messages(response) == ["The year cannot be in the future"]
    post_step(
        client,
        9,
        {"tests_had": ["mri", "emg"], "mri_when": "2023", "emg_where": "City Hospital"},
    )
    assert list(TestDone.objects.values_list("test_type", "done", "when", "where")) == [
        ("mri", "yes", "2023", ""),
        ("emg", "yes", "", "City Hospital"),
    ]
    page = client.get(step_url(9)).content.decode()
    assert re.search(r'value="emg"[^>]*checked', page) and 'value="City Hospital"' in page
    post_step(client, 9, {"tests_had": ["emg"], "emg_where": "City Hospital"})
    assert list(TestDone.objects.values_list("test_type", flat=True)) == ["emg"]


def test_the_tests_step_is_one_checklist_of_seven_not_seven_cards():
    form = TestsChecklistForm()
    visible = [item.field.name for item in form.layout()]
    assert visible == ["tests_had"]
    assert len(form.fields["tests_had"].choices) == 7


# --- Step 9 and 10 ------------------------------------------------------------------------------


def test_questions_are_bounded(client):
    start_form(client)
    response = post_step(client, 10, {"questions": "?" * 3001})
    assert error_messages(response) == ["Your own questions must be 3000 characters or fewer"]
    post_step(client, 10, {"suggested_questions": ["cause"], "questions": "Is it my statin?"})
    assert IntakeSubmission.objects.get().suggested_questions == ["cause"]


def test_sending_needs_the_consent_tick(client):
    submission, _ = start_form(client)
    response = client.post("/prepare/check-your-answers/", {"form_reference": submission.reference})
    assert response.status_code == 200
    assert "Tick the box to say you understand" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == IntakeSubmission.Status.DRAFT


def test_a_step_page_uses_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    start_form(client)
    post_step(client, 6, rows("medicine", {"name": "Old"}))
    for number in range(1, 11):
        with django_assert_max_num_queries(8):
            assert client.get(step_url(number)).status_code == 200
    reference = IntakeSubmission.objects.get().reference
    # Saving rows costs the same however many there are.
    for count in (2, 20):
        many = rows("medicine", *({"name": f"M{n}"} for n in range(count)))
        with django_assert_max_num_queries(14):
            post_step(client, 6, many, reference=reference)
    with django_assert_max_num_queries(10):
        assert client.get("/prepare/check-your-answers/").status_code == 200


def test_a_follow_up_the_patients_answer_now_hides_is_not_kept(client):
    """Yes, a detail, then No: the detail goes (the doctor would read "No (my mother...)")."""
    submission, _path = start_form(client)
    post_step(
        client,
        5,
        {"family_history_known": "yes", "family_history": "My mother, in her 60s."},
    )
    submission.refresh_from_db()
    assert submission.family_history == "My mother, in her 60s."

    post_step(
        client,
        5,
        {"family_history_known": "no", "family_history": "My mother, in her 60s."},
    )

    submission.refresh_from_db()
    assert submission.family_history_known == "no"
    assert submission.family_history == ""


def test_a_hidden_follow_ups_bad_answer_does_not_stop_the_patient(client):
    submission, _path = start_form(client)
    response = post_step(
        client,
        5,
        {"takes_statin": "no", "statin_started_0": "13", "statin_started_1": "1800"},
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.takes_statin == "no"
    assert submission.statin_started is None


def test_a_follow_up_under_a_ticked_box_is_kept_and_under_an_unticked_one_is_not(client):
    submission, _path = start_form(client)
    post_step(client, 5, {"conditions": ["other"], "conditions_other": "Gout"})
    submission.refresh_from_db()
    assert submission.conditions_other == "Gout"

    post_step(client, 5, {"conditions": ["stroke"], "conditions_other": "Gout"})

    submission.refresh_from_db()
    assert submission.conditions_other == ""

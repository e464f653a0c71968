"""The body map on step 2 through the test client: what is stored, what is refused, and the
drawing on the visit summary.

The form posts the region codes as `weakness_map` and each one's strength as
`weakness_map__<code>` (intake/forms.py BodyMapWidget), with or without JavaScript.
"""

import re

import pytest

from intake.models import IntakeSubmission
from intake.tests.factories import IntakeSubmissionFactory
from intake.tokens import resume_link_for

from .helpers import error_messages, post_step, start_form, step_url

pytestmark = pytest.mark.django_db


def stored(client) -> dict:
    return IntakeSubmission.objects.get(pk=client.session["intake_submission_id"]).weakness_map


def test_a_place_and_how_weak_is_stored(client):
    start_form(client)
    response = post_step(
        client, 2, {"weakness_map": "left_hand", "weakness_map__left_hand": "little"}
    )
    assert response.status_code == 302
    assert stored(client) == {"left_hand": "little"}


def test_several_places_keep_their_own_strength_and_a_place_may_have_none(client):
    start_form(client)
    post_step(
        client,
        2,
        {
            "weakness_map": ["left_hip_thigh", "right_hand", "neck"],
            "weakness_map__left_hip_thigh": "quite_a_lot",
            "weakness_map__right_hand": "cannot_move",
            # A strength for a place not ticked (chosen, then unticked) is not kept.
            "weakness_map__left_foot": "little",
        },
    )
    assert stored(client) == {
        "left_hip_thigh": "quite_a_lot",
        "right_hand": "cannot_move",
        "neck": "",
    }


def test_nothing_ticked_stores_nowhere(client):
    start_form(client)
    post_step(client, 2, {"weakness_map": "left_hand", "weakness_map__left_hand": "little"})
    post_step(client, 2, {})
    assert stored(client) == {}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"weakness_map": ["left_hand", "tail"]}, "Choose places from the list"),
        (
            {"weakness_map": "left_hand", "weakness_map__left_hand": "very"},
            "Choose how weak each place is: a little, quite a lot, or cannot move it",
        ),
    ],
    ids=["unknown-place", "unknown-strength"],
)
def test_an_unknown_place_or_strength_is_refused_next_to_the_map(client, data, message):
    start_form(client)
    post_step(client, 2, {"weakness_map": "right_knee", "weakness_map__right_knee": "little"})
    response = post_step(client, 2, {**data, "weakness_map__right_knee": "little"})
    assert response.status_code == 200
    assert error_messages(response) == [message]
    html = response.content.decode()
    # The message is in the map's own fieldset, which points to it, and the summary links there.
    fieldset = re.search(r'<fieldset class="form-fieldset" aria-describedby="([^"]+)">', html)
    assert "id_weakness_map_error" in fieldset.group(1)
    assert 'href="#id_weakness_map"' in html and 'id="id_weakness_map"' in html
    # What was typed is kept: the left hand stays ticked, the old answer is not saved over.
    assert re.search(r'value="left_hand" id="id_weakness_map_left_hand" checked', html)
    assert stored(client) == {"right_knee": "little"}


def test_the_page_without_javascript_has_a_box_and_three_strengths_for_each_place(client):
    start_form(client)
    html = client.get(step_url(2)).content.decode()
    assert len(re.findall(r'type="checkbox"[^>]*name="weakness_map"', html)) == 20
    assert len(re.findall(r'type="radio"[^>]*name="weakness_map__', html)) == 60
    assert "How weak is it?" in html
    assert "data-body-map-figure hidden" in html  # the drawing needs the script
    assert len(re.findall(r'data-region="[a-z_]+"', html)) >= 20


def test_the_summary_draws_the_chosen_places_as_a_picture(client):
    submission = IntakeSubmissionFactory(
        sent=True, weakness_map={"left_hip_thigh": "quite_a_lot", "right_hand": "little"}
    )
    client.get(resume_link_for(submission, submission.raw_token))
    html = client.get("/prepare/summary/").content.decode()
    figure = re.search(r'<div class="body-figure"[^>]*>', html).group(0)
    assert 'role="img"' in figure
    assert 'aria-label="Body map: the places the patient chose are shaded"' in figure
    chosen = re.findall(r'class="body-region is-chosen" data-region="([a-z_]+)"', html)
    # The hip is on the front; the hand on the front and, for the picture only, the back.
    assert sorted(set(chosen)) == ["left_hip_thigh", "right_hand"]
    assert 'role="checkbox"' not in html and "tabindex" not in figure


def test_the_summary_draws_nothing_when_no_place_was_chosen(client):
    submission = IntakeSubmissionFactory(sent=True, weakness_map={})
    client.get(resume_link_for(submission, submission.raw_token))
    html = client.get("/prepare/summary/").content.decode()
    assert "body-figure" not in html

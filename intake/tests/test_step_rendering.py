"""How the step pages are rendered (issue 18: a step page cost 17 times /health/'s CPU).

The questions are written in Python (intake/field_markup.py), their inputs by the forms' own
renderer (intake/widget_renderer.py), the body map's list and figure in Python too; what does
not depend on the request is kept per process, translations per language. The markup is
Django's and the templates' as before: bench/steps.py --html writes every step page, as shown,
with errors and sent, to compare before and after a change.
"""

import re

import pytest
from django.forms.renderers import DjangoTemplates
from django.utils import translation

from intake.forms import (
    SendForm,
    TestsChecklistForm,
    UrgentCarryOnForm,
    body_map_words,
    form_for,
    injury_formset,
    medicine_formset,
    row_form_for,
)
from intake.link_views import EmailLinkForm
from intake.questions import INJURIES, MEDICINES, STEPS
from intake.tests.factories import IntakeSubmissionFactory
from intake.tokens import resume_link_for
from intake.widget_renderer import WIDGET_RENDERER

from .helpers import post_step, step_url

pytestmark = pytest.mark.django_db

CHECK_PAGE = "/prepare/check-your-answers/"
FORM_STEPS = [number for number, step in STEPS.items() if step.kind != "check"]


def _open(client, submission):
    response = client.get(resume_link_for(submission, submission.raw_token))
    assert response.status_code == 302
    client.get("/")  # the "Welcome back" message, shown once


def _many_rows(count: int) -> dict:
    return {
        "medicines": [(f"Medicine {n}", "5 mg", "Once a day") for n in range(count)],
        "injuries": [
            {"body_part": f"Place {n}", "when": "2019", "what_happened": "A fall"}
            for n in range(count)
        ],
    }


@pytest.mark.parametrize("path", [step_url(n) for n in FORM_STEPS] + [CHECK_PAGE])
def test_a_step_page_costs_a_few_queries_however_many_rows(
    client, path, django_assert_max_num_queries
):
    """The session, the form and, on a page of rows, its rows: one query each, not one per row
    or per question (the check page also reads the medicines, injuries and tests)."""
    _open(client, IntakeSubmissionFactory(**_many_rows(12)))
    with django_assert_max_num_queries(5 if path == CHECK_PAGE else 3):
        response = client.get(path)
    assert response.status_code == 200


def test_saving_a_drafts_rows_costs_the_same_queries_however_many_rows_and_none_on_history(
    client,
):
    """A draft's medicines are replaced on each save; a draft has no change history, so deleting
    its old rows asks nothing of the history tables (it asked once per row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from intake.models import Medicine

    from .helpers import rows

    counts = []
    for count in (1, 12):
        submission = IntakeSubmissionFactory(**_many_rows(count))
        client.cookies.clear()
        _open(client, submission)
        data = rows(
            "medicine",
            *({"name": f"Medicine {n}", "dose": "5 mg"} for n in range(count)),
        )
        with CaptureQueriesContext(connection) as queries:
            response = post_step(client, 6, data, reference=submission.reference)
        assert response.status_code == 302
        assert Medicine.objects.filter(submission=submission).count() == count
        sql = [query["sql"] for query in queries.captured_queries]
        assert not [q for q in sql if "historical" in q]
        counts.append(len(sql))

    assert counts[0] == counts[1]


# --- The inputs: Django's own markup, written in Python ----------------------------------------


def _forms_of_every_step(data=None):
    """An instance of each form a patient meets, unbound or bound to `data`."""
    submission = IntakeSubmissionFactory.build()
    forms = [
        form_for(step)(data=data, instance=submission)
        for step in STEPS.values()
        if step.kind == "fields"
    ]
    forms += [cls(data=data) for cls in (TestsChecklistForm, SendForm, UrgentCarryOnForm)]
    forms += [row_form_for(rows)(data=data) for rows in (MEDICINES.rows, INJURIES.rows)]
    forms.append(EmailLinkForm(data=data))
    return forms


def _refused_by_every_field(form) -> dict:
    """A post every field of `form` refuses or takes (choices not offered, long text...)."""
    data = {}
    for name, field in form.fields.items():
        data[name] = ["not-offered"] if hasattr(field, "choices") else "x" * 3000
        for index in range(3):
            data[f"{name}_{index}"] = "3x"
    return data


def _markup(form) -> list[str]:
    """Every input of `form` as its renderer writes it: each field, each option alone and each
    option wrapped in its label."""
    out = []
    for bound in form:
        out.append(str(bound))
        for option in bound.subwidgets:
            out += [option.tag(), str(option)]
    return out


@pytest.mark.parametrize("state", ["unbound", "with errors", "disabled"])
def test_the_inputs_are_djangos_markup_character_for_character(state):
    for form in _forms_of_every_step():
        data = _refused_by_every_field(form) if state == "with errors" else None
        ours, djangos = (
            type(form)(data=data, renderer=renderer, **_instance_of(form))
            for renderer in (WIDGET_RENDERER, DjangoTemplates())
        )
        for each in (ours, djangos):
            if data is not None:
                each.is_valid()  # errors: aria-invalid and is-invalid on the inputs
            if state == "disabled":
                for field in each.fields.values():
                    field.disabled = True
        assert ours.renderer is WIDGET_RENDERER
        assert _markup(ours) == _markup(djangos), type(form).__name__


def _instance_of(form) -> dict:
    return {"instance": form.instance} if hasattr(form, "instance") else {}


def test_the_step_forms_and_rows_use_the_python_renderer():
    for form in _forms_of_every_step():
        assert form.renderer is WIDGET_RENDERER, type(form).__name__
    for formset in (medicine_formset(initial=[{}]), injury_formset(initial=[{}])):
        assert formset.renderer is WIDGET_RENDERER
        assert formset.forms[0].renderer is WIDGET_RENDERER
        assert formset.management_form.renderer is WIDGET_RENDERER


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"medicine-TOTAL_FORMS": "1", "medicine-INITIAL_FORMS": "0", "medicine-0-name": "A"},
        {"medicine-0-name": "A"},  # tampered: no management data
    ],
    ids=["unbound", "bound", "tampered"],
)
def test_the_rows_management_form_is_djangos_markup(data):
    from intake.templatetags.gds import gds_management_form

    formset = medicine_formset(data=data)
    formset.is_valid()
    assert gds_management_form(formset) == str(formset.management_form)


def test_a_date_box_is_what_djangos_template_included():
    """The date boxes (intake/widgets/memorable_date.html) once included Django's text.html."""
    form = form_for(STEPS[1])(data={"date_of_birth_0": "3", "date_of_birth_1": '4"<', "x": 1})
    form.is_valid()
    bound = form["date_of_birth"]
    widget = bound.field.widget
    context = widget.get_context(bound.html_name, bound.value(), bound.build_widget_attrs({}))
    template = DjangoTemplates().get_template("django/forms/widgets/text.html")
    for box in context["widget"]["subwidgets"]:
        assert box["html"] == template.render({"widget": box})
    assert 'value="4&quot;&lt;"' in str(bound)


# --- What the patient typed is escaped ------------------------------------------------------------


def test_what_the_patient_typed_is_escaped_in_the_boxes_and_the_messages(client):
    typed = '"><script>alert(1)</script>'
    response = client.post(
        step_url(1),
        {"form_reference": "", "given_names": typed, "family_name": "", "email": typed},
    )
    html = response.content.decode()
    assert "<script>alert" not in html
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert 'class="form-group form-group--error"' in html


# --- The markup of a question ---------------------------------------------------------------------


def test_a_follow_up_and_a_nested_checkbox_sit_in_their_choices_conditional_block(client):
    _open(client, IntakeSubmissionFactory())
    html = client.get(step_url(1)).content.decode()
    # "Someone helping me" reveals the helper's name, in a block named for that choice.
    block = html[html.index('id="conditional-id_filled_by_1"') :]
    block = block[: block.index("\n      </div>")]
    assert 'for="id_helper_name"' in block and 'id="id_helper_name"' in block
    html = client.get(step_url(3)).content.decode()
    block = html[html.index('id="conditional-id_urgent_symptoms_0"') :]
    block = block[: block.index("\n      </div>")]
    assert 'class="form-check form-check--nested"' in block
    assert 'name="long_standing_symptoms"' in block
    assert re.search(r'<span class="visually-hidden">[^<]+: </span>', block)


def test_a_question_with_a_hint_and_an_error_is_described_by_both(client):
    _open(client, IntakeSubmissionFactory())
    response = post_step(client, 1, {"date_of_birth_0": "31", "date_of_birth_2": "1950"})
    html = response.content.decode()
    fieldset = 'class="form-fieldset" aria-describedby="id_date_of_birth_helptext'
    assert f'{fieldset} id_date_of_birth_error">' in html
    assert '<div class="form-text" id="id_date_of_birth_helptext">' in html
    assert (
        '<p class="error-message" id="id_date_of_birth_error"><span class="visually-hidden">'
        "Error:</span> Date of birth must include a month</p>"
    ) in html
    # A box (not a fieldset) is described by its own attribute, hint first.
    assert 'aria-describedby="id_given_names_helptext" id="id_given_names">' in html
    assert '<span class="optional">(optional)</span>' in html  # step 1 asks required questions


# --- Kept per process, per language -------------------------------------------------------------


def test_the_body_maps_words_are_kept_per_language(client):
    """The body map's region names and strengths are kept once per language: a Spanish page
    after an English one reads Spanish, and English again after it."""
    _open(client, IntakeSubmissionFactory())
    english = client.get(step_url(2)).content.decode()
    assert "How weak is it?" in english and "Left hip or thigh" in english
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    spanish = client.get(step_url(2)).content.decode()
    assert 'lang="es"' in spanish
    assert "How weak is it?" not in spanish and "Left hip or thigh" not in spanish
    assert "¿Cuánta debilidad tiene?" in spanish and "Cadera o muslo izquierdo" in spanish
    assert "Un poco" in spanish  # a strength
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "How weak is it?" in client.get(step_url(2)).content.decode()
    with translation.override("es"):
        assert body_map_words("es")["how_weak"] == "¿Cuánta debilidad tiene?"
    assert body_map_words("en")["how_weak"] == "How weak is it?"

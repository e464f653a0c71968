"""Our FHIR Questionnaire and responses work in a form tool nobody here wrote: NLM's LHC-Forms.

LHC-Forms (the npm package `lforms`, pinned in tests/browser/lforms_vendor/package.json, installed
by scripts/setup.sh with `npm ci --prefix tests/browser/lforms_vendor`) runs in headless Chromium
on a bare harness page (lforms_harness.html) that this module serves itself on 127.0.0.1: the
files are for this test only and the app never serves them. The page fetches the Questionnaire
from the app's public address on the live server (another origin, as a real renderer would),
renders it, loads a sent form's QuestionnaireResponse into it, reads it back, and runs the
Questionnaire's SDC logic (the calculated SARC-F total, follow-ups shown by enableWhen).

LHC-Forms calls used (its own API, LForms.Util in dist/lforms/webcomponent/main.js):
  LForms.Util.addFormToPage(questionnaireOrFormData, element, {fhirVersion: "R4"})  -> Promise
  LForms.Util.convertFHIRQuestionnaireToLForms(questionnaire, "R4")
  LForms.Util.mergeFHIRDataIntoLForms(questionnaireResponse, formData, "R4")
  LForms.Util.getFormFHIRData("QuestionnaireResponse", "R4", element)
"""

import json
import os
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from intake.fhir.definition import sections
from intake.fhir.resources import fhir_queryset, questionnaire_response
from intake.models import IntakeSubmission, YesNo, YesNoNotSure
from intake.tests.factories import IntakeSubmissionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HERE = Path(__file__).resolve().parent
VENDOR = HERE / "lforms_vendor"
HARNESS = HERE / "lforms_harness.html"
INSTALL_COMMAND = "npm ci --prefix tests/browser/lforms_vendor"
#: The version pinned in package.json (and package-lock.json): the one these tests were written for.
LFORMS_VERSION = json.loads((VENDOR / "package.json").read_text())["dependencies"]["lforms"]
LFORMS_PACKAGE = VENDOR / "node_modules" / "lforms"
#: What the harness loads, as lforms' README lists them (the R4 build of its FHIR support).
LFORMS_FILES = (
    "webcomponent/styles.css",
    "webcomponent/assets/lib/zone.min.js",
    "webcomponent/runtime.js",
    "webcomponent/polyfills.js",
    "webcomponent/main.js",
    "fhir/R4/lformsFHIR.min.js",
)
DESKTOP = {"width": 1280, "height": 900}
FORM = "#form"  # the harness's element the form is added to

SARC_F_SCORES = {"strength": 2, "walking": 1, "chair": 1, "stairs": 1, "falls": 0}  # total 5
#: The radio button of each of those answers, as LHC-Forms names it: label and score.
SARC_F_ANSWERS = {
    "strength": "A lot, or unable - 2",
    "walking": "Some - 1",
    "chair": "Some - 1",
    "stairs": "Some - 1",
    "falls": "None - 0",
}
SARC_F_TOTAL = "strength_check.sarc_f_total"


# --- The vendored LHC-Forms and the page serving it ---------------------------------------------


@pytest.fixture(scope="session")
def lforms_dist() -> Path:
    """node_modules/lforms/dist/lforms, installed at the pinned version; without it, a skip
    naming the install command (a failure under CI=true, where it must have been installed)."""
    dist = LFORMS_PACKAGE / "dist" / "lforms"
    missing = [name for name in LFORMS_FILES if not (dist / name).is_file()]
    problem = ""
    if not dist.is_dir():
        problem = f"LHC-Forms is not installed (no {dist.relative_to(HERE.parent.parent)})"
    elif missing:
        problem = f"LHC-Forms is incomplete (missing {', '.join(missing)} under {dist})"
    else:
        installed = json.loads((LFORMS_PACKAGE / "package.json").read_text())["version"]
        if installed != LFORMS_VERSION:
            problem = f"LHC-Forms {installed} is installed, but package.json pins {LFORMS_VERSION}"
    if problem:
        message = f"{problem}: run `{INSTALL_COMMAND}` (scripts/setup.sh dev runs it)."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return dist


class _HarnessHandler(SimpleHTTPRequestHandler):
    """GET / is the harness; /lforms/<path> is a file of lforms' dist/lforms; nothing else."""

    def __init__(self, *args, dist: Path, **kwargs):
        self.dist = dist
        super().__init__(*args, directory=str(dist), **kwargs)

    def translate_path(self, path):
        path = path.split("?", 1)[0].split("#", 1)[0]
        if path in ("/", "/index.html"):
            return str(HARNESS)
        if path.startswith("/lforms/"):
            target = (self.dist / path.removeprefix("/lforms/")).resolve()
            if target.is_relative_to(self.dist):
                return str(target)
        return str(self.dist / "does-not-exist")  # 404

    def log_message(self, format, *args):  # quiet: the test output is what matters
        pass


@pytest.fixture(scope="session")
def harness_url(lforms_dist):
    """The harness page, served from a thread on 127.0.0.1 for the whole run."""
    handler = partial(_HarnessHandler, dist=lforms_dist.resolve())
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="lforms-harness", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def lforms_page(new_context, harness_url):
    """A desktop page with LHC-Forms loaded (at the pinned version), recording every console
    error and uncaught exception in `page.errors`."""
    page = new_context(viewport=DESKTOP).new_page()
    page.errors = []

    def on_console(message):
        if message.type == "error":
            page.errors.append(f"console.error: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: page.errors.append(f"uncaught: {error}"))
    page.goto(harness_url)
    page.wait_for_function("() => window.LForms && LForms.Util && LForms.FHIR && LForms.FHIR.R4")
    assert page.evaluate("LForms.lformsVersion") == LFORMS_VERSION
    return page


@pytest.fixture
def served_questionnaire(lforms_page, live_server) -> dict:
    """The Questionnaire as the page fetches it from the app's public URL (another origin, so
    across CORS), kept in the page as `window.questionnaire`; returned for the test to read."""
    url = live_server.url + reverse("intake:fhir_questionnaire")
    return lforms_page.evaluate(
        """async (url) => {
            const reply = await fetch(url);
            if (!reply.ok) throw new Error(`GET ${url}: ${reply.status}`);
            window.questionnaire = await reply.json();
            return window.questionnaire;
        }""",
        url,
    )


def show_form(page, response: dict | None = None) -> None:
    """Render `window.questionnaire` in the harness, with `response`'s answers merged in."""
    page.evaluate(
        """async (response) => {
            const element = document.querySelector('#form');
            let form = window.questionnaire;
            if (response) {
                form = LForms.Util.convertFHIRQuestionnaireToLForms(form, 'R4');
                form = LForms.Util.mergeFHIRDataIntoLForms(response, form, 'R4');
            }
            await LForms.Util.addFormToPage(form, element, {fhirVersion: 'R4'});
        }""",
        response,
    )


def response_from_the_page(page) -> dict:
    return page.evaluate(
        "LForms.Util.getFormFHIRData("
        "'QuestionnaireResponse', 'R4', document.querySelector('#form'))"
    )


# --- The data: a sent form ----------------------------------------------------------------------


@pytest.fixture
def sent_response() -> dict:
    """A sent form's QuestionnaireResponse: answers in every step, with the five SARC-F answers
    (total 5), two medicines, yes/no questions answered Yes (interpreter, family history) and the
    body map (each region with how weak and its side under it)."""
    submission = IntakeSubmissionFactory(
        sent=True,
        interpreter_needed=YesNo.YES,
        family_history_known=YesNoNotSure.YES,
        **{f"sarc_f_{name}": score for name, score in SARC_F_SCORES.items()},
    )
    submission = fhir_queryset(IntakeSubmission.objects.filter(pk=submission.pk)).get()
    return questionnaire_response(submission)


def item(page, link_id: str):
    """The rendered item of a (first) linkId. LHC-Forms ids an item "item-<linkId>/<n>/<m>"."""
    return page.locator(f'lhc-item[id^="item-{link_id}/"]').first


def answers_by_link_id(items) -> dict:
    """Every answer of a QuestionnaireResponse, comparable whatever the order and display texts.

    {group linkId: sorted rows}, each row (one per repeat of a repeating group) a sorted tuple of
    (linkId, sorted answer values); a coding is "system|code", other values "valueX=value"; the
    items nested under an answer (the body map's how weak and side) go with its value.
    """

    def value(answer: dict) -> str:
        ((key, raw),) = [(k, v) for k, v in answer.items() if k.startswith("value")]
        text = f"{raw['system']}|{raw['code']}" if key == "valueCoding" else f"{key}={raw}"
        nested = answer.get("item")
        return f"{text} {dict(row(nested))}" if nested else text

    def row(children) -> tuple:
        answered = []
        for child in children:
            if "answer" in child:
                answered.append((child["linkId"], tuple(sorted(map(value, child["answer"])))))
            else:  # a group inside a group
                answered.extend(row(child.get("item", ())))
        return tuple(sorted(answered))

    groups: dict[str, list] = {}
    for group in items:
        groups.setdefault(group["linkId"], []).append(row(group.get("item", ())))
    return {link_id: sorted(rows) for link_id, rows in groups.items()}


def item_of(document: dict, link_id: str) -> dict:
    """The item of a Questionnaire (at any depth) with this linkId."""

    def walk(items):
        for child in items or ():
            yield child
            yield from walk(child.get("item"))

    return next(child for child in walk(document["item"]) if child["linkId"] == link_id)


def has_extension(item: dict, url_end: str) -> bool:
    return any(extension["url"].endswith(url_end) for extension in item.get("extension", ()))


def textbox(scope, name: str):
    return scope.get_by_role("textbox", name=name, exact=True)


def radio(scope, name: str):
    """A radio button by its name; LHC-Forms names a scored answer "<label> - <score>"."""
    return scope.get_by_role("radio", name=name, exact=True)


def choose(radio_button) -> None:
    """Click a radio button as a user does.

    Not Playwright's check(), and no to_be_checked() after: LHC-Forms' radio group (ng-zorro)
    shows the choice on its label (ant-radio-wrapper-checked) and keeps the answer, but leaves the
    clicked <input>'s `checked` property false. What the answer changes is checked instead.
    """
    radio_button.click()


# --- The tests ----------------------------------------------------------------------------------


def test_the_questionnaire_renders_in_lhc_forms_with_every_section_title_and_no_error(
    lforms_page, served_questionnaire
):
    page = lforms_page
    titles = [str(section.title) for section in sections()]
    assert [item["text"] for item in served_questionnaire["item"]] == titles

    show_form(page)

    expect(page.locator(FORM).get_by_role("heading", level=1)).to_have_text(
        served_questionnaire["title"]
    )
    for link_id, title in zip((s.link_id for s in sections()), titles, strict=True):
        expect(item(page, link_id).locator(".lhc-item-group-title").first).to_have_text(title)
        expect(item(page, link_id).get_by_text(title, exact=True).first).to_be_visible()
    assert page.errors == []


def test_a_sent_response_loads_into_lhc_forms_and_its_answers_show(
    lforms_page, served_questionnaire, sent_response
):
    page = lforms_page

    show_form(page, sent_response)

    form = page.locator(FORM)
    # Text, in the first step.
    expect(textbox(form, "What is the main reason for your visit?")).to_have_value(
        "My legs have got weaker over the last year and I struggle with stairs."
    )
    # Yes/no questions (HL7 yes/no codes) and the follow-ups their Yes shows.
    interpreter = item(page, "about.interpreter_needed")
    expect(radio(interpreter, "Yes")).to_be_checked()
    expect(radio(interpreter, "No")).not_to_be_checked()
    expect(textbox(form, "Which language?")).to_have_value("Portuguese")
    family = item(page, "medical_history.family_history_known")
    expect(radio(family, "Yes")).to_be_checked()
    expect(textbox(form, "Who, and what did they have?")).to_have_value(
        "My mother had muscle weakness in her 60s."
    )
    # The five SARC-F answers, each with its score (our ordinalValue) beside it, and the total.
    for name, label in SARC_F_ANSWERS.items():
        expect(radio(item(page, f"strength_check.sarc_f_{name}"), label)).to_be_checked()
    expect(textbox(item(page, SARC_F_TOTAL), "SARC-F total")).to_have_value("5")
    # Both medicine rows (a repeating group).
    names = textbox(form, "Name of the medicine")
    expect(names).to_have_count(2)
    expect(names.nth(0)).to_have_value("Prednisolone")
    expect(names.nth(1)).to_have_value("Atorvastatin")
    expect(textbox(form, "Dose").nth(1)).to_have_value("20 mg")
    assert page.errors == []


def test_the_response_read_back_from_lhc_forms_has_the_answers_we_loaded(
    lforms_page, served_questionnaire, sent_response
):
    page = lforms_page
    show_form(page, sent_response)

    extracted = response_from_the_page(page)

    assert extracted["resourceType"] == "QuestionnaireResponse"
    loaded = answers_by_link_id(sent_response["item"])
    assert {"about", "strength_check", "medical_history", "medicines"} <= loaded.keys()
    assert answers_by_link_id(extracted["item"]) == loaded
    assert page.errors == []


def test_lhc_forms_calculates_the_sarc_f_total_as_the_five_answers_are_given(
    lforms_page, served_questionnaire
):
    page = lforms_page
    assert has_extension(
        item_of(served_questionnaire, SARC_F_TOTAL), "sdc-questionnaire-calculatedExpression"
    ), f"{SARC_F_TOTAL} has no SDC calculatedExpression"
    show_form(page)
    total = textbox(item(page, SARC_F_TOTAL), "SARC-F total")
    expect(total).to_be_disabled()  # read-only: calculated, not typed
    expect(total).to_have_value("")

    for name, label in SARC_F_ANSWERS.items():
        expect(total).to_have_value("")  # empty until all five are answered
        choose(radio(item(page, f"strength_check.sarc_f_{name}"), label))

    expect(total).to_have_value(str(sum(SARC_F_SCORES.values())))  # 5
    assert page.errors == []


def test_lhc_forms_keeps_the_loaded_sarc_f_total_calculated(
    lforms_page, served_questionnaire, sent_response
):
    """The exported total is the one LHC-Forms computes from the five answers: had they differed,
    LHC-Forms would take the loaded total for the user's own and stop recalculating it (its rule
    for a saved calculated value), and the change below would not show."""
    page = lforms_page
    show_form(page, sent_response)
    total = textbox(item(page, SARC_F_TOTAL), "SARC-F total")
    expect(total).to_have_value("5")

    choose(radio(item(page, "strength_check.sarc_f_falls"), "1 to 3 falls - 1"))  # 0 -> 1

    expect(total).to_have_value("6")
    assert page.errors == []


def test_a_follow_up_shows_in_lhc_forms_only_after_yes(lforms_page, served_questionnaire):
    page = lforms_page
    assert item_of(served_questionnaire, "medical_history.family_history").get("enableWhen"), (
        "medical_history.family_history has no enableWhen"
    )
    show_form(page)
    known = item(page, "medical_history.family_history_known")
    follow_up = textbox(page.locator(FORM), "Who, and what did they have?")
    expect(radio(known, "Yes")).to_be_visible()
    expect(follow_up).to_be_hidden()  # not answered yet

    choose(radio(known, "No"))
    expect(follow_up).to_be_hidden()

    choose(radio(known, "Yes"))
    expect(follow_up).to_be_visible()

    choose(radio(known, "Not sure"))
    expect(follow_up).to_be_hidden()
    assert page.errors == []


def test_a_response_exported_by_one_server_loads_without_loss_into_anothers_questionnaire(
    lforms_page, live_server, settings
):
    """Issue 15's done-when: the answer codes do not depend on where a form was exported, so a
    response written under one FHIR_CANONICAL_BASE loads whole into the Questionnaire another
    server publishes (LHC-Forms drops an answer that is not one of the item's options)."""
    page = lforms_page
    settings.FHIR_CANONICAL_BASE = "https://clinic-a.example.org/prepare/fhir"
    submission = IntakeSubmissionFactory(sent=True, spreading=YesNoNotSure.NOT_SURE)
    response = questionnaire_response(
        fhir_queryset(IntakeSubmission.objects.filter(pk=submission.pk)).get()
    )
    settings.FHIR_CANONICAL_BASE = "https://127.0.0.1/prepare/fhir"
    served = page.evaluate(
        """async (url) => {
            window.questionnaire = await (await fetch(url)).json();
            return window.questionnaire;
        }""",
        live_server.url + reverse("intake:fhir_questionnaire"),
    )
    assert served["url"].startswith("https://127.0.0.1/")
    assert response["questionnaire"].startswith("https://clinic-a.example.org/")

    show_form(page, response)

    loaded = answers_by_link_id(response["item"])
    assert answers_by_link_id(response_from_the_page(page)["item"]) == loaded
    expect(radio(item(page, "symptoms.spreading"), "Not sure")).to_be_checked()
    assert page.errors == []


def test_an_empty_form_in_lhc_forms_asks_only_what_every_patient_must_answer(
    lforms_page, served_questionnaire
):
    """Nothing inside the optional medicines, injuries and tests is required there (an empty
    form was invalid before for a medicine name nobody had to give), nor any follow-up."""
    page = lforms_page
    show_form(page)

    problems = page.evaluate("LForms.Util.checkValidity(document.querySelector('#form'))") or []

    questions = {problem.removesuffix(" requires a value") for problem in problems}
    required = {
        item["text"]
        for group in served_questionnaire["item"]
        for item in group["item"]
        if item.get("required")
    }
    assert len(required) == 8  # family name, date of birth, five SARC-F answers, consent
    assert questions == required, problems
    assert page.errors == []

"""The body map on "Your symptoms" (step 2): where the weakness is, and how weak, in a browser.

The same answer is stored whether the patient uses the drawing with the keyboard or ticks the
boxes with no JavaScript; axe finds nothing either way; each place on the drawing is at least
44 by 44 CSS px at 320 px wide (WCAG 2.5.5, target size). Screenshots for a person to look at go
to test-artifacts/.
"""

import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from intake.models import IntakeSubmission
from intake.tests.factories import BlankDraftFactory
from intake.tokens import resume_link_for
from tests.accessibility.axe_check import wcag_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_rate_limits"),
]

PHONE = {"width": 390, "height": 844}
NARROW = {"width": 320, "height": 720}
ARTIFACTS = Path("test-artifacts")

#: Three places and how weak each is, as the patient chooses them.
CHOSEN = {"left_hip_thigh": "quite_a_lot", "right_hand": "little", "left_lower_leg": "cannot_move"}
NAMES = {
    "left_hip_thigh": "Left hip or thigh",
    "right_hand": "Right hand",
    "left_lower_leg": "Left lower leg",
}
WORDS = {"little": "A little", "quite_a_lot": "Quite a lot", "cannot_move": "Cannot move it"}

ACTIVE = """() => {
  const element = document.activeElement;
  return {
    region: element.getAttribute("data-region"),
    role: element.getAttribute("role"),
    name: element.getAttribute("name"),
    value: element.value === undefined ? null : element.value,
    text: element.textContent.trim().replace(/\\s+/g, " ").slice(0, 40),
  };
}"""


def open_symptoms_step(context, live_server):
    """A draft with step 1 done, opened through its private link, at step 2."""
    draft = BlankDraftFactory(steps_completed=[1])
    page = context.new_page()
    page.goto(live_server.url + resume_link_for(draft, draft.raw_token))
    page.goto(live_server.url + "/prepare/step/2/")
    page.wait_for_load_state("load")
    return draft, page


def tab_until(page, wanted, limit=80) -> dict:
    """Press Tab until the focused element matches `wanted` (a dict of ACTIVE's keys)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE)
        if all(active[key] == value for key, value in wanted.items()):
            return active
    raise AssertionError(f"Tab never reached {wanted}")


def test_keyboard_alone_marks_three_places_and_how_weak(new_context, live_server):
    draft, page = open_symptoms_step(new_context(viewport=PHONE), live_server)
    page.wait_for_function("document.activeElement && document.activeElement !== document.body")

    # On the drawing: Space on two places, Enter on the third.
    for code, key in (
        ("left_hip_thigh", "Space"),
        ("right_hand", "Enter"),
        ("left_lower_leg", "Space"),
    ):
        region = tab_until(page, {"region": code, "role": "checkbox"})
        assert page.evaluate("document.activeElement.getAttribute('aria-label')") == NAMES[code]
        page.keyboard.press(key)
        control = page.locator(f'.body-region--control[data-region="{code}"]')
        expect(control).to_have_attribute("aria-checked", "true")
        assert region["region"] == code
    chosen = page.get_by_role("heading", name="What you chose")
    expect(chosen).to_be_visible()
    # Only the three chosen places are listed, each with its checkbox ticked.
    listed = page.locator("[data-region-item]:visible")
    expect(listed).to_have_count(3)

    # In the list: Tab into each place's "How weak is it?", then Space or the arrows.
    for code, severity in CHOSEN.items():
        name = f"weakness_map__{code}"
        tab_until(page, {"name": name})
        if severity == "little":
            page.keyboard.press("Space")
        else:
            for _ in range(list(WORDS).index(severity)):
                page.keyboard.press("ArrowDown")
        expect(page.locator(f'input[name="{name}"][value="{severity}"]')).to_be_checked()
    # The drawing shades each place with its strength's pattern.
    for code, severity in CHOSEN.items():
        control = page.locator(f'.body-region--control[data-region="{code}"]')
        expect(control).to_have_attribute("data-severity", severity)
        fill = control.locator(".body-region__shape").get_attribute("fill")
        assert fill.endswith(f"-{severity})")

    tab_until(page, {"text": "Save and continue"})
    page.keyboard.press("Enter")
    expect(page.locator(".step-caption")).to_have_text("Step 3 of 11")
    draft.refresh_from_db()
    assert draft.weakness_map == CHOSEN

    # Sent, its summary draws the three places shaded and says them in words.
    IntakeSubmission.objects.filter(pk=draft.pk).update(
        status=IntakeSubmission.Status.SENT, sent_at=timezone.now()
    )
    page.goto(live_server.url + resume_link_for(draft, draft.raw_token))  # a sent form: its summary
    drawing = page.locator(".summary-section--symptoms [data-body-figure]")
    expect(drawing).to_have_attribute("role", "img")
    for code, severity in CHOSEN.items():
        shaded = drawing.locator(f'.body-region.is-chosen[data-region="{code}"]')
        expect(shaded.first).to_have_attribute("data-severity", severity)
    expect(drawing.locator(".body-figure__view--front .body-region.is-chosen")).to_have_count(3)
    words = page.locator(".summary-section--symptoms")
    for text in (
        "Right hand (a little)",
        "Left hip or thigh (quite a lot)",
        "Left lower leg (cannot move it)",
    ):
        expect(words).to_contain_text(text)


def test_without_javascript_the_boxes_store_the_same_answer(new_context, live_server):
    context = new_context(viewport=PHONE, java_script_enabled=False)
    draft, page = open_symptoms_step(context, live_server)
    expect(page.locator("[data-body-map-figure]")).to_be_hidden()
    for code, severity in CHOSEN.items():
        strength = page.get_by_role("group", name=f"How weak is it? ({NAMES[code]})")
        expect(strength).to_be_hidden()  # shown by CSS once the place is ticked
        page.get_by_role("checkbox", name=NAMES[code], exact=True).check()
        expect(strength).to_be_visible()
        strength.get_by_label(WORDS[severity]).check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".step-caption")).to_have_text("Step 3 of 11")
    draft.refresh_from_db()
    assert draft.weakness_map == CHOSEN


@pytest.mark.parametrize("javascript", [True, False], ids=["drawing", "no-script"])
def test_axe_finds_nothing_on_the_symptoms_step(new_context, live_server, javascript):
    context = new_context(viewport=PHONE)
    if not javascript:
        # axe itself needs JavaScript: the page is loaded without its own script instead.
        context.route(re.compile(r"/static/js/body_map\."), lambda route: route.abort())
    draft, page = open_symptoms_step(context, live_server)
    draft.weakness_map = {"left_hand": "little", "neck": ""}
    draft.save(update_fields=["weakness_map"])
    page.reload()
    page.wait_for_load_state("load")
    figure = page.locator("[data-body-map-figure]")
    if javascript:
        expect(figure).to_be_visible()
        page.locator('.body-region--control[data-region="right_knee"]').click()
        page.locator('.body-region--control[data-region="back"]').focus()
    else:
        expect(figure).to_be_hidden()
    assert wcag_violations(page) == []


def test_each_place_on_the_drawing_is_a_big_enough_target(new_context, live_server):
    _draft, page = open_symptoms_step(new_context(viewport=PHONE), live_server)
    page.locator('.body-region--control[data-region="left_hip_thigh"]').click()
    page.locator('.body-region--control[data-region="right_hand"]').click()
    page.get_by_role("radio", name="Cannot move it").first.check()
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("[data-body-map]").screenshot(path=ARTIFACTS / "body-map-390.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.set_viewport_size(NARROW)  # a small phone, or 1280 px zoomed to 400 %
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('[data-region][role="checkbox"]')].map(region => {
            const box = region.getBoundingClientRect();
            return [region.dataset.region, Math.round(box.width), Math.round(box.height)];
        })"""
    )
    assert len(sizes) == 20
    assert [s for s in sizes if s[1] < 44 or s[2] < 44] == []
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    # Targets never overlap: the middle of each one is that place, not its neighbour.
    for code, _width, _height in sizes:
        control = page.locator(f'.body-region--control[data-region="{code}"]')
        control.scroll_into_view_if_needed()
        box = control.bounding_box()
        hit = page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y).closest('[data-region]')?.dataset.region",
            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
        )
        assert hit == code
    page.screenshot(path=ARTIFACTS / "body-map-320.png", full_page=True)


def test_high_contrast_keeps_the_chosen_places_patterned(new_context, live_server):
    context = new_context(viewport={"width": 1280, "height": 900}, forced_colors="active")
    draft, page = open_symptoms_step(context, live_server)
    draft.weakness_map = CHOSEN
    draft.save(update_fields=["weakness_map"])
    page.reload()
    page.wait_for_load_state("load")
    pattern = page.locator("pattern[id$='-front-cannot_move'] .body-pattern__bg")
    assert re.match(
        r"rgb\(0, 0, 0\)|rgb\(255, 255, 255\)",
        pattern.evaluate("element => getComputedStyle(element).fill"),
    )
    page.locator('.body-region--control[data-region="right_knee"]').focus()
    page.locator("[data-body-map]").screenshot(path=ARTIFACTS / "body-map-forced-colors.png")

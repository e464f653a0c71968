"""Marking the body map in a browser journey, as a person does: on the drawing when the script
runs, on the checkboxes when it does not (the stored answer is the same)."""

from playwright.sync_api import Page


def mark_weakness(page: Page, place: str, how: str = "", *, asked="How weak is it?") -> None:
    """Choose `place` ("Left hip or thigh") and how weak it is ("Quite a lot"); `asked` is the
    strength question in the page's language."""
    on_drawing = page.locator(f'.body-region--control[aria-label="{place}"]')
    if on_drawing.count() and on_drawing.first.is_visible():
        on_drawing.first.click()
    else:
        page.locator("[data-body-map]").get_by_role("checkbox", name=place, exact=True).check()
    if how:
        strength = page.get_by_role("group", name=f"{asked} ({place})")
        strength.get_by_label(how, exact=True).check()

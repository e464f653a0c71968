"""The private link shown after step 1 can be copied with one button; without the script, the
page says how to keep it by hand (and no longer suggests a bookmark, which does not keep it)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_rate_limits"),
]

PHONE = {"width": 390, "height": 844}


def reach_the_saved_link(page):
    page.goto("/prepare/step/1/")
    page.get_by_label("Given names").fill("Rosa")
    page.get_by_label("Family name").fill("Example")
    dob = page.get_by_role("group", name=re.compile("Date of birth"))
    dob.get_by_label("Day").fill("27")
    dob.get_by_label("Month").fill("3")
    dob.get_by_label("Year").fill("1946")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Save this link")


def test_one_button_copies_the_private_link_and_says_so(new_context, live_server):
    context = new_context(viewport=PHONE, base_url=live_server.url)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    reach_the_saved_link(page)
    link = page.locator(".private-link a").get_attribute("href")

    page.get_by_role("button", name="Copy the link").click()

    expect(page.get_by_role("status")).to_have_text(
        "Copied. Paste it into an email or a note to yourself."
    )
    assert page.evaluate("navigator.clipboard.readText()") == link
    Path("test-artifacts").mkdir(exist_ok=True)
    page.screenshot(path="test-artifacts/saved-link-390.png", full_page=True)


def test_without_the_script_the_page_says_how_to_keep_the_link(new_context, live_server):
    context = new_context(viewport=PHONE, base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    reach_the_saved_link(page)

    expect(page.get_by_role("button", name="Copy the link")).to_be_hidden()
    tips = page.locator(".save-tips")
    expect(tips).to_contain_text("copy it into a note to yourself")
    expect(tips).not_to_contain_text("bookmark this page's link")

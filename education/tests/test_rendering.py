"""Markdown rendering, sanitising and glossary linking (education.rendering), without a database."""

from education.rendering import (
    GlossaryLink,
    link_glossary_terms,
    plain_text,
    render_markdown,
    render_section_body,
    unique_anchor,
)

ATROPHY = GlossaryLink(slug="atrophy", phrases=("Atrophy", "wasting", "muscle wasting"))
DISUSE = GlossaryLink(slug="disuse-atrophy", phrases=("Disuse atrophy",))
EMG = GlossaryLink(slug="emg", phrases=("EMG", "electromyography"))


def test_markdown_subset_becomes_paragraphs_lists_bold_and_links():
    html = render_markdown(
        "One **bold** and *soft* word.\n\n- first\n- second\n\n"
        "See [urgent signs](/learn/urgent-signs/)."
    )
    assert "<p>One <strong>bold</strong> and <em>soft</em> word.</p>" in html
    assert "<ul>\n<li>first</li>\n<li>second</li>\n</ul>" in html
    assert '<a href="/learn/urgent-signs/">urgent signs</a>' in html


def test_numbered_lists_are_kept():
    assert "<ol>" in render_markdown("1. Call.\n2. Wait.")


def test_sanitiser_removes_scripts_images_styles_and_event_handlers():
    html = render_markdown(
        '<script>alert(1)</script>\n\nHi <b onclick="x()">there</b> ![x](x.png) '
        '<span style="color:red">red</span> [bad](javascript:alert(1))'
    )
    for forbidden in ("<script", "alert(1)</", "onclick", "<img", "style=", "javascript:", "<b"):
        assert forbidden not in html
    assert "there" in html and "red" in html


def test_headings_typed_into_a_section_do_not_become_page_headings():
    html = render_markdown("### Sneaky heading\n\nText.")
    assert "<h3" not in html
    assert "Text." in html


def test_first_occurrence_of_a_glossary_word_links_to_its_entry():
    html = link_glossary_terms("<p>Atrophy is muscle loss. Atrophy can be slow.</p>", [ATROPHY])
    assert html == (
        '<p><a class="glossary-link" href="/learn/glossary/#atrophy">Atrophy</a>'
        " is muscle loss. Atrophy can be slow.</p>"
    )


def test_glossary_linking_ignores_case_but_keeps_the_writers_spelling():
    html = link_glossary_terms("<p>Some call it MUSCLE Wasting.</p>", [ATROPHY])
    assert '<a class="glossary-link" href="/learn/glossary/#atrophy">MUSCLE Wasting</a>' in html


def test_glossary_linking_matches_whole_words_only():
    html = link_glossary_terms("<p>Atrophying and unwasting are not the words.</p>", [ATROPHY])
    assert "<a" not in html


def test_short_abbreviations_link_only_in_capitals():
    linked = link_glossary_terms("<p>An EMG test.</p>", [EMG])
    assert 'href="/learn/glossary/#emg"' in linked
    assert "<a" not in link_glossary_terms("<p>The emg word in lower case.</p>", [EMG])


def test_the_longest_phrase_wins_where_glossary_words_overlap():
    html = link_glossary_terms("<p>Disuse atrophy is one kind of atrophy.</p>", [ATROPHY, DISUSE])
    assert '<a class="glossary-link" href="/learn/glossary/#disuse-atrophy">Disuse atrophy</a>' in (
        html
    )
    assert '<a class="glossary-link" href="/learn/glossary/#atrophy">atrophy</a>.' in html


def test_each_entry_links_once_even_through_its_other_forms():
    html = link_glossary_terms("<p>Electromyography, or EMG, records muscles.</p>", [EMG])
    assert html.count("<a ") == 1
    assert ">Electromyography</a>" in html


def test_words_inside_existing_links_and_tags_are_left_alone():
    html = link_glossary_terms(
        '<p>Read <a href="/learn/emg/">about EMG</a> before your EMG.</p>', [EMG]
    )
    assert '<a href="/learn/emg/">about EMG</a>' in html
    assert 'before your <a class="glossary-link" href="/learn/glossary/#emg">EMG</a>.' in html
    assert html.count("<a ") == 2


def test_glossary_words_in_markup_are_not_touched():
    html = link_glossary_terms('<p><a href="/learn/atrophy/">here</a> atrophy</p>', [ATROPHY])
    assert '<a href="/learn/atrophy/">here</a>' in html
    assert ">atrophy</a></p>" in html


def test_without_a_glossary_the_html_is_unchanged():
    assert link_glossary_terms("<p>Atrophy.</p>", []) == "<p>Atrophy.</p>"


def test_a_section_body_is_rendered_sanitised_and_linked():
    html = render_section_body("Muscle **atrophy**<script>x</script>", [ATROPHY])
    assert html == (
        '<p>Muscle <strong><a class="glossary-link" href="/learn/glossary/#atrophy">atrophy</a>'
        "</strong></p>"
    )


def test_anchors_come_from_headings_and_never_repeat_or_clash_with_page_ids():
    assert unique_anchor("When to get help", []) == "when-to-get-help"
    assert unique_anchor("When to get help", ["when-to-get-help"]) == "when-to-get-help-2"
    assert unique_anchor("Sources", []) == "sources-2"
    assert unique_anchor("???", []) == "section"


def test_plain_text_ends_every_paragraph_and_list_item_as_a_sentence():
    text = plain_text(
        render_markdown("You might notice:\n\n- a weak arm\n- falls\n\nSee **a doctor**. Soon!")
    )
    assert text == "You might notice.\na weak arm.\nfalls.\nSee a doctor. Soon!"

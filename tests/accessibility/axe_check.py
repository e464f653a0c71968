"""The axe-core check the accessibility tests run: WCAG 2.2 A and AA, every impact."""

from axe_playwright_python.sync_playwright import Axe

#: WCAG 2.0, 2.1 and 2.2, levels A and AA: the rules axe-core tags with these.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_AXE = Axe()


def wcag_violations(page) -> list[str]:
    """Every WCAG 2.2 A/AA violation axe-core finds on the page as it stands, whatever its impact.

    One line per rule: its id, impact, help text and the first few elements that break it.
    """
    results = _AXE.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
    ]

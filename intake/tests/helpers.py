"""Helpers for driving the intake form through Django's test client."""

import re

from intake.models import IntakeSubmission

STEP1 = {
    "given_names": "Ann",
    "family_name": "Example",
    "date_of_birth_0": "3",
    "date_of_birth_1": "4",
    "date_of_birth_2": "1950",
}
SARC_F_ALL_SOME = {
    "sarc_f_strength": "1",
    "sarc_f_walking": "1",
    "sarc_f_chair": "1",
    "sarc_f_stairs": "1",
    "sarc_f_falls": "1",
}


def step_url(number: int) -> str:
    return f"/prepare/step/{number}/"


def start_form(client, **fields) -> tuple[IntakeSubmission, str]:
    """Save step 1 with a fresh client; return the submission and the private link's path."""
    response = client.post(step_url(1), {"form_reference": "", **STEP1, **fields})
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response.url, follow=True).content.decode()
    path = re.search(r'href="http://testserver(/prepare/resume/[^"]+)"', page).group(1)
    submission = IntakeSubmission.objects.get(pk=client.session["intake_submission_id"])
    return submission, path


def post_step(client, number: int, data: dict, *, action="next", reference=None):
    """Post a step as the page would, with the bound submission's reference."""
    if reference is None:
        pk = client.session.get("intake_submission_id")
        reference = IntakeSubmission.objects.get(pk=pk).reference if pk else ""
    return client.post(step_url(number), {"form_reference": reference, "action": action, **data})


def rows(prefix: str, *entries: dict) -> dict:
    """Formset data for medicine or injury rows."""
    data = {f"{prefix}-TOTAL_FORMS": str(len(entries)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, entry in enumerate(entries):
        for key, value in entry.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def error_messages(response) -> list[str]:
    html = response.content.decode()
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", m)).replace("Error:", "").strip()
        for m in re.findall(r'<p class="error-message"[^>]*>(.*?)</p>', html, re.S)
    ]

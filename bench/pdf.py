"""Benchmark: CPU time to draw the summary PDF, for a typical form and the largest one, and
the time to serve a sent form's kept PDF (drawn once by the worker, intake/stored_pdfs.py).

WeasyPrint's layout is the cost of a PDF (intake/summary_pdf.py); what matters is that no form a
patient can send takes it past the server's timeout. Measured in CPU seconds of this process
(time.process_time), so a busy machine slows it less than a wall clock would. The forms are
built by the test factories in a throw-away test database (SQLite unless DATABASE_URL says).

    .venv/bin/python bench/pdf.py             # typical and largest, 3 runs each
    .venv/bin/python bench/pdf.py --smoke     # one run each, for CI
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atrophy_site.settings")

#: Typed into every free-text answer of the largest form, up to each field's limit.
SENTENCE = "Why do my legs feel weak when I climb the stairs at home and at work? "


def largest(submission):
    """`submission` with every free-text answer as long as the form allows."""
    from intake.models import IntakeSubmission

    skipped = {"staff_note", "reference", "token_hash", "status", "language"}
    for field in IntakeSubmission._meta.get_fields():
        typed = field.get_internal_type() in ("TextField", "CharField")
        if typed and field.name not in skipped and field.max_length and not field.choices:
            setattr(submission, field.name, (SENTENCE * 100)[: field.max_length])
    submission.save()
    return submission


def cpu_seconds(submission) -> float:
    from django.template.loader import render_to_string

    from intake.languages import clinic_language_context
    from intake.summary import build_summary, load_summary_rows
    from intake.summary_pdf import render_summary_pdf

    context = {"summary": build_summary(load_summary_rows(submission)), "pdf": True}
    html = render_to_string("intake/summary.html", {**context, **clinic_language_context()})
    start = time.process_time()
    render_summary_pdf(html, base_url="http://127.0.0.1/")
    return time.process_time() - start


def kept_pdf_milliseconds(submission, token: str, runs: int) -> list[float]:
    """Wall-clock ms of `GET /prepare/summary/pdf/` when the sent form's PDF is kept."""
    from django.test import Client

    from intake.stored_pdfs import draw_sent_pdfs
    from intake.tokens import resume_link_for

    draw_sent_pdfs(submission.pk)
    client = Client()
    client.get(resume_link_for(submission, token))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get("/prepare/summary/pdf/")
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200 or not response.content.startswith(b"%PDF"):
            raise RuntimeError(f"the kept PDF was not served: {response.status_code}")
    return sorted(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="one run each (CI)")
    runs = 1 if parser.parse_args().smoke else 3

    import django
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    django.setup()
    setup_test_environment()
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        from intake.tests.factories import typical_sent_submission_with_token

        forms = {
            "typical": typical_sent_submission_with_token()[0],
            "largest": largest(typical_sent_submission_with_token()[0]),
        }
        print(f"{'form':<8} {'CPU s (best of ' + str(runs) + ')':>20}")
        for name, submission in forms.items():
            best = min(cpu_seconds(submission) for _ in range(runs))
            print(f"{name:<8} {best:>20.2f}")
        # Cost against the length of one free-text answer (the patient's questions): it must
        # grow no faster than the text (the two-column layout once made it grow far faster).
        print(f"{'questions, characters':<22} {'CPU s':>8}")
        for length in (0, 500, 1000, 2000):
            submission = typical_sent_submission_with_token()[0]
            submission.questions = (SENTENCE * 40)[:length]
            submission.save()
            best = min(cpu_seconds(submission) for _ in range(runs))
            print(f"{length:<22} {best:>8.2f}")
        submission, token = typical_sent_submission_with_token()
        times = kept_pdf_milliseconds(submission, token, runs=5 if runs == 1 else 50)
        median, worst = times[len(times) // 2], times[-1]
        print(f"kept PDF served: median {median:.1f} ms, slowest {worst:.1f} ms")
    finally:
        teardown_databases(databases, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())

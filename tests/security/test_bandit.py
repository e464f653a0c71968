"""bandit (Python security linter) finds nothing in our code that is not justified in place.

Each accepted finding carries `# nosec BXXX` on its line with the reason beside it (after a
second `#`, so bandit does not read the reason's words as test names). Tests are left out: they
use assert and fixed passwords on purpose.
"""

import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
CODE = ["atrophy_site", "education", "intake", "bench"]


def test_bandit_reports_nothing_unjustified():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bandit",
            "--quiet",
            "--recursive",
            *CODE,
            "--exclude",
            "*/tests/*",
            "--format",
            "custom",
            "--msg-template",
            "{relpath}:{line} {test_id} {severity}: {msg}",
        ],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr, result.stderr  # e.g. a malformed nosec comment

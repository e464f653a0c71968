"""The symptoms step became two ("Your symptoms" and "How it affects you", step 3), so every
step from 3 on moved one place: 10 steps became 11.

Renumbers what refers to steps by number: `steps_completed` (step 2 done means the questions now
on step 3 were answered too) and the keys of `unsaved_input`. Frozen: it reads and writes plain
JSON, with no import of today's code.
"""

from django.db import migrations

FIRST_MOVED = 3


def _forward(number: int) -> int:
    return number + 1 if number >= FIRST_MOVED else number


def _backward(number: int) -> int:
    return number - 1 if number > FIRST_MOVED else number


def renumber(apps, schema_editor):
    submissions = apps.get_model("intake", "IntakeSubmission")
    for submission in submissions.objects.only("pk", "steps_completed", "unsaved_input").iterator():
        done = {_forward(int(n)) for n in submission.steps_completed or ()}
        if 2 in done:
            done.add(FIRST_MOVED)
        unsaved = {
            str(_forward(int(key))): value for key, value in (submission.unsaved_input or {}).items()
        }
        submissions.objects.filter(pk=submission.pk).update(
            steps_completed=sorted(done), unsaved_input=unsaved
        )


def renumber_back(apps, schema_editor):
    submissions = apps.get_model("intake", "IntakeSubmission")
    for submission in submissions.objects.only("pk", "steps_completed", "unsaved_input").iterator():
        old = set(submission.steps_completed or ())
        done = {_backward(int(n)) for n in old if int(n) != FIRST_MOVED}
        if FIRST_MOVED in old and 2 not in old:
            done.discard(2)
        unsaved = {
            str(_backward(int(key))): value
            for key, value in (submission.unsaved_input or {}).items()
            if int(key) != FIRST_MOVED
        }
        submissions.objects.filter(pk=submission.pk).update(
            steps_completed=sorted(done), unsaved_input=unsaved
        )


class Migration(migrations.Migration):
    dependencies = [("intake", "0008_medicine_started")]

    operations = [migrations.RunPython(renumber, renumber_back)]

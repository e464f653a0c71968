"""Forms sent before the urgency tiers keep what the patient said, moved honestly to the new
questions (migration 0006), and get the tier their answers call for."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("intake", "0005_submission_language")]
AFTER = [("intake", "0006_urgency_tiers_and_contact")]


@pytest.fixture
def migrate_to():
    """Run the intake migrations to a point; put the database back to the latest afterwards."""

    def run(targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    yield run
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _old_form(apps, reference, **answers):
    submission = apps.get_model("intake", "IntakeSubmission")
    return submission.objects.create(
        reference=reference,
        token_hash=reference * 7,
        status="sent",
        sent_at=timezone.now(),
        full_name="Old Form",
        **answers,
    )


@pytest.mark.django_db(transaction=True)
def test_old_answers_move_to_the_new_questions_without_inventing_a_yes(migrate_to):
    apps = migrate_to(BEFORE)
    _old_form(
        apps,
        "AAAA-2222",
        onset="sudden",
        weakness_side="left",
        other_symptoms=["tiredness", "face_drooping", "spreading_quickly", "trouble_breathing"],
        family_history="No one that I know of.",
    )
    _old_form(
        apps,
        "BBBB-3333",
        onset="gradual",
        course="worse",
        started_when="years",
        other_symptoms=["cramps_twitching"],
        family_history="My mother had muscular dystrophy.",
    )

    apps = migrate_to(AFTER)
    submission = apps.get_model("intake", "IntakeSubmission")
    urgent = submission.objects.get(reference="AAAA-2222")
    assert urgent.onset == "minutes_hours"
    assert urgent.other_symptoms == ["tiredness"]
    assert urgent.urgent_symptoms == ["face_drooping", "trouble_breathing"]
    assert urgent.long_standing_symptoms == []  # never asked then: the safer reading
    assert urgent.spreading == "yes"
    assert urgent.urgency_tier == 1
    # What was typed stays as the details; the Yes / No / Not sure stays unanswered.
    assert urgent.family_history == "No one that I know of."
    assert urgent.family_history_known == ""

    calm = submission.objects.get(reference="BBBB-3333")
    assert (calm.onset, calm.course) == ("gradual", "worse")  # shown as asked on older forms
    assert calm.other_symptoms == ["cramps_twitching"]
    assert calm.urgent_symptoms == []
    assert calm.spreading == ""
    assert calm.urgency_tier == 3
    assert calm.family_history_known == ""
    assert calm.family_history == "My mother had muscular dystrophy."

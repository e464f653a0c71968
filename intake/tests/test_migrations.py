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


@pytest.mark.django_db(transaction=True)
def test_a_form_sent_and_a_draft_saved_under_ten_steps_keep_their_place_in_eleven(migrate_to):
    """Migration 0009: the symptoms step split in two, so step numbers from 3 on moved by one.
    A form sent under the 10-step questions still shows every answer in the right place."""
    apps = migrate_to([("intake", "0008_medicine_started")])
    sent = _old_form(
        apps,
        "CCCC-4444",
        steps_completed=list(range(1, 11)),
        weakness_regions=["hips_thighs"],
        onset="months",
        walking_change="less_well",
        urgent_symptoms=["trouble_breathing"],
        long_standing_symptoms=["trouble_breathing"],
        sarc_f_strength=1,
        sarc_f_walking=0,
        sarc_f_chair=1,
        sarc_f_stairs=1,
        sarc_f_falls=0,
        allergies="Penicillin",
    )
    draft = _old_form(
        apps,
        "DDDD-5555",
        steps_completed=[1, 2, 4],
        unsaved_input={"7": {"alcohol_drinks_per_week": ["lots"]}},
    )
    draft.status = "draft"
    draft.sent_at = None
    draft.save()

    migrate_to([("intake", "0009_split_symptoms_step")])
    migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())  # read by today's code

    from intake.models import IntakeSubmission
    from intake.summary import build_summary, load_summary_rows

    sent = IntakeSubmission.objects.get(reference="CCCC-4444")
    draft = IntakeSubmission.objects.get(reference="DDDD-5555")
    assert sent.steps_completed == list(range(1, 12))
    assert draft.steps_completed == [1, 2, 3, 5]  # step 2 done: its questions now on 3 too
    assert draft.unsaved_input == {"8": {"alcohol_drinks_per_week": ["lots"]}}
    summary = build_summary(load_summary_rows(sent))
    sections = {section.key: section for section in summary.sections}
    effects = {a.label: a for a in sections["effects"].answers}
    assert effects["Signs that can be urgent"].items == (
        "Trouble breathing, or short of breath lying flat (for months, known to a doctor)",
    )
    assert any("Hips or thighs" in answer.items for answer in sections["symptoms"].answers)
    assert sections["strength_check"].answers[-1].value.startswith("3 out of 10")
    assert summary.key_points.points[-1].label == "The patient's questions"


@pytest.mark.django_db(transaction=True)
def test_renumbering_the_steps_can_be_undone(migrate_to):
    apps = migrate_to([("intake", "0009_split_symptoms_step")])
    _old_form(apps, "EEEE-6666", steps_completed=[1, 2, 3, 4, 11], unsaved_input={"5": {}})
    apps = migrate_to([("intake", "0008_medicine_started")])
    form = apps.get_model("intake", "IntakeSubmission").objects.get(reference="EEEE-6666")
    assert form.steps_completed == [1, 2, 3, 10]
    assert form.unsaved_input == {"4": {}}

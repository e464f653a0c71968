"""What a patient tells us before a visit: one `IntakeSubmission` per form, plus repeating rows.

A submission is filled in over ten steps and saved at every step, so every answer field may be
blank until its step is reached; the step forms (intake/forms.py) say what each step requires.
Choices are `TextChoices` so the stored values are stable codes and the labels can be translated.
Lists of choices (body regions, symptoms, conditions...) are JSON lists of those codes, which work
the same on SQLite and PostgreSQL. Repeating groups (medicines, injuries, tests) are real rows.

The private resume link's token is never stored: only its SHA-256 hex digest (`token_hash`), like
a password-reset token (see intake/tokens.py).
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from phonenumber_field.modelfields import PhoneNumberField

from atrophy_site.languages import language_choices
from atrophy_site.prepared import PreparedUpdates

from .staff_review import QUEUE_INDEX_KEYS, SentOnlyHistoricalRecords, StaffReviewFields
from .tiers import UrgencyTier  # noqa: F401 (re-exported: the models' other choices live here)

#: The number of steps in the form; the last one is "Check your answers and send".
STEP_COUNT = 11


#: The longest a name part (given names, family name) may be: two of them and a space fit in the
#: full name's 200 characters but one (the full name is cut there, see `full_name_from_parts`).
NAME_PART_MAX_LENGTH = 100
FULL_NAME_MAX_LENGTH = 200


def full_name_from_parts(given_names: str, family_name: str) -> str:
    """The name on one line, as the queue, search, summary and messages read it: the given names
    and the family name, each stripped, joined by one space ("" when both are empty).

    Either part may be missing (someone with one name gives only a family name). Only what fits
    the full name's column is kept: 200 characters, which two parts of the most 100 pass by one.
    """
    parts = (part.strip() for part in (given_names or "", family_name or ""))
    return " ".join(part for part in parts if part)[:FULL_NAME_MAX_LENGTH].rstrip()


def draft_lifetime() -> timedelta:
    """How long an unsent draft is kept after its last change (setting INTAKE_DRAFT_DAYS)."""
    return timedelta(days=getattr(settings, "INTAKE_DRAFT_DAYS", 30))


class YesNoNotSure(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    NOT_SURE = "not_sure", _("Not sure")


class YesNo(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")


class FilledBy(models.TextChoices):
    """Who is filling in the form: often a carer or family member helps (or writes for) the
    patient, and the clinic should know whose words it reads."""

    PATIENT = "patient", _("I am the patient")
    HELPER = "helper", _("I am helping the patient, for example as family or a carer")


class BodyRegion(models.TextChoices):
    FACE = "face", _("Face, eyes, mouth or jaw")
    NECK = "neck", _("Neck")
    SHOULDERS_UPPER_ARMS = "shoulders_upper_arms", _("Shoulders or upper arms")
    FOREARMS_HANDS = "forearms_hands", _("Forearms, hands or grip")
    TRUNK = "trunk", _("Chest, back or belly")
    HIPS_THIGHS = "hips_thighs", _("Hips or thighs")
    LOWER_LEGS_FEET = "lower_legs_feet", _("Lower legs, ankles or feet")
    ALL_OVER = "all_over", _("All over my body")


class Side(models.TextChoices):
    LEFT = "left", _("Left side")
    RIGHT = "right", _("Right side")
    BOTH = "both", _("Both sides")
    NOT_SURE = "not_sure", _("Not sure")


class StartedWhen(models.TextChoices):
    DAYS = "days", _("In the last few days")
    WEEKS = "weeks", _("In the last few weeks")
    MONTHS = "months", _("In the last few months")
    YEARS = "years", _("More than a year ago")
    NOT_SURE = "not_sure", _("Not sure")


class Onset(models.TextChoices):
    """How quickly the weakness came on: the speed the urgent-signs tiers turn on (Merck).

    GRADUAL is the answer of forms sent before the speeds were asked one by one (it lumped days
    with months); it is kept so those forms still read as they were sent, never offered again.
    """

    MINUTES_HOURS = "minutes_hours", _("Within minutes or hours")
    DAYS = "days", _("Over a few days")
    WEEKS = "weeks", _("Over a few weeks")
    MONTHS = "months", _("Over months or longer")
    NOT_SURE = "not_sure", _("Not sure")
    GRADUAL = "gradual", _("Slowly, over days, weeks or longer (asked on older forms)")


class Course(models.TextChoices):
    """How the weakness is changing. WORSE is the older forms' answer (speed not asked)."""

    WORSE_WEEKLY = "worse_weekly", _("Getting worse from one week to the next")
    WORSE_SLOWLY = "worse_slowly", _("Getting worse slowly, over months")
    SAME = "same", _("Staying the same")
    BETTER = "better", _("Getting better")
    COMES_AND_GOES = "comes_and_goes", _("It comes and goes")
    WORSE = "worse", _("Getting worse (asked on older forms)")


class WalkingChange(models.TextChoices):
    """Can the patient still walk and stand? Newly unable is a tier-1 sign (Merck)."""

    AS_BEFORE = "as_before", _("Yes, as well as before")
    LESS_WELL = "less_well", _("Less well than before, but I can still walk and stand")
    CANNOT_NOW = "cannot_now", _("No. I could a month ago, but now I cannot walk or stand")
    COULD_NOT_BEFORE = "could_not_before", _("I could not walk or stand a month ago either")


class WeaknessLimit(models.TextChoices):
    """How much the weakness limits the patient, in words: the 0 to 10 scale of older forms
    read backwards to many ("how strong is the weakness") and was eleven small targets."""

    NOT_AT_ALL = "not_at_all", _("Not at all")
    A_LITTLE = "a_little", _("A little: I can still do my usual things")
    QUITE_A_LOT = "quite_a_lot", _("Quite a lot: some everyday things are hard")
    A_LOT = "a_lot", _("A lot: I need help with everyday things")
    CANNOT_MOVE = "cannot_move", _("I cannot move the weak part at all")


class UrgentSymptom(models.TextChoices):
    """Signs that can need care today or now (../shared/reference/urgent-signs.md).

    The patient ticks what they have now; for the signs in `LONG_STANDING_ALLOWED` they can add
    that they have had it for months, a doctor knows, and it is not getting worse.
    """

    TROUBLE_BREATHING = "trouble_breathing", _("Trouble breathing, or short of breath lying flat")
    TROUBLE_SWALLOWING = (
        "trouble_swallowing",
        _("Trouble swallowing or chewing, or choking on food or drink"),
    )
    TROUBLE_SPEAKING = "trouble_speaking", _("Trouble speaking, or slurred speech")
    TROUBLE_UNDERSTANDING = "trouble_understanding", _("Trouble understanding speech")
    FACE_DROOPING = "face_drooping", _("One side of my face droops")
    # Asked in their own words: weakness or sight trouble that came on suddenly is a stroke sign
    # whatever the rest of the weakness did ("Trouble seeing" alone reads the weakness's onset).
    SUDDEN_WEAKNESS = (
        "sudden_weakness",
        _("Sudden weakness of my face, arm or leg"),
    )
    SUDDEN_TROUBLE_SEEING = (
        "sudden_trouble_seeing",
        _("Sudden trouble seeing"),
    )
    TROUBLE_SEEING = "trouble_seeing", _("Trouble seeing, or double vision")
    SUDDEN_NUMBNESS_BALANCE = (
        "sudden_numbness_balance",
        _("Sudden numbness of my face, arm or leg, or sudden loss of balance"),
    )
    HEAD_LIFTING = "head_lifting", _("Trouble lifting my head when I lie down")
    DARK_URINE = "dark_urine", _("Dark urine (the colour of tea or cola), or much less urine")
    BLADDER_BOWEL = "bladder_bowel", _("New trouble controlling my bladder or bowels")
    SADDLE_NUMBNESS = "saddle_numbness", _("New numbness between my legs or around my bottom")
    FALL_HURT = (
        "fall_hurt",
        _("A fall in the last 2 weeks where I was hurt or could not get up without help"),
    )
    FEVER = "fever", _("A fever (high temperature)")


#: Signs a patient may have had for a long time, known to a doctor (chronic breathlessness,
#: swallowing trouble after an old stroke...). The others are new or acute by their wording.
LONG_STANDING_ALLOWED = (
    UrgentSymptom.TROUBLE_BREATHING,
    UrgentSymptom.TROUBLE_SWALLOWING,
    UrgentSymptom.TROUBLE_SPEAKING,
    UrgentSymptom.TROUBLE_UNDERSTANDING,
    UrgentSymptom.FACE_DROOPING,
    UrgentSymptom.TROUBLE_SEEING,
    UrgentSymptom.HEAD_LIFTING,
)


class OtherSymptom(models.TextChoices):
    VISIBLE_SHRINKING = "visible_shrinking", _("Muscles look smaller or thinner")
    CRAMPS_TWITCHING = "cramps_twitching", _("Cramps or twitching")
    NUMBNESS_TINGLING = "numbness_tingling", _("Numbness or tingling")
    PAIN = "pain", _("Pain or aching")
    TIREDNESS = "tiredness", _("Tiredness")
    FALLS = "falls", _("Falls or tripping")
    WEIGHT_LOSS = "weight_loss", _("Weight loss")


class HardActivity(models.TextChoices):
    WALKING = "walking", _("Walking")
    STAIRS = "stairs", _("Climbing stairs")
    RISING_FROM_CHAIR = "rising_from_chair", _("Getting up from a chair")
    LIFTING = "lifting", _("Lifting or carrying")
    GRIPPING = "gripping", _("Gripping, opening jars or doing up buttons")
    DRESSING = "dressing", _("Getting dressed")
    WASHING = "washing", _("Washing or bathing")
    RAISING_ARMS = "raising_arms", _("Raising my arms, for example to brush my hair")


#: Answers kept for forms sent before a question changed; never offered on the form again.
LEGACY_CHOICES = frozenset(
    {
        Onset.GRADUAL,
        Course.WORSE,
        # Asked twice: the SARC-F strength check asks about walking, stairs, rising from a chair,
        # lifting and falls, so the symptom lists no longer offer them.
        HardActivity.WALKING,
        HardActivity.STAIRS,
        HardActivity.RISING_FROM_CHAIR,
        HardActivity.LIFTING,
        OtherSymptom.FALLS,
    }
)


def offered_choices(choices) -> list[tuple[str, str]]:
    """The choices the form offers today: all but the ones only older forms have."""
    return [(value, label) for value, label in choices.choices if value not in LEGACY_CHOICES]


class Condition(models.TextChoices):
    """Conditions the Learn pages teach as causes of weakness or muscle loss."""

    STROKE = "stroke", _("Stroke")
    ALS_MND = "als_mnd", _("ALS or motor neuron disease")
    POLIO = "polio", _("Polio")
    GUILLAIN_BARRE = "guillain_barre", _("Guillain-Barré syndrome")
    MUSCULAR_DYSTROPHY = "muscular_dystrophy", _("Muscular dystrophy")
    RHEUMATOID_ARTHRITIS = "rheumatoid_arthritis", _("Rheumatoid arthritis")
    OSTEOARTHRITIS = "osteoarthritis", _("Osteoarthritis")
    SPINAL_CORD_INJURY = "spinal_cord_injury", _("Spinal cord injury")
    NEUROPATHY = "neuropathy", _("Neuropathy (nerve damage)")
    DIABETES = "diabetes", _("Diabetes")
    THYROID = "thyroid", _("Thyroid disease")
    CANCER = "cancer", _("Cancer")
    OTHER = "other", _("Something else")


class ActivityLevel(models.TextChoices):
    MOSTLY_RESTING = "mostly_resting", _("Mostly sitting or lying down")
    LIGHT = "light", _("Light: I move around the home and do light chores")
    MODERATE = "moderate", _("Moderate: I walk or do active chores most days")
    ACTIVE = "active", _("Active: I exercise so that I get out of breath most weeks")


class Appetite(models.TextChoices):
    NORMAL = "normal", _("As usual")
    LESS = "less", _("Less than usual")
    MORE = "more", _("More than usual")


class SuggestedQuestion(models.TextChoices):
    CAUSE = "cause", _("What could be causing my weakness?")
    TESTS = "tests", _("Which tests do I need, and what will they show?")
    MEDICINES = "medicines", _("Could any of my medicines be causing this?")
    EXERCISE = "exercise", _("Which exercises or physical therapy are safe for me?")
    FOOD = "food", _("Should I change what I eat?")
    URGENT = "urgent", _("Which signs mean I should get help urgently?")
    OUTLOOK = "outlook", _("Will this get better, and how long might it take?")
    DAILY_LIFE = "daily_life", _("What help or equipment could make daily life easier?")


class IntakeSubmissionQuerySet(models.QuerySet):
    def drafts(self):
        return self.filter(status=IntakeSubmission.Status.DRAFT)

    def expired_drafts(self, now=None):
        """Drafts not changed for longer than INTAKE_DRAFT_DAYS: no longer reachable, to purge."""
        now = now or timezone.now()
        return self.drafts().filter(
            models.Q(keep_until__isnull=True) | models.Q(keep_until__lt=now),
            updated_at__lt=now - draft_lifetime(),
        )

    def sent(self):
        """Everything the patient has sent, whatever staff have done with it since."""
        return self.exclude(status=IntakeSubmission.Status.DRAFT)


#: The columns the full name is made from.
NAME_PARTS = frozenset({"given_names", "family_name"})


class IntakeSubmission(StaffReviewFields, PreparedUpdates):
    """One patient's answers to "Prepare for your visit".

    The clinic's fields (urgent-signs and SARC-F flags, reviewer, staff note) and the change
    history come from `StaffReviewFields` (intake/staff_review.py).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (not sent)")
        SENT = "sent", _("Sent")
        REVIEWED = "reviewed", _("Reviewed")
        ARCHIVED = "archived", _("Archived")

    # --- Identity and state ---------------------------------------------------------------------
    reference = models.CharField(
        _("reference code"),
        max_length=9,
        unique=True,
        editable=False,
        help_text=_("Short code the patient can quote, for example K7QP-3MXD."),
    )
    token_hash = models.CharField(
        _("private link token hash"),
        max_length=64,
        unique=True,
        editable=False,
        help_text=_("SHA-256 of the private link's token. The token itself is never stored."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT, db_index=True
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    keep_until = models.DateTimeField(
        _("kept at least until"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("An invited form stays open until the day after the appointment."),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    unsaved_input = models.JSONField(
        _("typed input not saved yet"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_(
            "By step: what the patient typed on a page they left with errors (Back, or Save and "
            "come back later), shown again on return. Cleared when the step is saved or sent."
        ),
    )
    steps_completed = models.JSONField(
        _("steps completed"),
        default=list,
        blank=True,
        help_text=_("Step numbers (1 to 10) the patient has saved at least once."),
    )

    # --- Step 1: about you and your visit -------------------------------------------------------
    # Asked in two parts; `full_name` is made from them on every save (see `save`). Forms from
    # before the parts were asked hold only `full_name`, as the patient or the clinic typed it.
    given_names = models.CharField(_("given names"), max_length=NAME_PART_MAX_LENGTH, blank=True)
    family_name = models.CharField(_("family name"), max_length=NAME_PART_MAX_LENGTH, blank=True)
    full_name = models.CharField(_("full name"), max_length=FULL_NAME_MAX_LENGTH, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    appointment_date = models.DateField(_("appointment date"), null=True, blank=True)
    clinician = models.CharField(_("clinician"), max_length=200, blank=True)
    visit_reason = models.TextField(_("main reason for the visit"), max_length=2000, blank=True)
    phone = PhoneNumberField(
        _("phone number"),
        blank=True,
        help_text=_("Stored in international (E.164) form. Needed when an urgent sign is present."),
    )
    email = models.EmailField(_("email address"), blank=True)
    filled_by = models.CharField(
        _("who filled in the form"), max_length=10, choices=FilledBy, blank=True
    )
    helper_name = models.CharField(_("helper's name"), max_length=200, blank=True)
    helper_relationship = models.CharField(
        _("helper's relationship to the patient"), max_length=100, blank=True
    )
    interpreter_needed = models.CharField(
        _("needs an interpreter"), max_length=10, choices=YesNo, blank=True
    )
    interpreter_language = models.CharField(_("interpreter's language"), max_length=100, blank=True)
    access_needs = models.TextField(_("access needs at the visit"), max_length=1000, blank=True)

    # --- Step 2: symptoms -----------------------------------------------------------------------
    weakness_map = models.JSONField(
        _("where the weakness is, and how weak"),
        default=dict,
        blank=True,
        help_text=_(
            "Body map: region code to how weak (intake/body_map.py), the patient's own left "
            "and right."
        ),
    )
    weakness_regions = models.JSONField(
        _("where the weakness is (older forms)"),
        default=list,
        blank=True,
        help_text=_("BodyRegion codes."),
    )
    weakness_side = models.CharField(
        _("which side (older forms)"), max_length=10, choices=Side, blank=True
    )
    started_when = models.CharField(
        _("when it started"), max_length=10, choices=StartedWhen, blank=True
    )
    started_details = models.CharField(
        _("when it started, in the patient's words"), max_length=200, blank=True
    )
    onset = models.CharField(_("how quickly it came on"), max_length=16, choices=Onset, blank=True)
    course = models.CharField(_("how it is changing"), max_length=16, choices=Course, blank=True)
    spreading = models.CharField(
        _("spreading over hours or days"), max_length=10, choices=YesNoNotSure, blank=True
    )
    walking_change = models.CharField(
        _("walking and standing compared with a month ago"),
        max_length=16,
        choices=WalkingChange,
        blank=True,
    )
    weakness_limit = models.CharField(
        _("how much the weakness limits the patient"),
        max_length=12,
        choices=WeaknessLimit,
        blank=True,
    )
    weakness_score = models.PositiveSmallIntegerField(
        _("how strong the weakness is (0 to 10, older forms)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    other_symptoms = models.JSONField(
        _("other symptoms"), default=list, blank=True, help_text=_("OtherSymptom codes.")
    )
    urgent_symptoms = models.JSONField(
        _("signs that can be urgent"),
        default=list,
        blank=True,
        help_text=_("UrgentSymptom codes the patient has now."),
    )
    long_standing_symptoms = models.JSONField(
        _("of those, long-standing and known to a doctor"),
        default=list,
        blank=True,
        help_text=_("UrgentSymptom codes had for months, known to a doctor, not getting worse."),
    )
    hard_activities = models.JSONField(
        _("daily activities that are hard"),
        default=list,
        blank=True,
        help_text=_("HardActivity codes."),
    )

    # --- Step 3: SARC-F (Malmstrom & Morley 2013); each 0 to 2, null until answered --------------
    sarc_f_strength = models.PositiveSmallIntegerField(
        _("SARC-F strength"), null=True, blank=True, validators=[MaxValueValidator(2)]
    )
    sarc_f_walking = models.PositiveSmallIntegerField(
        _("SARC-F assistance in walking"), null=True, blank=True, validators=[MaxValueValidator(2)]
    )
    sarc_f_chair = models.PositiveSmallIntegerField(
        _("SARC-F rise from a chair"), null=True, blank=True, validators=[MaxValueValidator(2)]
    )
    sarc_f_stairs = models.PositiveSmallIntegerField(
        _("SARC-F climb stairs"), null=True, blank=True, validators=[MaxValueValidator(2)]
    )
    sarc_f_falls = models.PositiveSmallIntegerField(
        _("SARC-F falls"), null=True, blank=True, validators=[MaxValueValidator(2)]
    )

    # --- Step 4: medical history ----------------------------------------------------------------
    conditions = models.JSONField(
        _("conditions"), default=list, blank=True, help_text=_("Condition codes.")
    )
    conditions_other = models.CharField(_("other conditions"), max_length=500, blank=True)
    family_history_known = models.CharField(
        _("family history of muscle or nerve disease"),
        max_length=10,
        choices=YesNoNotSure,
        blank=True,
    )
    family_history = models.TextField(_("family history, details"), max_length=2000, blank=True)
    takes_statin = models.CharField(
        _("takes a statin"), max_length=10, choices=YesNoNotSure, blank=True
    )
    statin_started = models.DateField(
        _("statin started (month)"),
        null=True,
        blank=True,
        help_text=_("The first day of the month the patient started the statin, if they know."),
    )
    takes_steroid = models.CharField(
        _("takes steroid tablets or injections"), max_length=10, choices=YesNoNotSure, blank=True
    )
    surgeries = models.TextField(_("operations"), max_length=2000, blank=True)
    allergies = models.TextField(_("allergies"), max_length=1000, blank=True)

    # --- Step 7: lifestyle ----------------------------------------------------------------------
    activity_level = models.CharField(
        _("activity level"), max_length=16, choices=ActivityLevel, blank=True
    )
    sitting_hours = models.PositiveSmallIntegerField(
        _("hours sitting a day"), null=True, blank=True, validators=[MaxValueValidator(24)]
    )
    exercise_days_per_week = models.PositiveSmallIntegerField(
        _("exercise days a week"), null=True, blank=True, validators=[MaxValueValidator(7)]
    )
    recent_immobilisation = models.CharField(
        _("recent bed rest, cast or immobilisation"), max_length=10, choices=YesNo, blank=True
    )
    recent_immobilisation_details = models.CharField(
        _("bed rest, cast or immobilisation details"), max_length=500, blank=True
    )
    alcohol_drinks_per_week = models.PositiveSmallIntegerField(
        _("alcoholic drinks a week"), null=True, blank=True, validators=[MaxValueValidator(200)]
    )
    appetite = models.CharField(_("appetite"), max_length=10, choices=Appetite, blank=True)
    unplanned_weight_loss = models.CharField(
        _("unplanned weight loss"), max_length=10, choices=YesNoNotSure, blank=True
    )
    unplanned_weight_loss_amount = models.CharField(
        _("how much weight, over how long"), max_length=200, blank=True
    )

    # --- Step 9: questions for the doctor -------------------------------------------------------
    questions = models.TextField(_("questions for the doctor"), max_length=3000, blank=True)
    suggested_questions = models.JSONField(
        _("suggested questions ticked"),
        default=list,
        blank=True,
        help_text=_("SuggestedQuestion codes."),
    )

    # --- Step 10: consent and send --------------------------------------------------------------
    consent_given_at = models.DateTimeField(_("consent given"), null=True, blank=True)

    # --- The language the patient filled the form in (set as they save and send) ---------------
    language = models.CharField(
        _("patient's language"),
        max_length=10,
        choices=language_choices,
        blank=True,
        help_text=_("The language of the pages when the patient last saved or sent the form."),
    )

    objects = IntakeSubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("visit preparation form")
        verbose_name_plural = _("visit preparation forms")
        indexes = [
            models.Index(fields=["status", "updated_at"], name="intake_status_updated"),
            # The queue in its order (intake/staff_review.py, QUEUE_INDEX_KEYS): a view of one
            # status ("needs review", "reviewed", "archived", the next form to review) read from
            # the first, every sent form ("all forms", a search) from the second.
            models.Index(models.F("status"), *QUEUE_INDEX_KEYS, name="intake_queue_by_status"),
            models.Index(
                *QUEUE_INDEX_KEYS, name="intake_queue_sent", condition=~models.Q(status="draft")
            ),
            # Today's and tomorrow's appointments, the date filter; the first and last
            # appointment of a view (the date hierarchy, intake/templatetags/queue_dates.py); a
            # search by date of birth and a patient's other forms. Reference codes are unique,
            # so indexed already.
            models.Index(fields=["appointment_date"], name="intake_appointment_date"),
            models.Index(fields=["status", "appointment_date"], name="intake_status_appointment"),
            models.Index(fields=["date_of_birth"], name="intake_date_of_birth"),
            # A search by the clinic's patient number (MRN), which staff add to some forms.
            models.Index(fields=["mrn"], name="intake_mrn", condition=~models.Q(mrn="")),
            # On PostgreSQL only, migration 0018_queue_indexes adds intake_full_name_trgm, a
            # trigram (pg_trgm) GIN index on UPPER(full_name::text), the expression Django's
            # icontains compares, so a search by part of a name reads the index. It is not
            # declared here: SQLite has no GIN indexes (it searches names with a plain LIKE).
        ]
        permissions = [
            ("export_intakesubmission", _("Can export visit preparation forms (CSV)")),
            ("export_fhir_intakesubmission", _("Can export visit preparation forms (FHIR)")),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs):
        """Save, with `full_name` made from the name's parts whenever either part is given.

        A save of some columns only (`update_fields`) that includes a part saves `full_name`
        too. When both parts are empty the full name is left as it is: older forms (and an
        invitation made from a file with one name column) hold the name only there, and it is
        never split by guessing.
        """
        update_fields = kwargs.get("update_fields")
        if update_fields is None or NAME_PARTS.intersection(update_fields):
            derived = full_name_from_parts(self.given_names, self.family_name)
            if derived:
                self.full_name = derived
                if update_fields is not None:
                    kwargs["update_fields"] = {*update_fields, "full_name"}
        super().save(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def furthest_step(self) -> int:
        """The highest step saved so far (0 before the first save)."""
        return max(self.steps_completed, default=0)

    def first_unfinished_step(self) -> int:
        """Where to send a returning patient: the first step never saved (10 when all are)."""
        done = set(self.steps_completed)
        return next((n for n in range(1, STEP_COUNT + 1) if n not in done), STEP_COUNT)

    def mark_step_completed(self, number: int) -> None:
        if number not in self.steps_completed:
            self.steps_completed = sorted([*self.steps_completed, number])

    @property
    def expires_at(self):
        """When an unsent draft stops being reachable (None once it has been sent)."""
        if not self.is_draft:
            return None
        expires = (self.updated_at or timezone.now()) + draft_lifetime()
        return max(expires, self.keep_until) if self.keep_until else expires

    def is_expired(self, now=None) -> bool:
        expires = self.expires_at
        return expires is not None and (now or timezone.now()) >= expires

    @property
    def sarc_f_answers(self) -> dict[str, int | None]:
        """The five SARC-F item scores by component name, as `rules.sarc_f_score` takes them."""
        return {
            "strength": self.sarc_f_strength,
            "walking": self.sarc_f_walking,
            "chair": self.sarc_f_chair,
            "stairs": self.sarc_f_stairs,
            "falls": self.sarc_f_falls,
        }


class _Row(models.Model):
    """A repeating row that belongs to one submission, kept in the order the patient gave."""

    position = models.PositiveSmallIntegerField(_("position"), default=0)

    # Changes after the submission is sent are audited (intake/staff_review.py).
    history = SentOnlyHistoricalRecords(inherit=True, cascade_delete_history=True)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]


class Medicine(_Row):
    submission = models.ForeignKey(
        IntakeSubmission, on_delete=models.CASCADE, related_name="medicines"
    )
    name = models.CharField(_("medicine"), max_length=200)
    dose = models.CharField(_("dose"), max_length=100, blank=True)
    frequency = models.CharField(_("how often"), max_length=100, blank=True)
    started = models.DateField(
        _("started (month)"),
        null=True,
        blank=True,
        help_text=_("The first day of the month the patient started it, if they know."),
    )

    class Meta(_Row.Meta):
        verbose_name = _("medicine")
        verbose_name_plural = _("medicines")

    def __str__(self) -> str:
        return self.name


class Injury(_Row):
    class StillTroubling(models.TextChoices):
        YES = "yes", _("Yes")
        SOMETIMES = "sometimes", _("Sometimes")
        NO = "no", _("No")

    submission = models.ForeignKey(
        IntakeSubmission, on_delete=models.CASCADE, related_name="injuries"
    )
    body_part = models.CharField(_("part of the body"), max_length=100)
    when = models.CharField(
        _("when"), max_length=100, blank=True, help_text=_("Approximate, e.g. 2019, last month.")
    )
    what_happened = models.TextField(_("what happened"), max_length=1000, blank=True)
    treatment = models.TextField(_("treatment"), max_length=1000, blank=True)
    still_troubling = models.CharField(
        _("still troubling"), max_length=10, choices=StillTroubling, blank=True
    )

    class Meta(_Row.Meta):
        verbose_name = _("injury")
        verbose_name_plural = _("injuries")

    def __str__(self) -> str:
        return self.body_part


class TestDone(_Row):
    """One kind of test and whether the patient has had it (one row per kind, in a fixed order)."""

    __test__ = False  # not a pytest test class, despite the name

    class TestType(models.TextChoices):
        BLOOD = "blood", _("Blood tests")
        CT = "ct", _("CT scan")
        MRI = "mri", _("MRI scan")
        NERVE_CONDUCTION = "nerve_conduction", _("Nerve conduction study")
        EMG = "emg", _("EMG (electromyography)")
        NERVE_BIOPSY = "nerve_biopsy", _("Nerve biopsy")
        MUSCLE_BIOPSY = "muscle_biopsy", _("Muscle biopsy")

    submission = models.ForeignKey(
        IntakeSubmission, on_delete=models.CASCADE, related_name="tests_done"
    )
    test_type = models.CharField(_("test"), max_length=20, choices=TestType)
    done = models.CharField(_("had this test"), max_length=10, choices=YesNoNotSure, blank=True)
    when = models.CharField(_("when"), max_length=100, blank=True)
    where = models.CharField(_("where"), max_length=200, blank=True)

    class Meta(_Row.Meta):
        verbose_name = _("test done")
        verbose_name_plural = _("tests done")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "test_type"], name="intake_one_row_per_test_type"
            )
        ]

    def __str__(self) -> str:
        return self.get_test_type_display()


class StaffAccess(models.Model):
    """A member of staff saw or took personal data: the audit log (HIPAA 45 CFR 164.312(b)).

    One row per look: the queue listed (with the search and filters used), a form opened in the
    admin, a summary or its PDF opened, the patient's copy printed, a CSV or FHIR export, the
    examiner's findings listed or opened. Written
    by the functions in intake/audit.py, never by hand; nobody can change or delete a row in the
    admin, superusers included, and only superusers read it. Keeps the references and username as
    text so the record outlives a purged submission or a removed account (neither is health data).
    """

    class Action(models.TextChoices):
        QUEUE = "queue", _("listed forms in the queue")
        FORM = "form", _("opened a form")
        SUMMARY = "summary", _("opened a summary")
        SUMMARY_PDF = "summary_pdf", _("downloaded a summary PDF")
        PATIENT_COPY = "patient_copy", _("printed the patient's copy")
        EXPORT_CSV = "export_csv", _("exported forms to CSV")
        EXPORT_FHIR = "export_fhir", _("exported forms as FHIR")
        EXAMINATION = "examination", _("listed or opened examination findings")
        NEW_LINK = "new_link", _("issued a new private link")

    action = models.CharField(
        _("what"), max_length=20, choices=Action, default=Action.SUMMARY, db_index=True
    )
    submission = models.ForeignKey(
        IntakeSubmission,
        verbose_name=_("submission"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_accesses",
        help_text=_("The form, when one form was seen."),
    )
    references = models.TextField(
        _("reference codes"), blank=True, help_text=_("Every form seen, by reference code.")
    )
    form_count = models.PositiveIntegerField(_("forms"), default=1)
    search = models.CharField(
        _("search and filters"),
        max_length=500,
        blank=True,
        help_text=_("What the queue was searched for and filtered by."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150, db_index=True)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("staff access")
        verbose_name_plural = _("staff access log")

    def __str__(self) -> str:
        return f"{self.username} · {self.get_action_display()} · {self.references[:40]}"


# --- What the clinic finds on examination (never shown to patients) -----------------------------

#: The muscle groups whose power is graded, left and right: one list for the model's fields, the
#: admin's grid, the summary and FHIR: proximal and distal movements of arm and leg, each one
#: the MRC memorandum (see intake/findings.py) shows how to test.
MUSCLE_GROUPS = (
    ("shoulder_abduction", _("Shoulder abduction")),
    ("elbow_flexion", _("Elbow flexion")),
    ("elbow_extension", _("Elbow extension")),
    ("wrist_extension", _("Wrist extension")),
    ("finger_abduction", _("Finger abduction")),
    ("hip_flexion", _("Hip flexion")),
    ("knee_extension", _("Knee extension")),
    ("ankle_dorsiflexion", _("Ankle dorsiflexion")),
)
BODY_SIDES = (("left", _("left")), ("right", _("right")))

#: The Medical Research Council grades, weakest first (their meaning: intake/findings.py).
MRC_GRADES = ("0", "1", "2", "3", "4-", "4", "4+", "5")


def mrc_field_name(group: str, side: str) -> str:
    """The field holding one muscle group's grade on one side: "mrc_hip_flexion_left"."""
    return f"mrc_{group}_{side}"


#: Every MRC grade field, in the order of MUSCLE_GROUPS, left before right.
MRC_FIELD_NAMES = tuple(
    mrc_field_name(group, side) for group, _label in MUSCLE_GROUPS for side, _side in BODY_SIDES
)


def _range_validators(low, high, message):
    """Both ends of a range with one message that states it, e.g. "between 0 and 100 kg"."""
    return [MinValueValidator(low, message=message), MaxValueValidator(high, message=message)]


class ReferenceSex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    NOT_RECORDED = "not_recorded", _("Not recorded")


class Examination(models.Model):
    """What a clinician found on examining the patient at a visit: never shown to the patient.

    Sources of the measures (their rules and cut-offs are in intake/findings.py):
    - Muscle power: Medical Research Council, Aids to the examination of the peripheral nervous
      system, Memorandum no. 45 (HMSO, 1976): grades 0 to 5, with 4-, 4 and 4+ for movement
      against slight, moderate and strong resistance. Blank means not tested.
    - Grip strength (hand-held dynamometer), chair stand (five rises, or rises in 30 seconds),
      4-metre gait speed at usual pace and calf circumference: the tests of EWGSOP2, Cruz-Jentoft
      AJ et al., Sarcopenia: revised European consensus on definition and diagnosis, Age Ageing
      2019;48(1):16-31. Their cut-offs depend on sex, hence `reference_sex`.
    - Weight and height for the body mass index, which is computed, never stored.

    Recorded against the visit's submission; a patient's examinations over time are those on
    every sent submission with the same name and date of birth (findings.patient_examinations).
    """

    submission = models.ForeignKey(
        IntakeSubmission,
        verbose_name=_("visit preparation form"),
        on_delete=models.CASCADE,
        related_name="examinations",
        help_text=_("The visit this examination was recorded at."),
    )
    examined_on = models.DateField(_("examined on"), default=timezone.localdate)
    examined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("examined by"),
        null=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="+",
    )
    # A copy of the name, so the record keeps it when the account is removed.
    examiner_name = models.CharField(_("examiner"), max_length=150, blank=True, editable=False)
    reference_sex = models.CharField(
        _("sex for reference values"),
        max_length=12,
        choices=ReferenceSex,
        default=ReferenceSex.NOT_RECORDED,
        help_text=_(
            "The EWGSOP2 cut-off for grip strength differs for men and women; without this it "
            "is not applied."
        ),
    )

    grip_left_kg = models.DecimalField(
        _("grip strength, left (kg)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=_range_validators(0, 100, _("Enter a grip strength between 0 and 100 kg.")),
    )
    grip_right_kg = models.DecimalField(
        _("grip strength, right (kg)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=_range_validators(0, 100, _("Enter a grip strength between 0 and 100 kg.")),
    )
    dynamometer = models.CharField(
        _("dynamometer"),
        max_length=100,
        blank=True,
        help_text=_("The make and kind, for example Jamar hydraulic."),
    )

    chair_stand_30s_count = models.PositiveSmallIntegerField(
        _("chair stands in 30 seconds"),
        null=True,
        blank=True,
        validators=_range_validators(0, 60, _("Enter a number of chair stands between 0 and 60.")),
    )
    five_sit_to_stand_seconds = models.DecimalField(
        _("five sit-to-stands (seconds)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=_range_validators(
            0, 120, _("Enter a time for five sit-to-stands between 0 and 120 seconds.")
        ),
        help_text=_("Five rises from a chair without using the arms, timed."),
    )

    walk_4m_seconds = models.DecimalField(
        _("4-metre walk (seconds)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=_range_validators(
            1, 120, _("Enter a 4-metre walk time between 1 and 120 seconds.")
        ),
        help_text=_("At the patient's usual pace. The gait speed is worked out from it."),
    )

    calf_circumference_cm = models.DecimalField(
        _("calf circumference (cm)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=_range_validators(15, 70, _("Enter a calf circumference between 15 and 70 cm.")),
    )
    weight_kg = models.DecimalField(
        _("weight (kg)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=_range_validators(20, 300, _("Enter a weight between 20 and 300 kg.")),
    )
    height_cm = models.DecimalField(
        _("height (cm)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=_range_validators(100, 230, _("Enter a height between 100 and 230 cm.")),
    )

    notes = models.TextField(_("notes"), max_length=4000, blank=True)

    #: The fields that are findings: an examination needs at least one of them.
    FINDING_FIELDS = (
        *MRC_FIELD_NAMES,
        "grip_left_kg",
        "grip_right_kg",
        "chair_stand_30s_count",
        "five_sit_to_stand_seconds",
        "walk_4m_seconds",
        "calf_circumference_cm",
        "weight_kg",
        "height_cm",
        "notes",
    )

    class Meta:
        ordering = ["examined_on", "pk"]
        verbose_name = _("examination")
        verbose_name_plural = _("examinations")

    def __str__(self) -> str:
        return f"{self.submission.reference} · {self.examined_on:%Y-%m-%d}"

    def clean(self):
        super().clean()
        if all(getattr(self, name) in (None, "") for name in self.FINDING_FIELDS):
            raise ValidationError(_("Enter at least one finding."))


# The sixteen MRC grade fields, generated from MUSCLE_GROUPS (blank: not tested).
for _group, _group_label in MUSCLE_GROUPS:
    for _side, _side_label in BODY_SIDES:
        Examination.add_to_class(
            mrc_field_name(_group, _side),
            models.CharField(
                format_lazy("{}, {}", _group_label, _side_label),
                max_length=2,
                choices=[(grade, grade) for grade in MRC_GRADES],
                blank=True,
            ),
        )


# --- Links, invitations and reminders (intake/invitations.py, intake/tokens.py) ---------------


class PrivateLink(models.Model):
    """A further private link to one form: from an invitation, a reminder or "email me my link".

    A form has its first link in `IntakeSubmission.token_hash` and may have several of these
    (each reminder brings a fresh one); all open the same form, for as long as the form itself
    is reachable. Only the SHA-256 of each token is stored. Staff issuing a new link removes
    them all (intake/tokens.py, replace_all_links).
    """

    class Purpose(models.TextChoices):
        INVITATION = "invitation", _("invitation")
        REMINDER = "reminder", _("reminder")
        EMAILED = "emailed", _("emailed on request")

    submission = models.ForeignKey(
        IntakeSubmission, on_delete=models.CASCADE, related_name="private_links"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    purpose = models.CharField(_("sent as"), max_length=12, choices=Purpose)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("private link")
        verbose_name_plural = _("private links")

    def __str__(self) -> str:
        return f"{self.submission.reference} · {self.get_purpose_display()}"


class Invitation(models.Model):
    """The clinic asked a patient to prepare for a visit: a draft form made for them.

    The draft (`submission`) holds the name, date of birth, appointment date, clinician and
    language, so the patient's link opens a form with them filled in; this row holds how to reach
    the patient and what has happened. Its status is worked out from the form (see `status`).
    """

    class Status(models.TextChoices):
        SENT = "sent", _("Invited")
        OPENED = "opened", _("Opened")
        STARTED = "started", pgettext_lazy("invitation status", "Started")
        SUBMITTED = "submitted", _("Sent back")
        EXPIRED = "expired", _("Expired")

    submission = models.OneToOneField(
        IntakeSubmission,
        verbose_name=_("form"),
        on_delete=models.CASCADE,
        related_name="invitation",
    )
    email = models.EmailField(_("email address"), blank=True)
    mobile = PhoneNumberField(_("mobile number"), blank=True)
    appointment_at = models.DateTimeField(_("appointment"))
    created_at = models.DateTimeField(_("invited"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message_sent_at = models.DateTimeField(_("message sent"), null=True, blank=True)
    opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)

    class Meta:
        ordering = ["appointment_at", "pk"]
        # The list's order, and the counts above the queue (appointments today or later).
        indexes = [
            models.Index(fields=["appointment_at", "id"], name="intake_invitation_appointment")
        ]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.submission.reference

    def status(self, now=None) -> str:
        """Sent back, expired, started, opened or invited, the first that applies."""
        submission = self.submission
        if not submission.is_draft:
            return self.Status.SUBMITTED
        if submission.is_expired(now):
            return self.Status.EXPIRED
        if submission.steps_completed:
            return self.Status.STARTED
        if self.opened_at:
            return self.Status.OPENED
        return self.Status.SENT

    def get_status_display(self, now=None) -> str:
        return self.Status(self.status(now)).label


class Reminder(models.Model):
    """One reminder sent for an invitation, so that it is never sent twice.

    The unique pair (invitation, days_before) is the lock: the worker that inserts the row sends
    the message; any other worker racing it gets an IntegrityError and sends nothing.
    """

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField(_("days before the appointment"))
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        ordering = ["-days_before"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "days_before"], name="intake_one_reminder_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.invitation} · {self.days_before}"


class StoredPdf(models.Model):
    """A sent form's PDF, drawn once (by the worker when the form is sent) and served from here.

    One per form, kind and language. `fingerprint` is the form's last change when it was drawn:
    a staff change (status, note) makes it stale, and the next request draws it again. Removed
    with its form (CASCADE), so the retention rules remove it too (intake/stored_pdfs.py).
    """

    class Kind(models.TextChoices):
        SUMMARY = "summary", _("visit summary")
        YOUR_COPY = "your_copy", _("patient's copy")

    submission = models.ForeignKey(
        IntakeSubmission, on_delete=models.CASCADE, related_name="stored_pdfs"
    )
    kind = models.CharField(max_length=10, choices=Kind)
    language = models.CharField(max_length=10)
    fingerprint = models.CharField(max_length=100)
    pdf = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("stored PDF")
        verbose_name_plural = _("stored PDFs")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "kind", "language"], name="intake_one_pdf_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} · {self.kind} · {self.language}"


class FailedLinkAttempt(models.Model):
    """Failed private-link attempts per client and time window, counted here only while the
    shared cache is down, so the guessing limit still holds across workers (intake/tokens.py)."""

    client_hash = models.CharField(max_length=64)
    window_start = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client_hash", "window_start"], name="intake_one_count_per_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client_hash[:8]} · {self.window_start:%Y-%m-%d %H:%M} · {self.count}"


class Export(models.Model):
    """A large export (CSV or FHIR Bundle) made by the background worker (intake/export_jobs.py).

    Its file is kept in the database in pieces (`ExportPart`), not on one server's disk, so any
    server can hand it over and it is removed with the export. Only who asked for it (and
    superusers) may download it, for INTAKE_EXPORT_KEEP_HOURS after it was asked for.
    """

    class Kind(models.TextChoices):
        CSV = "csv", _("CSV")
        FHIR = "fhir", _("FHIR Bundle (JSON)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=4, choices=Kind)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked for by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("asked for"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    submission_ids = models.JSONField(_("forms"), default=list)
    total = models.PositiveIntegerField(_("forms to export"), default=0)
    done = models.PositiveIntegerField(_("forms exported"), default=0)
    size = models.PositiveBigIntegerField(_("file size"), default=0)
    error = models.CharField(_("what went wrong"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.total} · {self.created_at:%Y-%m-%d %H:%M}"


class ExportPart(models.Model):
    """One piece of an export's file, in order."""

    export = models.ForeignKey(Export, on_delete=models.CASCADE, related_name="parts")
    number = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["export", "number"], name="intake_export_part_order")
        ]

    def __str__(self) -> str:
        return f"{self.export_id} · {self.number}"

"""A submission's answers as text, read through the question definition (intake/questions.py).

`reading(question, record)` is how one stored answer reads; `answer_lines(step, record)` reads a
step's questions with their follow-ups folded into the same line ("Yes (Spanish)"). The patient's
"Check your answers" page (`answers_by_step`), the visit summary, the CSV export and the staff
admin all read answers through these, so they cannot disagree about what the patient said.
"""

from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .body_map import region_words
from .forms import first_input_id, form_for
from .models import IntakeSubmission
from .questions import STEPS, Kind, Question, Step
from .rules import SARC_F_POSITIVE_FROM, sarc_f_positive, sarc_f_score


def label_of(choices, code: str) -> str:
    """The label of a stored choice code, or the code itself if it is no longer offered."""
    if code in ("", None):
        return ""
    try:
        return str(choices(code).label)
    except ValueError:
        return code


def reading(question: Question, record) -> str | list[str]:
    """One stored answer as the patient or doctor reads it: text, or a list for CHOICES and the
    body map.

    "" (or []) when not answered.
    """
    value = getattr(record, question.slug)
    kind = question.kind
    if kind == Kind.CHOICES:
        return [label_of(question.choices, code) for code in value or ()]
    if kind == Kind.BODY_MAP:
        return region_words(value)  # ["Left hip or thigh (quite a lot)", "Right hand (a little)"]
    if value is None or value == "":
        return ""
    if kind == Kind.CHOICE:
        return label_of(question.choices, value)
    if kind == Kind.SCORED:
        answers = question.scored_answers
        words = str(answers[value]) if 0 <= value < len(answers) else ""
        return f"{words} ({value})" if words else str(value)
    if kind == Kind.DATE:
        return date_format(value)  # "3 April 1950", "3 de abril de 1950"
    if kind == Kind.MONTH_YEAR:
        return date_format(value, "YEAR_MONTH_FORMAT")
    return str(value)


def joined(first: str, *details: str) -> str:
    """An answer and the details typed with it, on one line: "Yes (a cast for 6 weeks)"."""
    details = [d for d in details if d]
    if not first:
        return ", ".join(details)
    return f"{first} ({', '.join(details)})" if details else first


def staff_label(question: Question, model=IntakeSubmission) -> str:
    """How staff read a question (summary, admin, CSV): the model field's own name for it."""
    return capfirst(str(model._meta.get_field(question.slug).verbose_name))


def is_shown(question: Question, record, value) -> bool:
    """Whether an answer gets a line: every question asked today, older ones only if answered
    (and not with an answer that says nothing, like "Yes" for a test the patient ticked)."""
    if getattr(record, question.slug) in question.unremarkable:
        return False
    return question.asked or bool(value)


def _answered(record, slug: str) -> bool:
    return getattr(record, slug) not in ("", None, [], {})


def superseded(step: Step, question: Question, record) -> bool:
    """Whether another line says this answer on this form, so it gets none of its own.

    A derived answer (`derived_from`: the full name) gives way to the parts it is made from,
    once any is answered (a newer form); parts that are all empty give way to a derived answer
    that holds what they would (an older form: its name only as one line).
    """
    if question.derived_from:
        return any(_answered(record, slug) for slug in question.derived_from)
    return any(
        question.slug in other.derived_from
        and _answered(record, other.slug)
        and not any(_answered(record, slug) for slug in other.derived_from)
        for other in step.questions
    )


@dataclass
class Line:
    """One question of a step with its follow-ups folded in."""

    question: Question
    value: str | list[str]

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)


def folded(step: Step, question: Question, record) -> str | list[str]:
    """A question's answer with its follow-ups folded into the same line.

    - a detail of one answer ("Yes" + "Spanish") reads "Yes (Spanish)";
    - a detail of one ticked box ("Something else" + "gout") replaces that box's label with
      "Something else: gout";
    - a nested list (the signs known to a doctor) marks the ticked boxes it covers:
      "Trouble swallowing (for months, known to a doctor)".
    """
    value = reading(question, record)
    for child in step.questions:
        if child.parent != question.slug:
            continue
        if child.nested_in:
            nested = {label_of(child.choices, c) for c in getattr(record, child.slug) or ()}
            value = [f"{item} ({child.short})" if item in nested else item for item in value]
        elif question.kind == Kind.CHOICES:
            detail = reading(child, record)
            if detail:
                label = label_of(question.choices, child.shown_when[1])
                value = [f"{item}: {detail}" if item == label else item for item in value]
        else:
            value = joined(value, reading(child, record))
    return value


def answer_lines(step: Step, record) -> list[Line]:
    """The step's questions in order, each follow-up read on its parent's line (`folded`), and
    each answer once (`superseded`: the name in parts, or in one line on older forms)."""
    lines = []
    for question in step.questions:
        if question.parent:
            continue
        value = folded(step, question, record)
        if is_shown(question, record, value) and not superseded(step, question, record):
            lines.append(Line(question, value))
    return lines


def row_lines(step: Step, row) -> list[Line]:
    """A repeating row's answers, its main one (the row's title) first."""
    return [
        Line(question, value)
        for question in step.rows.questions
        if is_shown(question, row, value := reading(question, row))
    ]


# --- The patient's "Check your answers" page ------------------------------------------------------


@dataclass
class Answer:
    label: str
    value: str | list[str]  # "" or [] when not answered

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)


@dataclass
class Group:
    """A repeating row (one medicine, one injury, one test) and its answers."""

    title: str
    answers: list[Answer]


@dataclass
class StepAnswers:
    number: int
    title: str
    completed: bool
    answers: list[Answer] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    empty_groups_text: str = ""


@dataclass
class MissingAnswer:
    """A question that must be answered before the form can be sent, and where to answer it."""

    step: int
    label: str
    field_id: str


def sarc_f_total_for_patient(submission: IntakeSubmission) -> str:
    score = sarc_f_score(**submission.sarc_f_answers)
    if score is None:
        return ""
    if sarc_f_positive(score):
        return _(
            "%(score)s out of 10. A total of %(limit)s or more suggests the doctor checks your "
            "muscle strength and size. It is not a diagnosis."
        ) % {"score": score, "limit": SARC_F_POSITIVE_FROM}
    return _("%(score)s out of 10.") % {"score": score}


def answers_by_step(submission: IntakeSubmission, steps=None) -> list[StepAnswers]:
    """Every answer, step by step, labelled as the patient saw the questions."""
    steps = STEPS if steps is None else steps
    done = set(submission.steps_completed)
    result = []
    for step in steps.values():
        if step.kind == "check":
            continue
        answers, groups = [], []
        if step.rows:
            for row in getattr(submission, step.rows.related_name).all():
                title, *rest = row_lines(step, row) or [None]
                groups.append(
                    Group(
                        title.value if title else "",
                        [Answer(str(line.question.check_label), line.value) for line in rest],
                    )
                )
        else:
            answers = [
                Answer(str(line.question.check_label), line.value)
                for line in answer_lines(step, submission)
            ]
            if step.slug == "strength_check":
                answers.append(Answer(_("Total"), sarc_f_total_for_patient(submission)))
        result.append(
            StepAnswers(
                number=step.number,
                title=str(step.title),
                completed=step.number in done,
                answers=answers,
                groups=groups,
                empty_groups_text=str(step.rows.empty_text) if step.rows else "",
            )
        )
    return result


def missing_answers(submission: IntakeSubmission, steps=None) -> list[MissingAnswer]:
    """The questions required to send that have no answer yet, each with a link target.

    Saving for later never asks for them; the check page lists them before sending.
    """
    steps = STEPS if steps is None else steps
    missing = []
    for step in steps.values():
        for question in step.asked:
            if question.required and reading(question, submission) in ("", []):
                box = first_input_id(form_for(step)()[question.slug])
                missing.append(MissingAnswer(step.number, str(question.check_label), box))
    return missing

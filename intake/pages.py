"""The form(s) on each kind of step page, behind one small interface the step view uses.

    page = page_for(step, submission, data)   # data=None shows the saved answers
    page.is_valid(); page.save(submission); page.error_list(); page.context()

A "fields" step edits columns of the submission (one ModelForm); "medicines" and "injuries" are
rows with Add another and Remove buttons that work without JavaScript; "tests" is one small form
per kind of test.
"""

from django.db import transaction
from django.http import QueryDict

from atrophy_site.prepared import PreparedValues

from . import forms
from .models import Injury, IntakeSubmission, Medicine, TestDone, YesNoNotSure
from .questions import INJURIES, MEDICINES


class FieldsPage:
    def __init__(self, step, submission, data=None):
        self.step = step
        self.form = forms.form_for(step)(data=data, instance=submission or IntakeSubmission())

    def is_valid(self) -> bool:
        return self.form.is_valid()

    def cleaned_fields(self) -> dict:
        return {name: self.form.cleaned_data[name] for name in self.form.Meta.fields}

    def valid_fields(self) -> dict:
        """The answers that passed their checks, on a page that has errors elsewhere."""
        data = getattr(self.form, "cleaned_data", {})
        return {name: data[name] for name in self.form.Meta.fields if name in data}

    def save_valid(self, submission: IntakeSubmission) -> None:
        """Save the answers that passed their checks; the step does not count as done."""
        fields = self.valid_fields()
        for name, value in fields.items():
            setattr(submission, name, value)
        submission.save(update_fields=[*fields, "updated_at"])

    def save(self, submission: IntakeSubmission) -> None:
        self.form.save_step(submission)

    def error_list(self):
        return self.form.error_list()

    def disable(self) -> None:
        for field in self.form.fields.values():
            field.disabled = True

    def context(self) -> dict:
        return {"form": self.form}  # its crispy-forms helper lays the questions out


class RowsPage:
    """Medicines or injuries: any number of rows, up to forms.MAX_ROWS."""

    model = None
    related_name = ""
    formset_factory = None
    prefix = ""
    #: Start with no row (an "Add" button) rather than one empty row to fill or skip.
    starts_empty = False
    #: The saved rows' answers, in order: `submission.<related_name>.values(<the questions asked>)`,
    #: with its SQL compiled once (atrophy_site/prepared.py), as every show and save of the page
    #: reads them.
    saved_rows: PreparedValues

    def __init__(self, step, submission, data=None, *, add_row=False):
        self.step = step
        initial = []
        if submission is not None and submission.pk:
            initial = self.saved_rows(submission.pk)
        self.saved_count = len(initial)
        self.removed = None
        if data is not None:
            data, self.removed = _without_removed_row(data, self.prefix)
            self.formset = type(self).formset_factory(data=data)
        else:
            if add_row or (not initial and not self.starts_empty):
                initial.append({})
            self.formset = type(self).formset_factory(initial=initial)
            if add_row:
                # After "Add another", the keyboard and screen reader start in the new row.
                new_row = self.formset.forms[-1]
                new_row.fields[new_row.main_field].widget.attrs["autofocus"] = True

    @property
    def row_count(self) -> int:
        return len(self.formset.forms)

    def is_valid(self) -> bool:
        return self.formset.is_valid()

    def rows(self) -> list[dict]:
        return self.formset.filled_rows()

    def save(self, submission: IntakeSubmission) -> None:
        rows = self.rows()
        with transaction.atomic():
            getattr(submission, self.related_name).all().delete()
            self.model.objects.bulk_create(
                self.model(submission=submission, position=index, **row)
                for index, row in enumerate(rows)
            )
            submission.save(update_fields=["steps_completed", "updated_at"])

    def error_list(self):
        return self.formset.error_list()

    def disable(self) -> None:
        for form in self.formset.forms:
            for field in form.fields.values():
                field.disabled = True

    def context(self) -> dict:
        return {
            "formset": self.formset,
            "max_rows": forms.MAX_ROWS,
            "at_limit": self.row_count >= forms.MAX_ROWS,
        }

    def save_valid(self, submission: IntakeSubmission) -> None:
        """Nothing: rows are saved all together or not at all, so a page with an error waits,
        as typed, in the submission's unsaved input (see views._save_for_later)."""


class MedicinesPage(RowsPage):
    model = Medicine
    fields = tuple(q.slug for q in MEDICINES.rows.questions if q.asked)
    related_name = "medicines"
    saved_rows = PreparedValues(Medicine, "submission", fields)
    formset_factory = staticmethod(forms.medicine_formset)
    prefix = "medicine"


class InjuriesPage(RowsPage):
    model = Injury
    fields = tuple(q.slug for q in INJURIES.rows.questions if q.asked)
    related_name = "injuries"
    saved_rows = PreparedValues(Injury, "submission", fields)
    formset_factory = staticmethod(forms.injury_formset)
    prefix = "injury"
    # Most patients have no injury to list: they continue; the others press "Add an injury".
    starts_empty = True


class TestsPage:
    """Step 8: one checklist of tests had, with when and where for each one ticked.

    A test ticked is stored as a row with done = Yes; one not ticked has no row (the patient has
    not had it, or does not know). Older forms' No and Not sure rows show as not ticked.
    """

    #: `submission.tests_done.values(...)`, compiled once (atrophy_site/prepared.py).
    saved_rows = PreparedValues(TestDone, "submission", ("test_type", "done", "when", "where"))

    def __init__(self, step, submission, data=None):
        self.step = step
        initial = {"tests_had": []}
        if submission is not None and submission.pk:
            for row in self.saved_rows(submission.pk):
                if row["done"] == YesNoNotSure.YES:
                    initial["tests_had"].append(row["test_type"])
                initial[f"{row['test_type']}_when"] = row["when"]
                initial[f"{row['test_type']}_where"] = row["where"]
        self.form = forms.TestsChecklistForm(data=data, initial=initial)

    def is_valid(self) -> bool:
        return self.form.is_valid()

    def save(self, submission: IntakeSubmission) -> None:
        ticked = set(self.form.cleaned_data["tests_had"])
        order = list(TestDone.TestType.values)
        with transaction.atomic():
            submission.tests_done.exclude(test_type__in=ticked).delete()
            for test_type in order:
                if test_type not in ticked:
                    continue
                TestDone.objects.update_or_create(
                    submission=submission,
                    test_type=test_type,
                    defaults={
                        "position": order.index(test_type),
                        "done": YesNoNotSure.YES,
                        "when": self.form.cleaned_data[f"{test_type}_when"],
                        "where": self.form.cleaned_data[f"{test_type}_where"],
                    },
                )
            submission.save(update_fields=["steps_completed", "updated_at"])

    def save_valid(self, submission: IntakeSubmission) -> None:
        """Nothing: the checklist is saved all together or not at all, so a page with an error
        waits, as typed, in the submission's unsaved input (see views._save_for_later)."""

    def error_list(self):
        return self.form.error_list()

    def disable(self) -> None:
        for field in self.form.fields.values():
            field.disabled = True

    def context(self) -> dict:
        return {"form": self.form}


PAGES = {
    "fields": FieldsPage,
    "medicines": MedicinesPage,
    "injuries": InjuriesPage,
    "tests": TestsPage,
}


def page_for(step, submission, data=None, **kwargs):
    return PAGES[step.kind](step, submission, data, **kwargs)


def _without_removed_row(data: QueryDict, prefix: str) -> tuple[QueryDict, int | None]:
    """If the patient pressed a row's Remove button, the posted rows without that one.

    The Remove buttons post `action=remove-<index>`; the rows after it move up one place, so the
    formset sees a plain list of rows and the patient's other input stays as typed.
    """
    action = data.get("action", "")
    # isdecimal, not isdigit: "²" is a digit that int() refuses (a 500 from a tampered post).
    if not action.startswith("remove-") or not action[len("remove-") :].isdecimal():
        return data, None
    removed = int(action[len("remove-") :])
    total_key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(total_key, "0"))
    except ValueError:
        return data, None
    if not 0 <= removed < total:
        return data, None
    result = QueryDict(mutable=True)
    row_prefix = f"{prefix}-"
    for key, values in data.lists():
        if key.startswith(row_prefix) and key[len(row_prefix) :].split("-", 1)[0].isdecimal():
            index_text, rest = key[len(row_prefix) :].split("-", 1)
            index = int(index_text)
            if index == removed:
                continue
            new_index = index - 1 if index > removed else index
            result.setlist(f"{row_prefix}{new_index}-{rest}", values)
        else:
            result.setlist(key, values)
    result[total_key] = str(total - 1)
    return result, removed

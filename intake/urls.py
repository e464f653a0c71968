from django.urls import path

from . import link_views, summary_views, views
from .fhir import views as fhir_views

app_name = "intake"

urlpatterns = [
    path("", views.start, name="start"),
    path("step/<int:number>/", views.step, name="step"),
    path("check-your-answers/", views.check_answers, name="check_answers"),
    path("get-help-now/", views.urgent, name="urgent"),
    path("sent/", views.sent, name="sent"),
    path("saved/", link_views.saved, name="saved"),
    path("saved/new-link/", link_views.new_link, name="new_link"),
    path("email-my-link/", link_views.email_link, name="email_link"),
    # The token sits after /resume/ so atrophy_site.logging can redact it from log lines.
    path("resume/<str:token>/", views.resume, name="resume"),
    path("resume/<str:token>/saved/", link_views.saved_link, name="saved_link"),
    path("continue/", views.continue_form, name="continue"),
    path("new/", views.start_new, name="new"),
    path("finish/", views.finish, name="finish"),
    # The visit summary (intake/summary_views.py): the patient's, opened through the session
    # that the private link binds, and the staff's, by reference code.
    path("summary/", summary_views.patient_summary, name="summary"),
    path("summary/pdf/", summary_views.patient_summary_pdf, name="summary_pdf"),
    # The patient's own shorter copy, in the language of their form, through the same session.
    path("summary/your-copy/", summary_views.your_copy, name="your_copy"),
    path("summary/your-copy/pdf/", summary_views.your_copy_pdf, name="your_copy_pdf"),
    path("staff/summary/<str:reference>/", summary_views.staff_summary, name="staff_summary"),
    path(
        "staff/summary/<str:reference>/pdf/",
        summary_views.staff_summary_pdf,
        name="staff_summary_pdf",
    ),
    path(
        "staff/summary/<str:reference>/patient-copy/",
        summary_views.staff_patient_copy,
        name="staff_patient_copy",
    ),
    path(
        "staff/summary/<str:reference>/your-copy/",
        summary_views.staff_your_copy,
        name="staff_your_copy",
    ),
    # FHIR (intake/fhir/): the questions as a Questionnaire, public (no personal data), at its
    # canonical URL and under a plain file name. Responses are downloaded from the admin.
    path(
        "fhir/Questionnaire/visit-preparation",
        fhir_views.questionnaire_view,
        name="fhir_questionnaire",
    ),
    path("fhir/Questionnaire.json", fhir_views.questionnaire_view, name="fhir_questionnaire_json"),
    # Our answer codes, at the path of their canonical URLs (FHIR_CODE_SYSTEM_BASE).
    path("fhir/CodeSystem/<slug:slug>", fhir_views.code_system_view, name="fhir_code_system"),
]

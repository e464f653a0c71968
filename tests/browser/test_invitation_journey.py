"""From the clinic's invitation to the patient's own copy, in a real browser and a real SMTP server.

A member of staff invites a Spanish-speaking patient in the admin; the worker sends the email
(read back from an SMTP server on loopback); the link opens a form already filled in, in
Spanish; she stops half way ("Save and come back later" closes the form on that device); the
reminder three days before brings a fresh link that works; she sends, and reads her own copy
in Spanish.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from conftest import DESKTOP, PHONE
from intake.invitations import send_reminders
from intake.models import IntakeSubmission, Invitation, Reminder
from tests.staff import PASSWORD, current_code, enrol_totp, make_staff_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_rate_limits"),
]

LINK = re.compile(r"https?://[^\s\"<>]+(/prepare/resume/[A-Za-z0-9_-]{43}/)")


def body_text(message) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content()


def in_group(page, name):
    return page.get_by_role("group", name=re.compile("^" + re.escape(name)))


def test_an_invited_patient_is_reminded_sends_and_reads_her_copy_in_spanish(
    new_context, live_server, smtp_server, run_tasks, settings
):
    settings.PUBLIC_BASE_URL = live_server.url
    appointment = timezone.localtime() + datetime.timedelta(days=10)
    nurse = make_staff_user("nurse")
    device = enrol_totp(nurse)

    # The clinic invites her.
    staff = new_context(viewport=DESKTOP, base_url=live_server.url).new_page()
    staff.goto(reverse("admin:intake_invitation_add"))
    staff.get_by_label("Username").fill("nurse")
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_label("Code from your authenticator app").fill(current_code(device))
    staff.get_by_role("button", name="Log in").click()
    staff.get_by_label("Patient's given names").fill("Rosa")
    staff.get_by_label("Patient's family name").fill("Núñez Pérez")
    staff.get_by_label("Date of birth").fill("1946-03-27")
    staff.get_by_label("Email address").fill("rosa@example.org")
    staff.get_by_label("Appointment").fill(appointment.strftime("%Y-%m-%d 10:00"))
    staff.get_by_label("Patient's language").select_option("es")
    staff.get_by_role("button", name="Save", exact=True).click()
    expect(staff.locator(".messagelist")).to_contain_text("Invitation made for Rosa Núñez Pérez")
    expect(staff.locator("#result_list")).to_contain_text("Invited")

    # The worker sends the email; it says nothing about her health.
    run_tasks()
    invitation_email = smtp_server.wait_for(1)[0]
    assert invitation_email["To"] == "rosa@example.org"
    assert invitation_email["Subject"].startswith("Prepárese para su consulta")
    first_link = LINK.search(body_text(invitation_email))[1]

    # Her phone: the form opens in Spanish with her name and birth date filled in.
    phone = new_context(viewport=PHONE, base_url=live_server.url).new_page()
    phone.goto(first_link)
    expect(phone.locator("html")).to_have_attribute("lang", "es")
    expect(phone.locator(".step-caption")).to_have_text("Paso 1 de 11")
    expect(phone.get_by_label("Nombre(s)")).to_have_value("Rosa")
    expect(phone.get_by_label("Apellido(s)")).to_have_value("Núñez Pérez")
    phone.get_by_role("button", name="Guardar y continuar").click()
    expect(phone.locator(".step-caption")).to_have_text("Paso 2 de 11")
    in_group(phone, "¿Cuándo empezó?").get_by_label("En los últimos meses").check()

    # Half way, she stops: the form closes on this phone.
    phone.get_by_role("button", name="Guardar y volver más tarde").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Sus respuestas están guardadas")
    phone.goto("/prepare/step/2/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Prepárese para su consulta")
    assert "Rosa" not in phone.locator("main").inner_text()
    invitation = Invitation.objects.get()
    assert invitation.status() == Invitation.Status.STARTED

    # Three days before the visit, a reminder with a fresh link.
    assert send_reminders(now=invitation.appointment_at - datetime.timedelta(days=2)) == 1
    assert send_reminders(now=invitation.appointment_at - datetime.timedelta(days=2)) == 0
    reminder = smtp_server.wait_for(2)[1]
    reminder_link = LINK.search(body_text(reminder))[1]
    assert reminder_link != first_link
    assert Reminder.objects.get().days_before == 3

    # The reminder's link opens her answers where she stopped; she finishes and sends.
    phone.goto(reminder_link)
    expect(phone.locator(".step-caption")).to_have_text("Paso 3 de 11")
    phone.goto("/prepare/step/4/")
    for question, answer in (
        ("¿Cuánta dificultad tiene para levantar y cargar", "Alguna"),
        ("¿Cuánta dificultad tiene para cruzar", "Ninguna"),
        ("¿Cuánta dificultad tiene para levantarse", "Mucha"),
        ("¿Cuánta dificultad tiene para subir", "Alguna"),
        ("¿Cuántas veces se ha caído", "Ninguna"),
    ):
        in_group(phone, question).get_by_label(answer).check()
    phone.get_by_role("button", name="Guardar y continuar").click()
    phone.goto("/prepare/check-your-answers/")
    phone.get_by_label(re.compile("Entiendo que esto no es un diagnóstico")).check()
    phone.get_by_role("button", name="Enviar a la clínica").click()
    expect(phone.get_by_role("heading", name="Sus respuestas se enviaron")).to_be_visible()
    submission = IntakeSubmission.objects.get()
    assert not submission.is_draft and submission.language == "es"
    assert Invitation.objects.get().status() == Invitation.Status.SUBMITTED

    # Her own copy, in Spanish.
    phone.goto(reverse("intake:your_copy"))
    expect(phone.locator("html")).to_have_attribute("lang", "es")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Lo que le contó a la clínica")
    expect(phone.locator("main")).to_contain_text("Qué pasa ahora")
    expect(phone.locator("main")).to_contain_text(submission.reference)
    expect(phone.locator("main")).to_contain_text("Núñez")
    expect(phone.locator("main")).not_to_contain_text("Key points")

    # No reminder once sent.
    assert send_reminders(now=invitation.appointment_at - datetime.timedelta(hours=20)) == 0

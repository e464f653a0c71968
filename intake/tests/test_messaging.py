"""Emails and text messages that carry a private link (intake/messaging.py, intake/sms.py).

Emails go through a real SMTP server on loopback (the `smtp_server` fixture), so these tests see
what a mail program would: the headers, both parts, the encoding.

The Spanish wording is not translated yet: for Spanish, these tests rely only on Django's own
translations (day and month names). Assertions on the Spanish text come with the catalogue.
"""

import datetime
import logging
import re

import environ
import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import BadHeaderError, EmailMessage

from atrophy_site import checks as site_checks
from atrophy_site.email_config import email_settings
from intake import sms
from intake.messaging import PURPOSES, absolute_url, send_link_email, send_link_sms

LINK = "https://clinic.example.org/prepare/resume/" + "Ab3_-" * 8 + "xyz/"
#: 15:00 UTC is 10:00 in New York in December (EST, UTC-5).
APPOINTMENT = datetime.datetime(2026, 12, 3, 15, 0, tzinfo=datetime.UTC)
SENDER = "Sunrise Clinic <no-reply@clinic.example.org>"

#: Words that would tell a reader of the message something about the patient's health.
HEALTH_WORDS = [
    "muscle",
    "weak",
    "atroph",
    "symptom",
    "diagnos",
    "condition",
    "pain",
    "fall",
    "urgent",
    "músculo",
    "muscular",
    "debilidad",
    "atrofia",
    "síntoma",
    "diagnóstico",
]

#: Django's own Spanish names for that day (nothing of ours is translated yet).
SPANISH_DATE = "jueves 3 de diciembre de 2026"
ENGLISH_DATE = "Thursday 3 December 2026"


@pytest.fixture(autouse=True)
def clinic(settings):
    settings.CLINIC_NAME = "Sunrise Clinic"
    settings.CLINIC_PHONE = "+1 (201) 555-0199"
    settings.DEFAULT_FROM_EMAIL = SENDER
    settings.TIME_ZONE = "America/New_York"


def parts(message) -> tuple[str, str]:
    """The plain text and HTML parts of a received message."""
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content()


def assert_no_health_words(*texts: str) -> None:
    for text in texts:
        found = [word for word in HEALTH_WORDS if word in text.lower()]
        assert found == [], f"health words {found} in: {text}"


# --- Email, through SMTP -------------------------------------------------------------------------


@pytest.mark.parametrize("purpose", PURPOSES)
@pytest.mark.parametrize(
    ("language", "date_words"), [("en", ENGLISH_DATE), ("es", SPANISH_DATE)], ids=["en", "es"]
)
def test_link_email_arrives_with_plain_and_html_parts_in_the_patients_language(
    smtp_server, purpose, language, date_words
):
    send_link_email(
        to="rosa@example.org",
        link=LINK,
        language=language,
        purpose=purpose,
        appointment_at=APPOINTMENT,
    )
    [message] = smtp_server.wait_for(1)
    plain, html = parts(message)
    assert message["From"] == SENDER
    assert message["To"] == "rosa@example.org"
    assert smtp_server.recipients == [["rosa@example.org"]]
    assert message["Auto-Submitted"] == "auto-generated"
    subject = message["Subject"]
    assert "\n" not in subject and "Sunrise Clinic" in subject
    # The link in full, on a line of its own in the plain part (once), and in the HTML part as
    # the address and as the text people see.
    assert plain.splitlines().count(LINK) == 1
    assert plain.count(LINK) == 1
    assert f'<a href="{LINK}"' in html and f">{LINK}</a>" in html
    assert "Sunrise Clinic" in plain and "Sunrise Clinic" in html
    # The appointment, in the patient's language and the clinic's time zone (10:00, not 15:00).
    assert date_words in plain and date_words in html
    assert "10:00" in plain and "10:00" in html
    assert "15:00" not in plain
    assert f'<html lang="{language}">' in html
    assert_no_health_words(subject, plain, html)


@pytest.mark.parametrize(
    ("purpose", "subject"),
    [
        ("invitation", "Prepare for your visit at Sunrise Clinic"),
        ("reminder", "Reminder: prepare for your visit at Sunrise Clinic"),
        ("your_link", "Your link to prepare for your visit at Sunrise Clinic"),
    ],
)
def test_english_emails_say_what_they_are_for_who_to_call_and_that_they_can_be_ignored(
    smtp_server, purpose, subject
):
    send_link_email(
        to="rosa@example.org", link=LINK, language="en", purpose=purpose, appointment_at=APPOINTMENT
    )
    [message] = smtp_server.wait_for(1)
    plain, html = parts(message)
    assert message["Subject"] == subject
    assert f"{ENGLISH_DATE} at 10:00." in plain
    assert "If you have a question, call Sunrise Clinic on +1 (201) 555-0199." in plain
    assert '<a href="tel:+12015550199">+1 (201) 555-0199</a>' in html
    assert "If you did not expect this message, you can ignore it." in plain
    assert "If you did not expect this message, you can ignore it." in html
    assert "Only share it with someone who is helping you." in plain


def test_without_an_appointment_or_a_clinic_phone_those_lines_are_left_out(smtp_server, settings):
    settings.CLINIC_PHONE = ""
    send_link_email(to="rosa@example.org", link=LINK, language="en", purpose="invitation")
    [message] = smtp_server.wait_for(1)
    plain, html = parts(message)
    assert "You have a visit at Sunrise Clinic soon." in plain
    assert "call" not in plain.lower() and "tel:" not in html
    assert plain.count(LINK) == 1


def test_the_html_part_stands_alone_with_no_script_and_nothing_loaded_from_elsewhere(smtp_server):
    send_link_email(to="rosa@example.org", link=LINK, language="en", purpose="reminder")
    _plain, html = parts(smtp_server.wait_for(1)[0])
    assert "<script" not in html.lower()
    assert not re.search(r"<(img|link|iframe)\b", html, re.IGNORECASE)
    assert not re.search(r"""src=|url\(|@import""", html)
    # Every address in the page is the private link or the clinic's phone.
    assert set(re.findall(r'href="([^"]+)"', html)) == {LINK, "tel:+12015550199"}
    assert "light dark" in html  # the email program's dark mode applies


def test_text_of_clinic_name_is_escaped_in_html_and_kept_as_typed_in_plain_text(
    smtp_server, settings
):
    settings.CLINIC_NAME = "Smith & Jones <Neurology>"
    send_link_email(to="rosa@example.org", link=LINK, language="en", purpose="invitation")
    [message] = smtp_server.wait_for(1)
    plain, html = parts(message)
    assert message["Subject"] == "Prepare for your visit at Smith & Jones <Neurology>"
    assert "Smith & Jones <Neurology>" in plain
    assert "Smith &amp; Jones &lt;Neurology&gt;" in html and "<Neurology>" not in html


def test_a_clinic_name_with_a_line_break_cannot_add_a_header(smtp_server, settings):
    settings.CLINIC_NAME = "Sunrise Clinic\r\nBcc: thief@example.org\r\nX-Injected: yes"
    send_link_email(to="rosa@example.org", link=LINK, language="en", purpose="invitation")
    [message] = smtp_server.wait_for(1)
    # Our subject is made one line (intake.messaging.one_line): the attempt stays in the subject
    # as harmless text, and no header and no recipient is added.
    assert message["Subject"] == (
        "Prepare for your visit at Sunrise Clinic Bcc: thief@example.org X-Injected: yes"
    )
    assert message["Bcc"] is None and message["X-Injected"] is None
    assert smtp_server.recipients == [["rosa@example.org"]]


def test_django_refuses_a_header_or_an_address_with_a_line_break(smtp_server):
    # The layer under ours: had a newline reached the subject, Django would refuse the message.
    with pytest.raises(BadHeaderError):
        EmailMessage(subject="Hello\nBcc: thief@example.org", to=["rosa@example.org"]).message()
    # And an address with a line break in it is refused before anything is sent.
    with pytest.raises(ValueError, match="Invalid address"):
        send_link_email(
            to="rosa@example.org\nBcc: thief@example.org",
            link=LINK,
            language="en",
            purpose="your_link",
        )
    assert smtp_server.messages == []


def test_an_unknown_purpose_is_refused(smtp_server):
    with pytest.raises(ValueError, match="purpose"):
        send_link_email(to="rosa@example.org", link=LINK, language="en", purpose="results")
    assert smtp_server.messages == []


def test_in_development_the_file_backend_writes_the_email_where_a_developer_can_read_it(
    settings, tmp_path
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    send_link_email(to="rosa@example.org", link=LINK, language="en", purpose="your_link")
    [written] = list(tmp_path.iterdir())
    assert LINK in written.read_text()


# --- Settings: EMAIL_URL, PUBLIC_BASE_URL and the deploy checks -----------------------------------


def parsed(url: str, file_path="/srv/app/data/mail") -> dict:
    return email_settings(environ.Env.email_url_config(url), file_path=file_path)


def test_smtp_tls_email_url_turns_on_starttls_on_port_587():
    config = parsed("smtp+tls://mailer:p%40ss@mail.example.org")
    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert config["EMAIL_USE_TLS"] is True and config["EMAIL_USE_SSL"] is False
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"]) == ("mail.example.org", 587)
    assert (config["EMAIL_HOST_USER"], config["EMAIL_HOST_PASSWORD"]) == ("mailer", "p@ss")


def test_other_email_urls_get_their_ports_and_django_defaults():
    ssl = parsed("smtp+ssl://mail.example.org")
    assert (ssl["EMAIL_USE_SSL"], ssl["EMAIL_USE_TLS"], ssl["EMAIL_PORT"]) == (True, False, 465)
    plain = parsed("smtp://localhost:2525")
    assert (plain["EMAIL_PORT"], plain["EMAIL_HOST_USER"], plain["EMAIL_USE_TLS"]) == (
        2525,
        "",
        False,
    )
    files = parsed("filemail://")
    assert files["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert files["EMAIL_FILE_PATH"] == "/srv/app/data/mail"
    assert parsed("filemail:////srv/outgoing")["EMAIL_FILE_PATH"] == "/srv/outgoing"


def test_absolute_url_starts_at_public_base_url(settings):
    settings.PUBLIC_BASE_URL = "https://clinic.example.org/"
    assert absolute_url("/prepare/resume/abc/") == "https://clinic.example.org/prepare/resume/abc/"
    settings.PUBLIC_BASE_URL = ""
    with pytest.raises(ImproperlyConfigured, match="PUBLIC_BASE_URL"):
        absolute_url("/prepare/")


def ids(messages) -> list[str]:
    return [message.id for message in messages]


def test_deploy_check_warns_when_production_email_goes_to_a_file(settings):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    [warning] = site_checks.email_check(None)
    assert warning.id == "atrophy.W002" and warning.level == checks.WARNING
    settings.DEBUG = True
    assert site_checks.email_check(None) == []


def test_deploy_check_only_notes_the_production_default_of_a_local_mail_server(settings):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "localhost"
    settings.DEFAULT_FROM_EMAIL = "Visit preparation <no-reply@localhost>"
    notes = site_checks.email_check(None)
    assert ids(notes) == ["atrophy.I001", "atrophy.I002"]
    assert all(note.level < checks.WARNING for note in notes)  # CI's --fail-level WARNING passes
    settings.EMAIL_HOST = "mail.example.org"
    settings.DEFAULT_FROM_EMAIL = SENDER
    assert site_checks.email_check(None) == []


def test_deploy_check_warns_when_links_would_not_be_https(settings):
    settings.DEBUG = False
    settings.PUBLIC_BASE_URL = "http://clinic.example.org"
    assert ids(site_checks.public_base_url_check(None)) == ["atrophy.W003"]
    settings.PUBLIC_BASE_URL = ""
    assert ids(site_checks.public_base_url_check(None)) == ["atrophy.W003"]
    settings.PUBLIC_BASE_URL = "https://clinic.example.org"
    assert site_checks.public_base_url_check(None) == []


def test_deploy_check_notes_that_text_messages_are_only_logged(settings):
    settings.DEBUG = False
    settings.SMS_BACKEND = "intake.sms.LoggingSmsBackend"
    [note] = site_checks.sms_check(None)
    assert note.id == "atrophy.I003" and note.level == checks.INFO
    settings.SMS_BACKEND = "clinic_sms.ProviderBackend"
    assert site_checks.sms_check(None) == []


# --- Text messages -------------------------------------------------------------------------------


class RecordingBackend(sms.SmsBackend):
    """A provider's backend, as a clinic would write one."""

    sent: list[tuple[str, str]] = []

    def send(self, to: str, text: str) -> None:
        self.sent.append((to, text))


def test_get_sms_backend_honours_the_setting(settings):
    settings.SMS_BACKEND = "intake.tests.test_messaging.RecordingBackend"
    RecordingBackend.sent.clear()
    backend = sms.get_sms_backend()
    assert isinstance(backend, RecordingBackend)
    send_link_sms(to="+12015550123", link=LINK, language="en", purpose="your_link")
    assert RecordingBackend.sent == [
        ("+12015550123", f"Sunrise Clinic: here is your link to prepare for your visit: {LINK}")
    ]
    settings.SMS_BACKEND = "intake.sms.LoggingSmsBackend"
    assert type(sms.get_sms_backend()) is sms.LoggingSmsBackend


def test_the_backend_gets_the_number_in_e164_however_it_was_written(sms_outbox, settings):
    settings.PHONENUMBER_DEFAULT_REGION = "US"
    for written in ("+34 612 34 56 78", "(201) 555-0123"):
        send_link_sms(to=written, link=LINK, language="en", purpose="your_link")
    assert [message.to for message in sms_outbox] == ["+34612345678", "+12015550123"]
    for wrong in ("12", "call me"):
        with pytest.raises(ValueError, match="Not a valid mobile number") as refused:
            send_link_sms(to=wrong, link=LINK, language="en", purpose="your_link")
        assert wrong not in str(refused.value)
    assert len(sms_outbox) == 2


def test_the_base_backend_must_be_subclassed():
    with pytest.raises(NotImplementedError):
        sms.SmsBackend().send("+12015550123", "text")


@pytest.mark.parametrize("purpose", PURPOSES)
def test_text_message_is_short_and_in_the_patients_language(sms_outbox, purpose):
    send_link_sms(
        to="+34612345678", link=LINK, language="es", purpose=purpose, appointment_at=APPOINTMENT
    )
    [message] = sms_outbox
    assert message.to == "+34612345678"
    assert message.text.startswith("Sunrise Clinic") and message.text.endswith(LINK)
    assert "\n" not in message.text
    if purpose != "your_link":
        assert SPANISH_DATE in message.text  # Django's Spanish; our words come with the catalogue
    assert len(message.text) - len(LINK) <= 120  # short: the words around the link
    assert_no_health_words(message.text)


def test_english_text_messages_read_plainly(sms_outbox):
    send_link_sms(
        to="+12015550123",
        link=LINK,
        language="en",
        purpose="invitation",
        appointment_at=APPOINTMENT,
    )
    send_link_sms(to="+12015550123", link=LINK, language="en", purpose="reminder")
    assert [message.text for message in sms_outbox] == [
        "Sunrise Clinic: please answer some questions before your visit on "
        f"{ENGLISH_DATE} at 10:00: {LINK}",
        f"Sunrise Clinic reminder: please answer the questions before your visit: {LINK}",
    ]


def test_the_logging_backend_logs_a_masked_number_and_never_the_link(settings, caplog):
    settings.SMS_BACKEND = "intake.sms.LoggingSmsBackend"
    caplog.set_level(logging.INFO)
    send_link_sms(
        to="+1 (201) 555-0123",
        link=LINK,
        language="en",
        purpose="invitation",
        appointment_at=APPOINTMENT,
    )
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "to=********123 " in logged
    assert "555" not in logged and "0123" not in logged
    token = LINK.rstrip("/").rsplit("/", 1)[1]
    assert token not in logged and "/resume/" not in logged
    assert all(token not in str(record.args) for record in caplog.records)


def test_masked_number_keeps_only_the_last_three_digits():
    assert sms.masked_number("+34 612 345 678") == "********678"
    assert sms.masked_number("12") == "***"

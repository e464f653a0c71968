"""The emails and text messages that carry a patient's private link.

Plain functions, called by the background worker (intake/tasks.py, intake/invitations.py), never
by a request: `send_link_email` and `send_link_sms`, for three purposes:

- "invitation": the clinic invites the patient to prepare for the visit;
- "reminder": the form is not sent yet and the appointment is near;
- "your_link": the patient asked for their link again.

Each message is written in the patient's language, names the clinic, gives the link in full on
a line of its own, and the appointment's date and time when known, in the clinic's time zone.

What a message must never say: anything about the patient's health. An email or a text can be
read by someone else (a shared inbox, a phone's lock screen, a family member's device), and even
"muscle weakness" in a subject line discloses a health concern to them. So no symptoms, no
answers, no condition, and the link says nothing either (`/prepare/resume/<token>/`): only what
the patient needs to act, in the spirit of HIPAA's "minimum necessary" standard (45 CFR
164.502(b)). `intake/tests/test_messaging.py` checks every message for health words.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, pgettext
from phonenumber_field.phonenumber import PhoneNumber
from phonenumbers import NumberParseException

from atrophy_site.context_processors import DEFAULT_CLINIC_NAME, tel_uri

from .sms import get_sms_backend

logger = logging.getLogger(__name__)

PURPOSES = ("invitation", "reminder", "your_link")


def absolute_url(path: str) -> str:
    """The full address of a path on this site ("/prepare/resume/…/"), from PUBLIC_BASE_URL.

    Messages are built with no request to take the site's address from.
    """
    base = getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/")
    if not base:
        raise ImproperlyConfigured(
            "PUBLIC_BASE_URL is empty: set it to the site's address, e.g. https://clinic.example.org"
        )
    if not path.startswith("/"):
        raise ValueError(f"absolute_url needs a path starting with '/', not {path!r}")
    return base + path


@dataclass(frozen=True)
class LinkMessage:
    """The words of one message, in the active language; the templates lay them out."""

    subject: str
    greeting: str
    before_link: list[str]
    link: str
    after_link: list[str]
    closing: str
    sign_off: str
    #: "If you have a question, call…", as text and as HTML with a tel: link; empty without
    #: CLINIC_PHONE.
    help: str = ""
    help_html: SafeString | str = ""


def clinic_name() -> str:
    """CLINIC_NAME, or "your clinic" in the active language when it was left at its default."""
    name = settings.CLINIC_NAME
    return gettext("your clinic") if name == DEFAULT_CLINIC_NAME else name


def one_line(text: str) -> str:
    """Text with every run of whitespace, newlines included, made one space (for subjects)."""
    return " ".join(text.split())


def appointment_words(appointment_at: datetime) -> str:
    """The appointment's day, date and time in the active language, in settings.TIME_ZONE
    ("Monday 30 November 2026 at 10:00", "lunes 30 de noviembre de 2026 a las 10:00" once
    translated).

    The time is on the 24-hour clock, as the staff pages and the clinic's letters write it
    (English's own TIME_FORMAT, "10 a.m.", would also end a sentence in "a.m..").
    """
    local = timezone.localtime(appointment_at, timezone.get_default_timezone())
    return pgettext("appointment in a message", "%(weekday)s %(date)s at %(time)s") % {
        "weekday": date_format(local, "l"),
        "date": date_format(local, "DATE_FORMAT"),
        "time": date_format(local, "H:i"),
    }


def link_message(*, link: str, purpose: str, appointment_at: datetime | None = None) -> LinkMessage:
    """The words of an email for `purpose`, in the active language."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {', '.join(PURPOSES)}, not {purpose!r}")
    clinic = clinic_name()
    when = appointment_words(appointment_at) if appointment_at else ""

    if purpose == "invitation":
        subject = pgettext("email subject", "Prepare for your visit at %(clinic)s")
        if when:
            visit = gettext("You have a visit at %(clinic)s on %(when)s.")
        else:
            visit = gettext("You have a visit at %(clinic)s soon.")
        before_link = [
            visit % {"clinic": clinic, "when": when},
            gettext(
                "Before your visit, please answer some questions on our website. "
                "Your answers help your doctor get ready for your visit."
            ),
            gettext("To start, open this link:"),
        ]
        after_link = [gettext("You can stop at any time and carry on later with the same link.")]
    elif purpose == "reminder":
        subject = pgettext("email subject", "Reminder: prepare for your visit at %(clinic)s")
        if when:
            visit = gettext("Your visit at %(clinic)s is on %(when)s.")
        else:
            visit = gettext("Your visit at %(clinic)s is soon.")
        before_link = [
            visit % {"clinic": clinic, "when": when},
            gettext("We have not received your answers to the questions before your visit yet."),
            gettext("To carry on, open this link:"),
        ]
        after_link = [gettext("Anything you have already answered is saved.")]
    else:  # your_link
        subject = pgettext("email subject", "Your link to prepare for your visit at %(clinic)s")
        before_link = [
            gettext("You asked for your link to prepare for your visit at %(clinic)s.")
            % {"clinic": clinic}
        ]
        if when:
            before_link.append(gettext("Your visit is on %(when)s.") % {"when": when})
        before_link.append(gettext("To carry on, open this link:"))
        after_link = []

    after_link.append(
        gettext(
            "Anyone with this link can see your answers. "
            "Only share it with someone who is helping you."
        )
    )
    help_text, help_html = "", ""
    if settings.CLINIC_PHONE:
        sentence = gettext("If you have a question, call %(clinic)s on %(phone)s.")
        help_text = sentence % {"clinic": clinic, "phone": settings.CLINIC_PHONE}
        phone_link = format_html(
            '<a href="{}">{}</a>', tel_uri(settings.CLINIC_PHONE), settings.CLINIC_PHONE
        )
        # The translated sentence is trusted like a template; the clinic's name is escaped and
        # the number goes in as a tappable link.
        help_html = format_html(
            sentence.replace("{", "{{")
            .replace("}", "}}")
            .replace("%(clinic)s", "{clinic}")
            .replace("%(phone)s", "{phone}"),
            clinic=clinic,
            phone=phone_link,
        )
    return LinkMessage(
        subject=one_line(subject % {"clinic": clinic}),
        greeting=gettext("Hello,"),
        before_link=before_link,
        link=link,
        after_link=after_link,
        help=help_text,
        help_html=help_html,
        closing=gettext("If you did not expect this message, you can ignore it."),
        sign_off=clinic,
    )


def send_link_email(
    *,
    to: str,
    link: str,
    language: str,
    purpose: str,
    appointment_at: datetime | None = None,
) -> None:
    """Email `link` to `to` in `language`, as plain text and HTML, from DEFAULT_FROM_EMAIL.

    Raises when the mail server refuses it: the task fails with its traceback, and a reminder
    is tried again on the next `send_reminders` run.
    """
    with translation.override(language):
        message = link_message(link=link, purpose=purpose, appointment_at=appointment_at)
        context = {"message": message, "language": translation.get_language()}
        text = render_to_string("intake/email/link_message.txt", context)
        html = render_to_string("intake/email/link_message.html", context)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=text,
        to=[to],
        # RFC 3834: an automatic message, so out-of-office replies are not sent back to it.
        headers={"Auto-Submitted": "auto-generated"},
    )
    email.attach_alternative(html, "text/html")
    email.send(fail_silently=False)
    logger.info("link email sent purpose=%s language=%s", purpose, language)


def link_text_message(*, link: str, purpose: str, appointment_at: datetime | None = None) -> str:
    """The words of a text message for `purpose`, in the active language: short, one message."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {', '.join(PURPOSES)}, not {purpose!r}")
    values = {"clinic": clinic_name(), "link": link}
    if purpose == "your_link":
        text = gettext("%(clinic)s: here is your link to prepare for your visit: %(link)s")
    elif appointment_at:
        values["when"] = appointment_words(appointment_at)
        if purpose == "invitation":
            text = gettext(
                "%(clinic)s: please answer some questions before your visit on %(when)s: %(link)s"
            )
        else:
            text = gettext(
                "%(clinic)s reminder: please answer the questions before your visit on "
                "%(when)s: %(link)s"
            )
    elif purpose == "invitation":
        text = gettext("%(clinic)s: please answer some questions before your visit: %(link)s")
    else:
        text = gettext(
            "%(clinic)s reminder: please answer the questions before your visit: %(link)s"
        )
    return text % values


def send_link_sms(
    *,
    to: str,
    link: str,
    language: str,
    purpose: str,
    appointment_at: datetime | None = None,
) -> None:
    """Text `link` to the mobile number `to` in `language`, through settings.SMS_BACKEND.

    `to` as people write it or as the phone field shows it ("+34 612 34 56 78"); the backend
    gets it in E.164 ("+34612345678"), read in PHONE_REGION unless it starts with +.
    """
    try:
        number = PhoneNumber.from_string(to, region=settings.PHONENUMBER_DEFAULT_REGION)
    except NumberParseException:
        number = None
    if number is None or not number.is_valid():
        # Not the number itself: this message reaches the worker's log.
        raise ValueError("Not a valid mobile number; no text message sent.")
    with translation.override(language):
        text = link_text_message(link=link, purpose=purpose, appointment_at=appointment_at)
    get_sms_backend().send(number.as_e164, text)
    logger.info(
        "link text message handed to the SMS backend purpose=%s language=%s", purpose, language
    )

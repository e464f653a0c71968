"""Text messages (SMS): one small interface, so a clinic can plug in its own provider.

`get_sms_backend()` returns an instance of the class named by `settings.SMS_BACKEND`. Two ship:

- `LoggingSmsBackend` (the default) sends nothing: it logs that a message would have gone, to
  a masked number. No SMS provider is reachable from where this app is built and tested, so none
  is bundled; `check --deploy` notes it (atrophy.I003).
- `LocmemSmsBackend` keeps messages in `outbox`, for tests (the `sms_outbox` fixture).

A provider's backend subclasses `SmsBackend` and implements `send`, raising when the message did
not go: the task then fails with its traceback, and a reminder is tried again on the next
`send_reminders` run. Every message carries a patient's private link: a backend must never log
the text itself.
"""

import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TextMessage:
    """One text message as `LocmemSmsBackend` keeps it."""

    to: str
    text: str


#: Messages "sent" through `LocmemSmsBackend`, oldest first (tests clear it).
outbox: list[TextMessage] = []


def masked_number(number: str) -> str:
    """A phone number with all but its last three digits hidden, for logs ("*******678")."""
    digits = re.sub(r"\D", "", number)
    if len(digits) < 7:
        return "***"
    return "*" * (len(digits) - 3) + digits[-3:]


class SmsBackend:
    """Sends one text message. Subclass it for a provider; raise if the message did not go."""

    def send(self, to: str, text: str) -> None:
        raise NotImplementedError("An SMS backend must implement send(to, text).")


class LoggingSmsBackend(SmsBackend):
    """Sends nothing: logs that a text message would have gone, to a masked number.

    Never the text, which carries the private link.
    """

    def send(self, to: str, text: str) -> None:
        logger.info(
            "text message not sent (no SMS provider in SMS_BACKEND) to=%s characters=%d",
            masked_number(to),
            len(text),
        )


class LocmemSmsBackend(SmsBackend):
    """Keeps each message in the module's `outbox`, for tests."""

    def send(self, to: str, text: str) -> None:
        outbox.append(TextMessage(to=to, text=text))


def get_sms_backend() -> SmsBackend:
    """An instance of the backend named by settings.SMS_BACKEND."""
    backend_class = import_string(getattr(settings, "SMS_BACKEND", "intake.sms.LoggingSmsBackend"))
    return backend_class()

"""Helpers for tests that sign staff in: users, TOTP devices, codes and verified sessions."""

from html.parser import HTMLParser

from django.contrib.auth import get_user_model
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.staff_group import ensure_clinic_staff_group

PASSWORD = "a long staff password 42"


def make_staff_user(username="nurse", *, clinic_staff=True, superuser=False, **extra):
    """An active staff user with PASSWORD, in the Clinic staff group unless told otherwise."""
    User = get_user_model()
    if superuser:
        user = User.objects.create_superuser(username, f"{username}@example.org", PASSWORD)
    else:
        user = User.objects.create_user(username, password=PASSWORD, **{"is_staff": True, **extra})
    if clinic_staff and not superuser:
        # ensure_: transactional (browser) tests empty the tables, the migration's group too.
        user.groups.add(ensure_clinic_staff_group())
    return user


def enrol_totp(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    """The code the person's authenticator app shows right now for this device."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in_verified(client, user):
    """Sign `user` in on the test client as if they had given their password and a TOTP code."""
    device = TOTPDevice.objects.filter(user=user).first() or enrol_totp(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


class _FormFields(HTMLParser):
    """Collects the values a browser would submit for the form with a given id."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data[name] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value") or ""

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea:
            # Browsers drop the newline that follows <textarea>.
            self.data[self._textarea] = self.data[self._textarea].removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_data(html: str, form_id: str) -> dict[str, str]:
    """The data a browser would post from the form `form_id` in `html`, as it stands."""
    parser = _FormFields(form_id)
    parser.feed(html)
    return parser.data

"""The address a request came from, for login lockouts (django-axes)."""

from django.conf import settings


def client_ip_address(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the one the nearest trusted proxy saw.

    With `TRUSTED_PROXY_COUNT = n` proxies in front of the app, each appends the address it
    received the request from to X-Forwarded-For, so the n-th entry from the right is the client
    as seen by the outermost trusted proxy. Entries further left are whatever the client sent and
    cannot be trusted (a client could otherwise pick a new address per attempt and dodge the
    lockout).
    """
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")

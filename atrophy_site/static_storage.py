"""whitenoise's static files storage, with each file's address kept once worked out.

Every page asks for the address of its stylesheets, icon and scripts (`{% static %}`: six on a
step of the form), and the manifest storage works each out again: clean the name, look up its
hashed name, join it to STATIC_URL, about 20 microseconds each. The manifest is read once when
the process starts and does not change while it runs, so the address of a name does not either;
`collectstatic` (which writes a new manifest) empties what was kept, and a change of STATIC_URL
or the storage in tests makes a new storage.
"""

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

#: More names than the site has static files; past it the kept addresses start again.
KEPT_AT_MOST = 1024


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._addresses: dict[tuple, str] = {}

    def url(self, name, force=False):
        # DEBUG is part of the key: with it on, the storage gives the unhashed name.
        key = (name, force, settings.DEBUG)
        address = self._addresses.get(key)
        if address is None:
            address = super().url(name, force)
            if len(self._addresses) >= KEPT_AT_MOST:
                self._addresses.clear()
            self._addresses[key] = address
        return address

    def post_process(self, *args, **kwargs):
        self._addresses.clear()
        yield from super().post_process(*args, **kwargs)
        self._addresses.clear()

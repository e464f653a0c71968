"""Gunicorn's own log lines, with private tokens blanked as in Django's (atrophy_site/logging.py).

Gunicorn writes an access log line per request and error lines that can name a request ("Error
handling request /prepare/resume/..."), outside Django's logging and its filter. A patient's
private link carries its token in the path, and the page opened from it carries it in the
Referer header, so the access line's request (`%(r)s`), path (`%(U)s`), query, referrer and every
header or environ atom are redacted before the line is written, and so is every error line.
deploy/gunicorn.conf.py names this class as `logger_class`; tests/test_gunicorn_logging.py and
bench/cluster.py check it.

Only the standard library, gunicorn and atrophy_site.logging are imported: gunicorn's master
loads this before Django is set up.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from gunicorn.glogging import Logger

from atrophy_site.logging import redact


def _redacted(value):
    return redact(value) if isinstance(value, str) else value


class RedactErrorLines(logging.Filter):
    """Blank tokens in an error line: its message, its arguments and its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, Mapping):
            record.args = {key: _redacted(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_redacted(value) for value in record.args)
        if record.exc_info and not record.exc_text:
            # Formatted here, so no handler formats the unredacted traceback again.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


class RedactingLogger(Logger):
    """gunicorn's Logger, whose access and error lines never carry a private link's token."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: _redacted(value) for key, value in atoms.items()}

    def setup(self, cfg):
        super().setup(cfg)  # also run again on SIGHUP: add the filter once
        if not any(isinstance(f, RedactErrorLines) for f in self.error_log.filters):
            self.error_log.addFilter(RedactErrorLines())

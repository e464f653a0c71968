"""Keep private tokens out of logs.

A patient's private link carries a secret token in its path (`/prepare/resume/<token>/`).
Django logs the path of 4xx/5xx requests; this filter blanks the token before any handler sees it.
"""

import logging
import re

_TOKEN_IN_PATH = re.compile(r"(/resume/)[^/\s\"']+")


def redact(text: str) -> str:
    return _TOKEN_IN_PATH.sub(r"\1[redacted]", text)


class RedactPrivateTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        # Django attaches the request to request-log records; drop it so no handler dumps it.
        if hasattr(record, "request"):
            record.request = None
        return True

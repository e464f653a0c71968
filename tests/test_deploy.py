"""The reference deploy (deploy/): gunicorn's own log lines never carry a private link's token,
and the gunicorn settings keep the promises the systemd unit and README make about them.

bench/cluster.py runs the whole deploy (two gunicorn servers behind nginx) in CI; these are the
quick checks of the pieces it relies on.
"""

import datetime
import logging
import os
import re
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from atrophy_site.gunicorn_logging import RedactErrorLines, RedactingLogger

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
TOKEN = "Zx9_kP2m-QvL8rT4wY6uA1bC3dE5fG7hJ0nM2oS4tU6"  # the shape of a real one: 43 characters


def gunicorn_settings(**environ: str) -> dict:
    """deploy/gunicorn.conf.py's values, read with these environment variables (and no other
    GUNICORN_* ones)."""
    saved = dict(os.environ)
    for name in [n for n in os.environ if n.startswith(("GUNICORN_", "WEB_CONCURRENCY"))]:
        del os.environ[name]
    os.environ.update(environ)
    try:
        return runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture
def gunicorn_logger(tmp_path):
    """The logger gunicorn would build from deploy/gunicorn.conf.py, writing to files here."""
    settings = gunicorn_settings()
    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("errorlog", str(tmp_path / "error.log"))
    config.set("access_log_format", settings["access_log_format"])
    config.set("logger_class", settings["logger_class"])
    logger = config.logger_class(config)
    yield logger
    for log in (logger.access_log, logger.error_log):
        for handler in list(log.handlers):
            log.removeHandler(handler)
            handler.close()
        for log_filter in list(log.filters):
            log.removeFilter(log_filter)


def test_deploy_settings_name_the_redacting_logger():
    settings = gunicorn_settings()
    config = Config()
    config.set("logger_class", settings["logger_class"])
    assert config.logger_class is RedactingLogger


def test_access_line_redacts_the_token_in_request_path_and_referrer(gunicorn_logger, tmp_path):
    path = f"/prepare/resume/{TOKEN}/"
    referrer = f"https://clinic.example.org/prepare/resume/{TOKEN}/saved/?next=2"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.0",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": referrer,
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    request = SimpleNamespace(headers=[("REFERER", referrer), ("X-FORWARDED-FOR", "203.0.113.7")])
    response = SimpleNamespace(status="302 Found", headers=[("Location", "/prepare/")], sent=0)

    gunicorn_logger.access(response, request, environ, datetime.timedelta(milliseconds=12))

    line = (tmp_path / "access.log").read_text()
    assert TOKEN not in line
    assert '"GET /prepare/resume/[redacted]/ HTTP/1.0" 302' in line
    assert '"https://clinic.example.org/prepare/resume/[redacted]/saved/?next=2"' in line
    assert 'forwarded_for="203.0.113.7"' in line


def test_error_line_redacts_the_token_in_message_and_traceback(gunicorn_logger, tmp_path):
    try:
        raise ValueError(f"broken at /prepare/resume/{TOKEN}/")
    except ValueError:
        gunicorn_logger.exception("Error handling request %s", f"/prepare/resume/{TOKEN}/")

    text = (tmp_path / "error.log").read_text()
    assert TOKEN not in text
    assert "Error handling request /prepare/resume/[redacted]/" in text
    assert "ValueError: broken at /prepare/resume/[redacted]/" in text


def test_error_filter_keeps_mapping_arguments_a_mapping():
    record = logging.LogRecord("gunicorn.error", logging.INFO, __file__, 1, "%(path)s", None, None)
    record.args = {"path": f"/prepare/resume/{TOKEN}/"}

    RedactErrorLines().filter(record)

    assert record.getMessage() == "/prepare/resume/[redacted]/"


def test_gunicorn_listens_on_loopback_unless_told_otherwise():
    assert gunicorn_settings()["bind"] == ["127.0.0.1:8000"]
    assert gunicorn_settings(PORT="8080")["bind"] == ["127.0.0.1:8000"]
    assert gunicorn_settings(GUNICORN_BIND="10.0.0.11:8000")["bind"] == ["10.0.0.11:8000"]


def test_systemd_waits_longer_than_gunicorn_drains():
    """systemd must not SIGKILL a server still finishing its requests after SIGTERM."""
    settings = gunicorn_settings()
    unit = (DEPLOY / "systemd" / "atrophy-web.service").read_text()
    stop_seconds = int(re.search(r"^TimeoutStopSec=(\d+)$", unit, re.MULTILINE)[1])
    assert "KillSignal=SIGTERM" in unit
    assert settings["graceful_timeout"] >= settings["timeout"]
    assert stop_seconds > settings["graceful_timeout"]

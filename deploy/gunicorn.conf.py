"""Gunicorn settings for one app server behind nginx (deploy/nginx.conf).

    .venv/bin/gunicorn --config deploy/gunicorn.conf.py     # from the project folder

Read by deploy/systemd/atrophy-web.service, and by bench/cluster.py, which runs two of these
behind nginx in CI. Each value can be changed from the environment (the unit's EnvironmentFile)
without editing this file; the defaults suit the 2-core machines the app is measured on
(bench/RESULTS.md).
"""

import os

# The app, so the command line needs nothing but this file.
wsgi_app = "atrophy_site.wsgi"

# Listen where only the proxy reaches: loopback when nginx runs on this machine, the private
# address when it runs on another (GUNICORN_BIND=10.0.0.11:8000). Never 0.0.0.0 by default:
# gunicorn's workers must not face the internet, where a few clients trickling their headers
# would hold every worker; nginx buffers those. (Gunicorn's own default would bind 0.0.0.0 when
# $PORT is set; this setting overrides it.)
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# Processes x threads = the requests this server works on at once. Pages mostly wait on
# PostgreSQL and Redis, which threads overlap at little memory; a summary PDF is CPU work that
# holds its process's interpreter lock for a second or two, so processes, one per core and one
# more, keep the other pages moving meanwhile. 2 cores: 4 processes x 2 threads = 8 requests,
# well above INTAKE_PDF_AT_ONCE (2), so PDFs never take every slot.
workers = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) * 2))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
# With threads the worker is gthread (sync has one request per process and no keep-alive).
worker_class = "gthread"

# A worker whose main loop has not reported in for this many seconds is stuck: it is killed and
# replaced. With threads this is not a limit on one request (the loop reports while a thread
# works); nginx's proxy_read_timeout (35 s) is that limit. Nothing in the app should come near
# either: the largest summary PDF takes 2.6 s of CPU (bench/pdf.py).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))

# SIGTERM (systemctl stop, a deploy): stop accepting, let the requests in hand finish for up to
# this long, then exit. 30 s covers any request nginx would still be waiting for. The systemd
# unit's TimeoutStopSec (45 s) is longer, so systemd does not kill a server that is draining.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))

# Seconds an idle keep-alive connection from the proxy is held open. nginx talks HTTP/1.0 to the
# app (a connection per request, deploy/nginx.conf), so this only matters if someone enables
# upstream keep-alive there; then it must be longer than nginx's upstream keepalive_timeout, or
# nginx may reuse a connection gunicorn is closing.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))

# Only the proxy may say the request was HTTPS (X-Forwarded-Proto, for wsgi.url_scheme). Loopback
# when nginx is on this machine; its private address when it is not. Django reads the same header
# only with SECURE_PROXY_SSL_HEADER_ENABLED=true.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Load the app in each worker after forking, not once in the master: a restart of one worker then
# starts clean, and WeasyPrint's native libraries (Pango, fontconfig) are never shared across a
# fork, which has crashed other projects.
preload_app = False

# Logs go to stdout and stderr (the journal under systemd), one line per request. The access line
# is the usual combined format plus the client's X-Forwarded-For and the time taken in ms. Its
# request, path and referrer carry a private link's token whenever a patient opens one:
# RedactingLogger blanks it (`/prepare/resume/[redacted]/`) in the access and error lines alike.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" '
    'forwarded_for="%({x-forwarded-for}i)s" ms=%(M)s'
)
logger_class = "atrophy_site.gunicorn_logging.RedactingLogger"

# No control socket: gunicorn 25+ would make one at a single per-user path, which two servers on
# one machine would fight over. systemd (and signals) manage this server.
control_socket_disable = True

# Which process is which in `ps` and the journal.
proc_name = os.environ.get("GUNICORN_PROC_NAME", "atrophy-web")

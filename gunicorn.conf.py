"""gunicorn settings. The app is created in each worker after the fork (no preload), so
every process has its own database engine and connection pool."""
import os

preload_app = False
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 30
graceful_timeout = 10
accesslog = "-" if os.environ.get("ACCESS_LOG") else None
# Ticket codes live only in /t/<code>, which redirects at once; keep them out of logs anyway.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'

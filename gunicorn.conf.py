"""gunicorn settings. The app is created in each worker after the fork (no preload), so
every process has its own database engine and connection pool."""

import os

preload_app = False
worker_class = "gthread"
# Eight threads: on SQLite a thread that waits for the write lock (a vote behind another
# vote) keeps its thread; with four, a burst of votes left none for the phones' polls
# (council-evening benchmark: poll p99 844 ms with 4 threads, 133 ms with 8).
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# Phones poll every 3 s: a connection kept open 15 s is reused by the next poll instead of
# a new TCP connection per poll (and 300 at once for the reveal). Idle connections wait in
# the worker's selector, not in a thread.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "15"))
#: Each worker listens on a socket of its own (SO_REUSEPORT), and the kernel spreads new
#: connections over them. With one shared socket the worker whose thread happened to wait
#: in accept took every connection of a burst: 100 of 100 keep-alive connections in one
#: worker, the other idle, and half the ballots per second (bench/council_evening.py).
reuse_port = os.environ.get("GUNICORN_REUSE_PORT", "1") != "0"
timeout = 30
graceful_timeout = 10
accesslog = "-" if os.environ.get("ACCESS_LOG") else None
# Ticket codes live only in /t/<code>, which redirects at once; keep them out of logs anyway.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'

from gunicorn.glogging import Logger  # noqa: E402


class RouteLogger(Logger):
    """The access log writes the route that matched (`/t/<code>`), never the path: a path can
    hold a ticket code or an invitation token. The app puts the route in the WSGI environ
    (app/__init__.py); an unmatched path is written as `-`."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        route = environ.get("wijkstem.route") or "-"
        atoms["U"] = route
        atoms["q"] = ""
        atoms["r"] = f"{atoms.get('m', '-')} {route} {atoms.get('H', '-')}"
        for name in ("{raw_uri}e", "{path_info}e", "{request_uri}e", "{query_string}e", "{referer}i"):
            if name in atoms:
                atoms[name] = "-"
        return atoms


logger_class = RouteLogger


def when_ready(server):
    """With a socket per worker the arbiter listens on nothing itself, so gunicorn's own
    "Listening at:" line is empty: say where the workers listen."""
    if server.cfg.reuse_port:
        server.log.info("Workers listen at %s, a socket each (SO_REUSEPORT)", ", ".join(server.cfg.bind))

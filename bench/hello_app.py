"""The ceiling: a bare Flask hello-world, served by gunicorn with the same settings as the
app (gunicorn.conf.py, same workers and threads). bench/council_evening.py compares the
app's ballots per second with this app's requests per second."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hallo, Nieuw-West!"

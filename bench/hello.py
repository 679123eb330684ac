"""The ceiling for the load test: a bare Flask hello route under the same gunicorn settings."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"

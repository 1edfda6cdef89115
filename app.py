"""Entry point: ``flask --app app ...`` and ``gunicorn app:app``."""
from webui import create_app
from webui.startup import prepare

app = create_app()
prepare(app)

"""URL converters for the paths of both doors."""
from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter

from webui.domain.rules import ID_MAX


class IdConverter(BaseConverter):
    """A database id in ASCII digits (a full-width "１" is no id). Any run of digits matches
    the route, so an id out of range (0, or beyond 2**31-1) is a 404 whatever the method: a
    converter that declined to match left werkzeug to answer 405 for PUT and DELETE."""

    regex = r"[0-9]{1,20}"
    weight = 50

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= ID_MAX:
            raise NotFound()
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))

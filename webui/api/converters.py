"""URL converters for the API's paths."""
from werkzeug.routing import IntegerConverter

from webui.domain.rules import ID_MAX


class IdConverter(IntegerConverter):
    """A database id: 1 to 2**31-1, so an absurd number is a 404, not a database error."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=ID_MAX)

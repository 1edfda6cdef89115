from flask import Blueprint

from webui.links import with_cursor

bp = Blueprint("admin", __name__)
bp.add_app_template_global(with_cursor, "page_url")  # the list pages' pager links

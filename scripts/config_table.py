"""Print the README's configuration table, rendered from webui/config.py: SETTINGS."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webui.config import readme_table  # noqa: E402 - after the path that finds it

print(readme_table())

"""The README's tables are copies of tables in code; keep them equal."""
import re
from pathlib import Path

from webui.config import readme_table
from webui.domain.error_codes import DESCRIPTIONS, Code

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def section(name: str) -> str:
    match = re.search(rf"<!-- {name}:start -->(.*?)<!-- {name}:end -->", README, re.S)
    assert match, f"README has no {name} section"
    return match.group(1)


def test_error_code_table_matches_the_code():
    rows = re.findall(r"^\| `(\d{9})` \| (\d{3}) \| (.+?) \|$", section("error-codes"), re.M)
    assert rows == [(c.value, str(DESCRIPTIONS[c][0]), DESCRIPTIONS[c][1]) for c in Code]


def test_configuration_table_is_the_one_rendered_from_the_settings():
    # On failure: paste the output of `.venv/bin/python scripts/config_table.py`.
    assert section("config").strip() == readme_table()


def test_quick_start_is_two_commands_in_one_block():
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", quick, re.S)
    assert len(blocks) == 1
    commands = [line.split("#")[0].strip() for line in blocks[0].splitlines() if line.strip()]
    assert commands == ["sh scripts/serve.sh", "sh scripts/test.sh"]
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    assert "sh scripts/test.sh" in ci

"""The README stays true: the quick start, the config reference, the module map."""

import re

from geotel.config import config_reference
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_quick_start_is_the_two_make_commands():
    block = re.search(r"## Quick start.*?```bash\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    assert "geotel demo --out maps/demo" in makefile
    assert (ROOT / ".ci" / "run").read_text().rstrip().endswith("make test")


def test_config_reference_matches_the_code():
    block = README.split("<!-- config-reference:start -->")[1].split(
        "<!-- config-reference:end -->")[0]
    assert block.strip() == config_reference().strip()


def test_every_module_in_the_architecture_table_exists():
    for name in re.findall(r"\| `(geotel[.\w]*)` \|", README):
        path = ROOT / name.replace(".", "/")
        assert path.with_suffix(".py").exists() or (path / "__init__.py").exists(), name

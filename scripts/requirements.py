"""Print the pinned requirements from pyproject.toml (runtime, or an extra such as `test`).

Keeps pyproject.toml the single place where versions are pinned, without building the project."""

import sys
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"]
extras = sys.argv[1:]
lines = project["dependencies"] if not extras else [r for e in extras for r in project["optional-dependencies"][e]]
print("\n".join(lines))

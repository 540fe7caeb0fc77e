import importlib.util
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def oracle():
    """tests/voting/reference/pabutools_oracle.py (pabutools as a black-box oracle)."""
    path = Path(__file__).resolve().parents[1] / "voting" / "reference" / "pabutools_oracle.py"
    spec = importlib.util.spec_from_file_location("pabutools_oracle", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

"""pabutools in a process of its own, as a user runs it: parse a Pabulib file, count it with
one of our rules as tests/voting/reference/pabutools_oracle.py asks pabutools, print JSON
``{"selected": [...]}``. Used by bench/tally.py for the whole-process comparison.

    .venv/bin/python bench/pabutools_count.py FILE.pb greedy|mes|mes-add1
"""

import importlib.util
import json
import sys
from pathlib import Path

ORACLE = Path(__file__).resolve().parent.parent / "tests" / "voting" / "reference" / "pabutools_oracle.py"

spec = importlib.util.spec_from_file_location("pabutools_oracle", ORACLE)
oracle = importlib.util.module_from_spec(spec)
spec.loader.exec_module(oracle)
print(json.dumps({"selected": oracle.count_file(sys.argv[1], sys.argv[2])}))

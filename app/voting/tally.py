"""Moved to :mod:`counting.tally` (the counting engine stands alone); this name stays for
code that still imports ``app.voting.tally``: it is the very same module object."""

import sys

from counting import tally as _module

sys.modules[__name__] = _module

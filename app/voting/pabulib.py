"""Moved to :mod:`counting.pabulib` (the counting engine stands alone); this name stays for
code that still imports ``app.voting.pabulib``: it is the very same module object."""

import sys

from counting import pabulib as _module

sys.modules[__name__] = _module

"""Wijkstem's counting engine, a package that stands alone.

- :mod:`counting.tally`: the rules: ``greedy``, ``mes`` (Method of Equal Shares with the add1
  completion, then the greedy fill) and ``mes-add1``, for approval, knapsack, cumulative and
  ranking (Borda) ballots; exact, equal to pabutools 1.2.3 (ties included);
- :mod:`counting.mes`, :mod:`counting.mes_run`: how MES is computed fast and exactly;
- :mod:`counting.pabulib`: the one reader and writer of Pabulib ``.pb`` files;
- :mod:`counting.explain`: which step funded or skipped each project, as plain sentences
  (English source strings the app translates);
- ``python -m counting FILE.pb --rule greedy|mes [--json]``: the command line.

It imports only the standard library: not Flask, not SQLAlchemy, nothing of ``app`` (a test
checks ``sys.modules``), so a recount starts fast and anyone can run it on a published file.
"""

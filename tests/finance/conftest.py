from tests.voting.conftest import make_round  # noqa: F401  (shared fixture)

"""The reports tests use the portfolio tests' fixtures (branches, collectors, heads, an employer)."""

from tests.portfolio.conftest import employer, staff  # noqa: F401  (pytest fixtures)

"""Helpers for testing code that uses itvalue (``pip install itvalue[testing]``).

See :mod:`itvalue.testing.strategies` for Hypothesis strategies.
"""

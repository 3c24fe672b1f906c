"""Demo data: the deterministic demo town (``town.py``) and bulk data for benchmarks (``scale.py``).

Both are driven by ``manage.py demo``; everything they write follows from ``--seed`` and the reference date.
"""

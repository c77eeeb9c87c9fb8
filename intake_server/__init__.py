"""intellekta's intake server: receives, verifies and keeps every confirmation.

The customer's program never imports this package: it is installed with the ``server``
extra (``pip install '.[server]'``) and started as ``intellekta-intake``.
"""

__version__ = "0.1.0"

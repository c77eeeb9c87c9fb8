"""intellekta-helper: the customer's pre-session helper for intellekta remote support."""

__version__ = "0.1.0"

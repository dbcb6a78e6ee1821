"""oohdesk: an out-of-hours support desk for software and web agencies."""

__version__ = "0.1.0"

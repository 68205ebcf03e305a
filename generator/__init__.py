"""goldstar: a static site generator for public challenge blogs."""

__version__ = "0.1.0"

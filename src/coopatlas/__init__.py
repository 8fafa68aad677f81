"""CoopAtlas: an open platform for South-South and triangular cooperation."""

__version__ = "0.1.0"

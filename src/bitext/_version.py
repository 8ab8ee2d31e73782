"""The version of bitext (the package face and the files bitext writes name it)."""

__version__ = "0.1.0"

"""The tool's version, stamped on every report and in the User-Agent."""

__version__ = "0.1.0"

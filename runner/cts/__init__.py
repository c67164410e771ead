"""Massachusetts CTS program data pipeline: runner package."""

__version__ = "0.1.0"

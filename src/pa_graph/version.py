"""The version, in a module of its own so the modules that send it (as the User-Agent) import nothing above them."""

__version__ = "0.1.0"

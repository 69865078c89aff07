"""One module per ``laadplan`` command; each exposes ``register(subparsers)``."""

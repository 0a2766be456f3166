"""Partage's command line: the entry point that wires the other packages together."""

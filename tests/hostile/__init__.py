"""Hostile input, fuzzing and faults: command lines, pages, numerics, a real server."""

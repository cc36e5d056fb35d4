"""Tests of the landscape package: 1-D and 2-D analysis, parser, presets, sweep and the theory's constants."""

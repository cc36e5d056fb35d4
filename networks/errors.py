"""The one error type of ``networks``: bad settings, data or files, with a message a user can act on."""

from __future__ import annotations


class NetworksError(ValueError):
    """A setting, file or data set that cannot be used; the message names it."""

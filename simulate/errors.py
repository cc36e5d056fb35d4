"""The one exception users of :mod:`simulate` need to catch."""


class SimulationError(ValueError):
    """Bad parameters for a simulation; the message can be shown as is."""

"""The theory's predictions against the simulator (landscape and simulate together)."""

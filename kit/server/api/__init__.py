"""The participant API, one module per stage with each view function beside its handlers."""

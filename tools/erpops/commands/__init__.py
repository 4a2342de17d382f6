"""One module per command: a function of plain arguments that returns the exit code."""

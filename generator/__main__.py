"""`python -m generator` runs the same command line as `goldstar`."""

from generator.cli import run

run()

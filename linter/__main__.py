"""Run the command-line interface: ``python -m wsgilint``."""

from wsgilint.cli import main

main()

"""``python -m mectofitness`` is the ``mectofitness`` command."""

from .cli import main

main()

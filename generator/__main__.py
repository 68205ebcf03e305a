"""`python -m generator` runs the same command line as `goldstar`."""

import sys

from generator.cli import main

sys.exit(main())

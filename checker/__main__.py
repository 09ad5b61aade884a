"""`python -m checker` runs the command line."""

import sys

from checker.cli.main import main

sys.exit(main())

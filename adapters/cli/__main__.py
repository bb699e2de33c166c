"""`python -m facteur.adapters.cli`: the same command as the installed `facteur`."""

import sys

from facteur.adapters.cli import main

sys.exit(main())

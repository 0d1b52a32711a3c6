"""``python -m digitrec``: the command line (see ``digitrec.cli``)."""

import sys

from digitrec.cli import main

sys.exit(main())

"""``python -m intake_server``: the same as ``intellekta-intake``."""

import sys

from intake_server.cli import main

sys.exit(main())

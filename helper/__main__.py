"""``python -m helper``: the same entry point as the ``intellekta-helper`` command."""

from helper.cli import main

raise SystemExit(main())

"""``python -m keel.cli``: the same as the ``keel`` command."""

import sys

from keel.cli import main

sys.exit(main())

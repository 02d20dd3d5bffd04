"""``python -m keel.site.cli``: the same as the ``keel`` command."""

import sys

from keel.site.cli import main

sys.exit(main())

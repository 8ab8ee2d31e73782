"""``python -m bitext.cli``: the same as the ``bitext`` command."""

import sys

from . import main

sys.exit(main())

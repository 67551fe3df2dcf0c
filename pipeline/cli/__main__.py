"""`python -m pipeline.cli`: the paperbrief command."""

import sys

from . import main

sys.exit(main())

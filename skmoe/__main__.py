"""``python -m skmoe``: see :mod:`skmoe._cli`."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())

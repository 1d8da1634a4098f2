"""Start the FeeDesk desktop program: `python main.py [--db PATH] [--station CODE]`."""

import sys

from app.ui.main import main

if __name__ == "__main__":
    sys.exit(main())

"""Entry of the one-folder program (PyInstaller): `feedesk-gui` starts the window, `feedesk` the
command line. Both executables run this script; the name of the executable decides. Both imports
are explicit so the bundler sees the whole program."""

import sys
from pathlib import Path

from app.cli.commands import main as cli_main
from app.ui.main import main as gui_main

if __name__ == "__main__":
    gui = Path(sys.executable).stem.lower().endswith("-gui")
    sys.exit(gui_main() if gui else cli_main())

"""Start the ClientDesk desktop application (python main.py [--db URL] [--lang zh_CN|en])."""

import sys

from app.bootstrap import main

if __name__ == "__main__":
    sys.exit(main())

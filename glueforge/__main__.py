import sys

from glueforge.cli import main

sys.exit(main())

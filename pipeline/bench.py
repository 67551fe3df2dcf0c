"""`python -m pipeline.bench ...`: the benchmarks, which live in the source checkout's benchmarks/
(they drive the test stand-in and are not shipped in the wheel)."""

import sys
from pathlib import Path

if __name__ == "__main__":
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "benchmarks" / "__init__.py").is_file():
        sys.path.insert(0, str(checkout))
        from benchmarks.cli import main

        sys.exit(main())
    sys.exit("paperbrief: the benchmarks live in the source checkout (benchmarks/): run `python -m pipeline.bench` there")

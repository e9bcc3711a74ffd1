"""Fuzz wsgilint.parse.nginx with atheris: `python3 fuzz/fuzz_nginx.py -max_total_time=30 [corpus_dir]`."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import main  # noqa: E402

if __name__ == "__main__":
    main("wsgilint.parse.nginx", lambda m, t, lim: m.parse(t, "f.conf"))

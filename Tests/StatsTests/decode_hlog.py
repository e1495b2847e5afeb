#!/usr/bin/env python3
"""Independent reader for pgswarm's interop test: decodes every interval line of an .hlog with the PyPI
`hdrhistogram` package (module `hdrh`) and prints one line per interval plus the grand total:

    LINE <tag or -> <total count> <max value>
    TOTAL <sum of all counts>

Exits non-zero (with the reason on stderr) when hdrh is missing or any line fails to decode."""
import sys

try:
    from hdrh.histogram import HdrHistogram
except ImportError as error:
    sys.stderr.write("hdrh (pip install hdrhistogram) is not installed: %s\n" % error)
    sys.exit(2)


def main(path):
    total = 0
    with open(path) as log:
        for number, line in enumerate(log, 1):
            line = line.strip()
            if not line or line.startswith("#") or line.startswith('"StartTimestamp"'):
                continue
            tag = "-"
            if line.startswith("Tag="):
                tag, line = line[len("Tag="):].split(",", 1)
            fields = line.split(",")
            if len(fields) != 4:
                sys.stderr.write("%s:%d: expected 4 fields\n" % (path, number))
                return 1
            histogram = HdrHistogram.decode(fields[3])
            count = histogram.get_total_count()
            total += count
            print("LINE %s %d %d" % (tag, count, histogram.get_max_value()))
    print("TOTAL %d" % total)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.stderr.write("usage: decode_hlog.py FILE.hlog\n")
        sys.exit(2)
    sys.exit(main(sys.argv[1]))

"""Baseline for `canhgiac bench --stage ingest`: Python's feedparser over the
same generated feed files. Prints one JSON line: files, items, seconds,
items_per_second. Run by the bench inside a virtual environment it creates."""
import json
import pathlib
import sys
import time

import feedparser

folder = pathlib.Path(sys.argv[1])
bodies = [p.read_bytes() for p in sorted(folder.glob("*.xml"))]
start = time.perf_counter()
items = 0
for body in bodies:
    parsed = feedparser.parse(body)
    items += len(parsed.entries)
seconds = time.perf_counter() - start
print(json.dumps({"files": len(bodies), "items": items, "seconds": seconds,
                  "items_per_second": items / seconds if seconds else 0.0,
                  "feedparser": feedparser.__version__}))

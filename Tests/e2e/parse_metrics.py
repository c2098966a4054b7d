"""Reads a /metrics scrape with the Prometheus project's own text-format parser and prints what it found as one JSON
line: every family with its type and samples. A scrape the parser rejects exits with status 1 and the parser's error.

Usage: parse_metrics.py SCRAPE_FILE
"""

import json
import sys

from prometheus_client.parser import text_string_to_metric_families


def main():
    with open(sys.argv[1], encoding="utf-8") as scrape:
        text = scrape.read()
    try:
        families = [
            {
                "name": family.name,
                "type": family.type,
                "samples": [
                    {"name": sample.name, "labels": dict(sample.labels), "value": sample.value}
                    for sample in family.samples
                ],
            }
            for family in text_string_to_metric_families(text)
        ]
    except Exception as error:  # the parser raises ValueError and others on malformed text
        print(f"the parser rejected the scrape: {error!r}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps({"families": families}))


if __name__ == "__main__":
    main()

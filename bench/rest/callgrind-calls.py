#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Prints the instructions of a callgrind file (its totals) divided by the calls made to a
function in it: callgrind-calls.py FILE FUNCTION (bench/rest/run-callgrind)."""

import re
import sys


def main():
    path, function = sys.argv[1], sys.argv[2]
    names = {}
    total = 0
    calls = 0
    current = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("totals:"):
                total = int(line.split()[1])
                continue
            m = re.match(r"c?fn=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
            if m:
                if m.group(2) is not None:
                    names[m.group(1)] = m.group(2)
                if line.startswith("cfn="):
                    current = names.get(m.group(1))
                continue
            if line.startswith("calls=") and current is not None:
                if current == function:
                    calls += int(line[6:].split()[0])
                current = None
    if calls == 0:
        sys.exit("%s: no call to %s" % (path, function))
    print("%.0f %d" % (total / calls, calls))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Counts the code a lookup runs, in instruction-cache lines: callgrind-lines.py
CALLGRIND-OUT LOOKUPS [TOP] reads a profile made with --dump-instr=yes over LOOKUPS
lookups and prints, for each object, the 64-byte lines and 4 KiB pages holding an
instruction that ran at least once per lookup (97 % of LOOKUPS, to allow for the odd
lookup that skipped one), then the TOP functions with the most such lines.

Why lines and not instructions: a lookup of table-sqlite runs SQLite's code (about 440
lines) beside ours, more than the 512 lines of a 32 KiB instruction cache, so nearly every
line a lookup touches is fetched again on the next one. Code that is spread out (rare
paths between the common ones) costs those fetches even where it runs few instructions.

Cost lines read `<position> <line> <Ir> ...` (positions: instr line); a position is
absolute (0x...), relative (+n, -n) or the same (*). Names are compressed as `(N) name`
once and `(N)` afterwards; ob/cob, fn/cfn and fl/fi/fe/cfi/cfl share one table each. The
line after `calls=` is the cost of a call, not of the caller's own instruction."""
import collections
import re
import sys

name_entry = re.compile(r'^\((\d+)\)(?: (.*))?$')
kinds = {'ob': 'ob', 'cob': 'ob', 'fn': 'fn', 'cfn': 'fn',
         'fl': 'fl', 'fi': 'fl', 'fe': 'fl', 'cfi': 'fl', 'cfl': 'fl'}


def instruction_costs(path):
    names = {}

    def name(kind, text):
        match = name_entry.match(text)
        if not match:
            return text
        key = (kind, match.group(1))
        if match.group(2) is not None:
            names[key] = match.group(2)
        return names.get(key, '?')

    cost = collections.Counter()
    function_of = {}
    obj = function = None
    position = 0
    call_cost_next = False
    with open(path, errors='replace') as profile:
        for line in profile:
            line = line.rstrip('\n')
            if not line:
                continue
            key, equals, rest = line.partition('=')
            if equals and key in kinds:
                value = name(kinds[key], rest)
                if key == 'ob':
                    obj = value
                elif key == 'fn':
                    function = value
                continue
            if line.startswith('calls='):
                call_cost_next = True
                continue
            if line[0] not in '0123456789+-*':
                continue
            fields = line.split()
            token = fields[0]
            if token.startswith('0x'):
                position = int(token, 16)
            elif token[0] in '+-':
                step = int(token[1:], 0)
                position += step if token[0] == '+' else -step
            elif token != '*':
                position = int(token)
            if call_cost_next:
                call_cost_next = False
                continue
            if len(fields) > 2:
                cost[(obj, position)] += int(fields[2])
                function_of[(obj, position)] = function
    return cost, function_of


def main():
    if len(sys.argv) < 3:
        sys.exit('usage: callgrind-lines.py CALLGRIND-OUT LOOKUPS [TOP]')
    cost, function_of = instruction_costs(sys.argv[1])
    lookups = int(sys.argv[2])
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    threshold = lookups * 97 // 100
    lines, pages = collections.defaultdict(set), collections.defaultdict(set)
    function_lines = collections.defaultdict(set)
    for (obj, position), count in cost.items():
        if count >= threshold:
            lines[obj].add(position >> 6)
            pages[obj].add(position >> 12)
            function_lines[(obj, function_of[(obj, position)])].add(position >> 6)
    for obj in sorted(lines, key=lambda o: -len(lines[o])):
        print(f'{len(lines[obj]):5d} lines {len(pages[obj]):4d} pages  {obj}')
    ranked = sorted(function_lines.items(), key=lambda item: -len(item[1]))
    for (obj, function), touched in ranked[:top]:
        print(f'{len(touched):5d} lines  {obj.rsplit("/", 1)[-1]}: {function}')


if __name__ == '__main__':
    main()

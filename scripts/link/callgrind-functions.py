#!/usr/bin/env python3
"""Prints the (mangled) names of the functions a callgrind profile saw run inside one
executable, with how often each was called: callgrind-functions.py CALLGRIND-OUT
EXECUTABLE-NAME prints lines `<calls> <name>`.

Callgrind writes each object and function name once, as `ob=(N) name` / `fn=(N) name`, and
afterwards only the number; calls name their target as `cob=` / `cfn=`, and the line after
a `cfn=` is `calls=<count> ...`. A function nothing in the profile called (an entry point)
counts 0."""
import re
import sys
from collections import Counter

entry = re.compile(r'^(ob|cob|fn|cfn)=\((\d+)\)(?: (.*))?$')
call = re.compile(r'^calls=(\d+) ')


def functions(path, executable):
    objects, names, calls = {}, {}, Counter()
    current_object = called_object = None
    callee = None  # the function the next `calls=` line counts, if it is the executable's
    with open(path, errors='replace') as profile:
        for line in profile:
            line = line.rstrip('\n')
            counted = call.match(line)
            if counted:
                if callee:
                    calls[callee] += int(counted.group(1))
                # A cob= line names the called object of this one call only: the next
                # call without one stays in the caller's object.
                callee, called_object = None, None
                continue
            match = entry.match(line)
            if not match:
                continue
            kind, number, name = match.groups()
            if kind in ('ob', 'cob'):
                if name:
                    objects[number] = name
                if kind == 'ob':
                    current_object, called_object = objects.get(number), None
                else:
                    called_object = objects.get(number)
                continue
            if name:
                names[number] = name
            owner = current_object if kind == 'fn' else (called_object or current_object)
            if kind == 'fn':
                called_object = None
            ours = owner and owner.rsplit('/', 1)[-1] == executable
            if ours:
                calls[names[number]] += 0
            callee = names[number] if kind == 'cfn' and ours else None
    # Addresses stand for functions without a symbol; they cannot be ordered by name.
    return {n: c for n, c in calls.items() if not n.startswith('0x') and not n.startswith('(')}


if __name__ == '__main__':
    for name, count in sorted(functions(sys.argv[1], sys.argv[2]).items()):
        print(count, name)

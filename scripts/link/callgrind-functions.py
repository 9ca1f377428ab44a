#!/usr/bin/env python3
"""Prints the (mangled) names of the functions a callgrind profile saw run inside one
executable: callgrind-functions.py CALLGRIND-OUT EXECUTABLE-NAME.

Callgrind writes each object and function name once, as `ob=(N) name` / `fn=(N) name`, and
afterwards only the number; calls name their target as `cob=` / `cfn=`."""
import re
import sys

entry = re.compile(r'^(ob|cob|fn|cfn)=\((\d+)\)(?: (.*))?$')


def functions(path, executable):
    objects, names, found = {}, {}, set()
    current_object = called_object = None
    with open(path, errors='replace') as profile:
        for line in profile:
            match = entry.match(line.rstrip('\n'))
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
            if owner and owner.rsplit('/', 1)[-1] == executable:
                found.add(names[number])
    # Addresses stand for functions without a symbol; they cannot be ordered by name.
    return sorted(n for n in found if not n.startswith('0x') and not n.startswith('('))


if __name__ == '__main__':
    print('\n'.join(functions(sys.argv[1], sys.argv[2])))

#!/usr/bin/env bash
# Sourced, not run: the backends as packaging/backends lists them, for every script that
# loops over them or matches their names, so that adding a backend there is enough. The
# caller is in the repository's top directory.

# backend_names: one name a line, in the list's order.
backend_names() { awk '!/^#/ && NF { print $1 }' packaging/backends; }

# backend_pattern: the names as one extended-regex alternation, `sqlite|passwd|...`.
backend_pattern() { backend_names | paste -sd '|'; }

#!/usr/bin/env bash
# The `swift build` flags of a release build, on one line, for the Makefile, debian/rules and
# the scripts (one definition instead of one per caller):
#
#   -c release -Xswiftc -static-stdlib -Xlinker -L<dir> -Xlinker <libstdc++.a>
#
# The Swift runtime is linked into each binary, since Debian has no package for it. The
# runtime is C++, and swiftc links it against the shared libstdc++ (-lstdc++ in the
# toolchain's static-stdlib-args.lnk, ahead of anything we can pass). Loading that library
# costs each table process about 0.8 MiB of resident memory (its symbol tables and the code
# its relocations touch) and part of a millisecond at startup, for the few functions the
# runtime calls. So <dir> holds a linker script named libstdc++.so that stands for the
# static archive: the linker finds it before the shared library, and the archive named again
# at the end of the line resolves what later archive members ask for. Measured with
# `make bench` (table-postgres, window 16): peak RSS 15.1-15.5 MiB -> 14.4-14.8 MiB.
#
# Where no libstdc++.a is installed (libstdc++-12-dev), the flags fall back to the shared
# library and say so on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

flags=(-c release -Xswiftc -static-stdlib)
archive=""
for compiler in "$(dirname "$(command -v swift 2>/dev/null || echo /nonexistent)")/clang" clang g++ gcc; do
  command -v "$compiler" >/dev/null 2>&1 || [ -x "$compiler" ] || continue
  candidate="$("$compiler" -print-file-name=libstdc++.a 2>/dev/null || true)"
  if [ -n "$candidate" ] && [ -f "$candidate" ]; then
    archive="$(readlink -f "$candidate")"
    break
  fi
done
if [ -n "$archive" ]; then
  dir="$PWD/.build/static-libstdc++"
  mkdir -p "$dir"
  script="INPUT($archive)"
  # Written only when it changes, so that builds do not relink for nothing.
  [ "$(cat "$dir/libstdc++.so" 2>/dev/null || true)" = "$script" ] || echo "$script" > "$dir/libstdc++.so"
  flags+=(-Xlinker "-L$dir" -Xlinker "$archive")
else
  echo "release-flags.sh: no libstdc++.a found (install libstdc++-12-dev); linking the shared libstdc++" >&2
fi
echo "${flags[*]}"

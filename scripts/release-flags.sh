#!/usr/bin/env bash
# The `swift build` flags of a release build, on one line, for the Makefile, debian/rules and
# the scripts (one definition instead of one per caller):
#
#   -c release -Xswiftc -static-stdlib -Xlinker -L<dir> -Xlinker <libstdc++.a>
#   -Xswiftc -Xclang-linker -Xswiftc -static-libgcc
#   -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs
#   -Xlinker --symbol-ordering-file=scripts/link/hot-functions.txt
#
# Each part saves resident memory in every table process, measured on table-postgres at
# window 16 (`scripts/bench.sh postgres`; peak RSS, MiB):
#   shared libstdc++, gold (before)                        15.1-15.5
#   + static libstdc++                                     14.4-15.0
#   + lld, relative relocations packed (DT_RELR)           14.5
#   + hot functions side by side                           13.3
#   + static libgcc (no libgcc_s.so.1)                     12.9-13.2 (with the next line)
#   (no _StringProcessing, see Package.swift: 0.2 MiB less code resident)
# The last figures were measured after `echo 3 > /proc/sys/vm/drop_caches`: the same binary
# measures up to 0.3 MiB more when its file (or a library's) came into the page cache in
# large folios (copied, not read), as the kernel then maps more around each touched page.
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
# The same holds for the unwinder the runtime and libstdc++ use: clang's -static-libgcc
# links libgcc_eh.a instead of loading libgcc_s.so.1 (0.1 MiB resident, relocations at
# startup); none of the C client libraries needs libgcc_s either.
#
# The runtime's pointers make a position-independent binary start with 450 KiB of relative
# relocations, read in full by the dynamic loader; lld packs them into 3 KiB (DT_RELR,
# glibc 2.36 and later). And the kernel maps code 64 KiB at a time around each page a
# program touches, so the few hundred functions a table runs, scattered through 5 MiB of
# runtime and standard library, kept most of it resident: lld lays out the functions listed
# in scripts/link/hot-functions.txt side by side (scripts/link/update-hot-functions.sh
# makes the list; names that no longer exist are ignored).
#
# Where no libstdc++.a is installed (libstdc++-12-dev on Debian 12; on Debian 13 it comes
# with build-essential), or the toolchain has no ld.lld, the flags fall back to the shared
# library or to the default linker and say so on stderr. Debian 13's swiftlang 6.0.3 has
# both, like the swift.org toolchains (docs/packaging.md: the two toolchains).
set -euo pipefail
cd "$(dirname "$0")/.."

flags=(-c release -Xswiftc -static-stdlib -Xswiftc -Xclang-linker -Xswiftc -static-libgcc)
toolchain="$(dirname "$(readlink -f "$(command -v swift 2>/dev/null || echo /nonexistent)")")"
archive=""
for compiler in "$toolchain/clang" clang g++ gcc; do
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
  echo "release-flags.sh: no libstdc++.a found (install libstdc++-12-dev, or g++ on Debian 13); linking the shared libstdc++" >&2
fi
# SwiftPM does not know that the ordering file is an input of the link: when it changed
# after the backends were last linked, remove them so that the next build links them again.
for binary in .build/*/release/table-*; do
  if [ -f "$binary" ] && [ scripts/link/hot-functions.txt -nt "$binary" ]; then rm -f "$binary"; fi
done
if [ -x "$toolchain/ld.lld" ]; then
  flags+=(-Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs)
  flags+=(-Xlinker "--symbol-ordering-file=$PWD/scripts/link/hot-functions.txt" -Xlinker --no-warn-symbol-ordering)
else
  echo "release-flags.sh: the toolchain has no ld.lld; linking with the default linker, code not ordered" >&2
fi
echo "${flags[*]}"

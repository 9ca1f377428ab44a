#!/usr/bin/env bash
# `make repo`: a flat apt repository of the packages `make deb` built, signed.
#
#   packaging/repo.sh [PACKAGES [REPO]]
#
# PACKAGES (default $DEBDIR, /tmp/opensmtpd-tables-deb) holds the .deb files (and the source
# package, if there); REPO (default $REPODIR, or PACKAGES/repo) is written from scratch:
#   *.deb, *.dsc, *.tar.*     the packages, binary and source
#   Packages(.xz), Sources(.xz), Release, InRelease (Release signed inline), Release.gpg
#   opensmtpd-tables.gpg      the public key, for `signed-by` (opensmtpd-tables.asc: armored)
#   opensmtpd-tables.sources  an apt source for /etc/apt/sources.list.d/, to adapt
#
# Signing: REPO_KEY names the key (ID, fingerprint or address) in gpg's keyring ($GNUPGHOME as
# usual); without it the key is the one in $REPO_KEYDIR (default $DEBDIR/repo-key), which is
# generated there the first time (Ed25519, no passphrase) and kept, so that a source already
# set up with its public key stays valid. REPO_URI (default file:REPO) goes into the
# example source. docs/packaging.md: publishing it.
set -euo pipefail
cd "$(dirname "$0")/.."
debdir="${DEBDIR:-/tmp/opensmtpd-tables-deb}"
packages="$(readlink -f "${1:-$debdir}")"
repo="${2:-${REPODIR:-$packages/repo}}"
for tool in apt-ftparchive gpg xz; do
  command -v "$tool" >/dev/null || { echo "repo.sh needs $tool (scripts/deps.sh packaging installs it)" >&2; exit 1; }
done
compgen -G "$packages/*.deb" >/dev/null || { echo "repo.sh: no .deb in $packages (run make deb first)" >&2; exit 1; }

gpg_() { gpg --batch --trust-model always "$@"; }
started_agent=""
if [ -n "${REPO_KEY:-}" ]; then
  key="$REPO_KEY"
else
  export GNUPGHOME="${REPO_KEYDIR:-$debdir/repo-key}"
  mkdir -p "$GNUPGHOME"
  chmod 700 "$GNUPGHOME"
  started_agent=1
  if ! gpg_ --list-secret-keys --with-colons 2>/dev/null | grep -q '^sec'; then
    echo "repo.sh: generating a signing key in $GNUPGHOME (set REPO_KEY to sign with your own)"
    if ! output="$(gpg_ --passphrase '' --quick-generate-key \
        "opensmtpd-tables repository key (made by make repo)" ed25519 sign never 2>&1)"; then
      echo "$output"; echo "repo.sh: generating the key failed" >&2; exit 1
    fi
  fi
  key="$(gpg_ --list-secret-keys --with-colons | awk -F: '/^fpr/ { print $10; exit }')"
fi
# gpg starts an agent for the key's home; this run stops it again.
trap '[ -z "$started_agent" ] || gpgconf --kill gpg-agent 2>/dev/null || true' EXIT

# Written from scratch, but only over a repository this script made (or nothing).
if [ -e "$repo" ] && [ -n "$(ls -A "$repo")" ] && [ ! -f "$repo/Release" ]; then
  echo "repo.sh: $repo is not empty and holds no repository; not replacing it" >&2
  exit 1
fi
rm -rf "$repo"
mkdir -p "$repo"
cp "$packages"/*.deb "$repo/"
for file in "$packages"/*.dsc "$packages"/*.tar.*; do
  [ -e "$file" ] && cp "$file" "$repo/"
done
cd "$repo"
apt-ftparchive -qq packages . > Packages
xz -k -9 Packages
if compgen -G '*.dsc' >/dev/null; then
  apt-ftparchive -qq sources . > Sources
  xz -k -9 Sources
fi
architectures="$(sed -n 's/^Architecture: //p' Packages | sort -u | grep -vx all | paste -sd' ')"
apt-ftparchive \
  -o APT::FTPArchive::Release::Origin=opensmtpd-tables \
  -o APT::FTPArchive::Release::Label=opensmtpd-tables \
  -o APT::FTPArchive::Release::Suite=trixie \
  -o APT::FTPArchive::Release::Codename=trixie \
  -o APT::FTPArchive::Release::Architectures="$architectures" \
  -o APT::FTPArchive::Release::Description="OpenSMTPD table backends in Swift, for Debian 13" \
  release . > "$packages/Release.new"
mv "$packages/Release.new" Release
gpg_ --yes --quiet --local-user "$key" --digest-algo SHA512 --clearsign -o InRelease Release
gpg_ --yes --quiet --local-user "$key" --digest-algo SHA512 --armor --detach-sign -o Release.gpg Release
gpg_ --export "$key" > opensmtpd-tables.gpg
gpg_ --armor --export "$key" > opensmtpd-tables.asc
[ -s opensmtpd-tables.gpg ] || { echo "repo.sh: no public key exported for $key" >&2; exit 1; }
cat > opensmtpd-tables.sources <<EOF
# /etc/apt/sources.list.d/opensmtpd-tables.sources (the key: /etc/apt/keyrings/opensmtpd-tables.gpg)
Types: deb
URIs: ${REPO_URI:-file:$repo}
Suites: ./
Signed-By: /etc/apt/keyrings/opensmtpd-tables.gpg
EOF
echo "repository in $repo ($(ls ./*.deb | wc -l) packages), signed by $key"

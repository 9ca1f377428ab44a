# Sourced: packages_ready [previous]: the packages and apt repositories the install,
# autopkgtest and end-to-end tests use, in $DEBDIR: built here (make deb, make repo) unless
# TABLES_PACKAGES_READY=1 says a caller (scripts/test.sh) built them already. With
# "previous", also the previous version for the upgrade test (DEB_PREVIOUS=1 of deb.sh) and
# its repository. Sets REPO and PREVIOUS_REPO.
packages_ready() {
  export DEBDIR="${DEBDIR:-/tmp/opensmtpd-tables-deb}"
  REPO="$DEBDIR/repo"
  PREVIOUS_REPO="$DEBDIR/previous/repo"
  if [ "${TABLES_PACKAGES_READY:-0}" != 1 ]; then
    DEB_PREVIOUS=$([ "${1:-}" = previous ] && echo 1 || echo 0) packaging/deb.sh
    # The previous version's repository is signed first: apt keeps the lists it has when a
    # source's new Release carries an older Date than the one it replaces (acquire-item.cc,
    # "a file older than what we have"), so a current repository dated one second before the
    # previous one would leave the upgrade test with nothing to upgrade.
    [ "${1:-}" != previous ] || packaging/repo.sh "$DEBDIR/previous" "$PREVIOUS_REPO"
    packaging/repo.sh "$DEBDIR" "$REPO"
  fi
  [ -f "$REPO/InRelease" ] || { echo "no apt repository in $REPO (make deb && make repo)"; exit 1; }
  [ "${1:-}" != previous ] || [ -f "$PREVIOUS_REPO/InRelease" ] \
    || { echo "no repository of the previous version in $PREVIOUS_REPO (DEB_PREVIOUS=1 make deb)"; exit 1; }
}

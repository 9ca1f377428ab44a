# opensmtpd-tables: build, test, run and install the table backends.
PREFIX ?= /usr/local
LIBEXECDIR ?= $(PREFIX)/libexec
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=
# Where `make deb` puts the Debian packages (outside the source tree).
DEBDIR ?= /tmp/opensmtpd-tables-deb
# The backends, as packaging/backends lists them.
BACKENDS = $(shell awk '!/^#/ && NF { print $$1 }' packaging/backends)
SWIFT ?= swift
RELEASE_FLAGS = $(shell scripts/release-flags.sh)

.PHONY: all build release check test run bench bench-all soak install clean deps deb repo lintian install-test autopkgtest e2e

all: build

deps:
	scripts/deps.sh build

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build $(RELEASE_FLAGS)

# The contributor's loop: build, the test servers, every unit and integration test against
# them; no sanitizers, soak or packages. TABLES_TEST_PORT_OFFSET=N moves the servers' ports.
check:
	scripts/check.sh

# The whole suite, as CI runs it: installs what is missing, starts the test servers, then
# check's tests, a soak slice, the sanitizers and the packaging tests (root).
test:
	scripts/test.sh

# Builds table-sqlite and shows it answering lookups on the bundled example database.
run: release
	scripts/demo.sh

# Prints requests/s, latency and memory of table-sqlite and table-passwd (10,000 users).
bench: release
	scripts/bench.sh sqlite passwd

# The same for every backend, each against its own server on 127.0.0.1.
bench-all: release
	scripts/bench.sh all

# The leak soak: 1,000,000 mixed requests per backend against its real server (about 10 min).
soak: release
	scripts/soak.sh

install: release
	install -d $(DESTDIR)$(LIBEXECDIR)/opensmtpd
	for b in $(BACKENDS); do \
	  install -m 0755 "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/table-$$b" $(DESTDIR)$(LIBEXECDIR)/opensmtpd/; \
	done
	if [ -d packaging/man ]; then \
	  install -d $(DESTDIR)$(MANDIR)/man5; \
	  for b in $(BACKENDS); do \
	    [ -f packaging/man/table-$$b.5 ] && install -m 0644 packaging/man/table-$$b.5 $(DESTDIR)$(MANDIR)/man5/ || true; \
	  done; \
	fi

# The source package and one Debian 13 package per backend (packaging/backends) into
# $(DEBDIR), built with Debian's swiftlang in a clean Debian 13 root (needs root).
deb:
	scripts/deps.sh packaging
	DEBDIR=$(DEBDIR) packaging/deb.sh

# A signed flat apt repository of what `make deb` built, in $(DEBDIR)/repo (REPO_KEY: the
# key to sign with; without it one is made once in $(DEBDIR)/repo-key).
repo:
	scripts/deps.sh packaging
	DEBDIR=$(DEBDIR) packaging/repo.sh

# Debian 13's lintian on what `make deb` built, in the build root.
lintian:
	DEBDIR=$(DEBDIR) packaging/lintian.sh

# Checks the packages and installs them with apt in fresh Debian 13 roots: each alone and
# purged, over Debian's C package and back, upgraded from the previous version.
install-test:
	DEBDIR=$(DEBDIR) scripts/install-test.sh

# The packages' autopkgtests (debian/tests) by Debian 13's autopkgtest in a Debian 13 root.
autopkgtest:
	DEBDIR=$(DEBDIR) scripts/autopkgtest.sh

# Drives the real OpenSMTPD 7.6 (in a Debian trixie root) over SMTP with our tables.
e2e:
	scripts/e2e.sh

clean:
	rm -rf .build

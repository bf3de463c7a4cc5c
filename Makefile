# pause: the pod infrastructure process, and its toolkit.
#
#   make                 bin/pause (static, stripped, -Os) and bin/orphan
#   make check           install test dependencies, build every flavour, run all tests
#   make demo            pause as PID 1 of a new PID namespace, reaping a burst of orphans
#   make install         PREFIX=/usr/local DESTDIR=
#   make clean
#
# VERSION defaults to `git describe`; override with make VERSION=... .
# ARCH= is reserved for the multi-architecture build.
# CI=true (as set by .ci/run) turns warnings into errors.

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo HEAD)
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man

CC ?= cc
# the kernel headers' own type names (__u64...) are not ours to fix
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wcast-qual -Wpointer-arith -Wundef -Wvla -Wwrite-strings \
	-Wconversion -Wsign-conversion -Wnull-dereference -Wimplicit-fallthrough
ifneq ($(filter true 1 yes,$(CI)),)
WERROR ?= -Werror
endif
CFLAGS ?=
CPPFLAGS += -DPAUSE_VERSION='"$(VERSION)"'
BASEFLAGS := -std=gnu11 $(WARN) $(WERROR)

# The release build: small, static, stripped.
REL_CFLAGS := $(BASEFLAGS) -Os -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-stack-protector $(CFLAGS)
REL_LDFLAGS := -static -s -Wl,--gc-sections $(LDFLAGS)
# The libc build for valgrind: dynamic, with symbols.
LIBC_CFLAGS := $(BASEFLAGS) -O1 -g $(CFLAGS)
# ASan + UBSan: any report aborts the program, so a test sees it fail.
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
ASAN_CFLAGS := $(BASEFLAGS) -O1 -g -fno-omit-frame-pointer $(SAN) $(CFLAGS)
# test helpers and unit tests: ordinary libc programs
TOOL_CFLAGS := $(BASEFLAGS) -O2 -g $(CFLAGS)

PAUSE_SRC := src/pause/pause.c src/lib/msg.c
PAUSE_HDR := src/sys/sys.h src/lib/msg.h

.PHONY: all check unit deps demo install uninstall clean print-version
all: bin/pause bin/orphan

# Rebuild whenever the version string changes (a commit, a dirty tree).
bin/.version: FORCE
	@mkdir -p $(@D)
	@echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' > $@
FORCE:

bin/pause: $(PAUSE_SRC) $(PAUSE_HDR) bin/.version
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(REL_CFLAGS) -o $@ $(PAUSE_SRC) $(REL_LDFLAGS)

bin/libc/pause: $(PAUSE_SRC) $(PAUSE_HDR) bin/.version
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(LIBC_CFLAGS) -o $@ $(PAUSE_SRC) $(LDFLAGS)

bin/asan/pause: $(PAUSE_SRC) $(PAUSE_HDR) bin/.version
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ASAN_CFLAGS) -o $@ $(PAUSE_SRC) $(SAN) $(LDFLAGS)

bin/orphan: tests/helpers/orphan.c
	@mkdir -p $(@D)
	$(CC) $(TOOL_CFLAGS) -o $@ $< $(LDFLAGS)

bin/test/%: tests/helpers/%.c
	@mkdir -p $(@D)
	$(CC) $(TOOL_CFLAGS) -o $@ $< $(LDFLAGS)

bin/test/unit-msg: tests/unit/msg.c src/lib/msg.c src/lib/msg.h tests/unit/tap.h
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) -o $@ tests/unit/msg.c src/lib/msg.c $(SAN) $(LDFLAGS)

TEST_BINS := bin/pause bin/libc/pause bin/asan/pause bin/orphan \
	bin/test/failsys bin/test/zombie-exec bin/test/unit-msg

# `make check` is the README's test command: it installs what the tests
# need (Debian packages), builds every flavour and runs every tier.
check: deps
	$(MAKE) $(TEST_BINS)
	PAUSE_VERSION='$(VERSION)' tests/run

deps:
	scripts/deps

demo: all
	scripts/demo

print-version:
	@echo '$(VERSION)'

install: bin/pause
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 bin/pause $(DESTDIR)$(BINDIR)/pause
	install -m 0644 docs/pause.1 $(DESTDIR)$(MANDIR)/man1/pause.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/pause $(DESTDIR)$(MANDIR)/man1/pause.1

clean:
	rm -rf bin

# pause: the pod infrastructure process, and its toolkit.
#
#   make                 bin/pause (no libc, static, stripped), bin/pod, bin/orphan
#   make ARCH=arm64      bin/pause-linux-arm64 (any name in ARCH_TABLE below)
#   make all-arch        all six
#   make check           install test dependencies, build every flavour, run all tests
#   make image           bin/oci (OCI layout) and bin/pause-oci.tar, six platforms;
#                        bin/pause-docker.tar, the host's platform for docker load
#   make demo            a pod made with pod: pause as PID 1, members sharing localhost
#   make demo-docker     the same pod made with Docker's commands and our image
#   make check-vm        pod's cgroup tests on cgroup v2, in a qemu VM (also in make check)
#   make deb             Debian packages in bin/deb: pause, pod, pause-image
#   make install         PREFIX=/usr/local DESTDIR=
#   make clean
#
# VERSION defaults to git's (scripts/version: vX.Y.Z[-N-gHASH][-dirty]);
# override with make VERSION=... .
# CI=true (as set by .ci/run) turns warnings into errors.

VERSION ?= $(shell scripts/version 2>/dev/null || echo HEAD)
# once per run, not once per use
VERSION := $(VERSION)
# The image: its timestamps come from the last commit, so rebuilds match.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
REVISION ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
IMAGE_NAME ?= localhost/pause
IMAGE_SOURCE ?= $(shell git config --get remote.origin.url 2>/dev/null | grep -E '^https://' || echo unknown)
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
# where bash-completion looks for a command's completion when it is first
# completed (it searches each of $XDG_DATA_DIRS, /usr/local/share too)
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system

CC ?= cc

# The release architectures, one row each: the only place they are written.
# Everything else reads this table (make -s arch-table), so adding an
# architecture is one row here and one src/sys/arch/<cpu>.h. Columns:
#   name     our name (make ARCH=, bin/pause-linux-<name>)
#   triplet  the GNU triplet: gcc-<triplet> (Debian's package spells _
#            as -) and $(CC) -dumpmachine on such a host
#   debian   Debian's architecture: libc6-dev-<debian>-cross
#   qemu     qemu-<qemu>-static runs its binaries
#   oci      the OCI platform's architecture and variant (- for none)
#   elf      readelf -h: class, machine (a word of it) and ABI flag (-)
define ARCH_TABLE
amd64    x86_64-linux-gnu       amd64    x86_64   amd64    -   ELF64  X86-64     -
arm      arm-linux-gnueabihf    armhf    arm      arm      v7  ELF32  ARM        hard-float
arm64    aarch64-linux-gnu      arm64    aarch64  arm64    -   ELF64  AArch64    -
ppc64le  powerpc64le-linux-gnu  ppc64el  ppc64le  ppc64le  -   ELF64  PowerPC64  abiv2
s390x    s390x-linux-gnu        s390x    s390x    s390x    -   ELF64  S/390      -
riscv64  riscv64-linux-gnu      riscv64  riscv64  riscv64  -   ELF64  RISC-V     double-float
endef
# arch_rows WORDS: defines ARCHES and triplet_<name> from the table's
# words, a row of nine at a time (the next row starts at word 10)
arch_rows = $(if $(1),$(eval ARCHES += $(word 1,$(1)))$(eval triplet_$(word 1,$(1)) := \
	$(word 2,$(1)))$(call arch_rows,$(wordlist 10,$(words $(1)),$(1))))
ARCHES :=
$(call arch_rows,$(ARCH_TABLE))
ARCHES := $(strip $(ARCHES))
# The host: the architecture whose triplet the compiler builds for.
HOST_TRIPLET := $(shell $(CC) -dumpmachine 2>/dev/null)
HOST_ARCH := $(firstword $(foreach a,$(ARCHES),$(if $(filter $(triplet_$(a)),$(HOST_TRIPLET)),$(a))))
ARCH ?= $(HOST_ARCH)
ifeq ($(filter arch-table print-%,$(MAKECMDGOALS)),)
ifeq ($(filter $(ARCH),$(ARCHES)),)
$(error ARCH=$(ARCH): not one of $(ARCHES))
endif
ifeq ($(HOST_ARCH),)
$(error cannot tell the host architecture: $(CC) -dumpmachine says '$(HOST_TRIPLET)')
endif
endif
# the kernel headers' own type names (__u64...) are not ours to fix
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wcast-qual -Wpointer-arith -Wundef -Wvla -Wwrite-strings \
	-Wconversion -Wsign-conversion -Wnull-dereference -Wimplicit-fallthrough
ifneq ($(filter true 1 yes,$(CI)),)
WERROR ?= -Werror
endif
CFLAGS ?=
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
CPPFLAGS += -DPAUSE_VERSION='"$(VERSION)"' -DPAUSE_COMMIT='"$(COMMIT)"'
BASEFLAGS := -std=gnu11 $(WARN) $(WERROR)

# The release build: no C library, static, stripped, reproducible (no
# build id, no .comment, no timestamps). -fno-tree-loop-distribute-patterns
# keeps our memset/memcpy from compiling into calls to themselves; libgcc
# supplies division helpers on arm; separate-code padding would double
# the size of a binary this small; link-time optimisation saves 5%.
NOLIBC_CFLAGS := $(BASEFLAGS) -DSYS_NOLIBC -Os -flto -ffreestanding -fno-builtin \
	-fno-pie -fno-stack-protector -fomit-frame-pointer -fno-ident \
	-fno-asynchronous-unwind-tables -fno-unwind-tables \
	-fno-tree-loop-distribute-patterns -ffunction-sections -fdata-sections \
	$(CFLAGS)
NOLIBC_LDFLAGS := -nostdlib -static -no-pie -s -flto -Wl,--gc-sections \
	-Wl,--build-id=none -Wl,-z,norelro -Wl,-z,noseparate-code \
	-Wl,-z,noexecstack $(LDFLAGS) -lgcc
# The same source against static glibc, built the upstream way, for the
# benchmarks' side-by-side.
STATIC_CFLAGS := $(BASEFLAGS) -Os -fno-asynchronous-unwind-tables $(CFLAGS)
STATIC_LDFLAGS := -static -s $(LDFLAGS)
# The libc build for valgrind: dynamic, with symbols.
LIBC_CFLAGS := $(BASEFLAGS) -O1 -g $(CFLAGS)
# ASan + UBSan: any report aborts the program, so a test sees it fail.
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
ASAN_CFLAGS := $(BASEFLAGS) -O1 -g -fno-omit-frame-pointer $(SAN) $(CFLAGS)
# test helpers and unit tests: ordinary libc programs
TOOL_CFLAGS := $(BASEFLAGS) -O2 -g $(CFLAGS)

PAUSE_SRC := src/pause/main.c src/pause/pause.c src/pause/args.c src/pause/init.c src/lib/msg.c src/lib/parse.c
PAUSE_HDR := src/pause/pause.h src/sys/sys.h src/lib/msg.h src/lib/parse.h src/lib/array.h
NOLIBC_SRC := $(PAUSE_SRC) src/sys/nolibc.c
NOLIBC_HDR := $(PAUSE_HDR) src/sys/sys-nolibc.h $(wildcard src/sys/arch/*.h)
ALL_ARCH_BINS := $(ARCHES:%=bin/pause-linux-%)

# pod: an ordinary glibc program (it runs once per command, as root, and
# writes JSON with Debian's jansson). The fault build adds the test hook
# that fails a chosen create step (POD_FAULT=step), under ASan+UBSan.
POD_SRC := $(wildcard src/pod/*.c) src/lib/parse.c
POD_HDR := $(wildcard src/pod/*.h) src/lib/parse.h src/lib/array.h
# all of pod but main(): what the unit tests and fuzzers link
POD_LIB_SRC := $(filter-out src/pod/main.c,$(POD_SRC))
POD_CFLAGS := $(BASEFLAGS) -O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong $(CFLAGS)
POD_LIBS := -ljansson

.PHONY: all all-arch image deb bench check check-vm unit deps demo demo-docker install uninstall clean lint fuzz arch-table
ifeq ($(ARCH),$(HOST_ARCH))
all: bin/pause bin/pod bin/orphan
else
all: bin/pause-linux-$(ARCH)
endif
all-arch: $(ALL_ARCH_BINS)

# Rebuild whenever the version string changes (a commit, a dirty tree).
bin/.version: FORCE
	@mkdir -p $(@D)
	@echo '$(VERSION) $(COMMIT)' | cmp -s - $@ || echo '$(VERSION) $(COMMIT)' > $@
FORCE:

bin/pause-linux-%: $(NOLIBC_SRC) $(NOLIBC_HDR) bin/.version
	@mkdir -p $(@D)
	$(triplet_$*)-gcc $(CPPFLAGS) $(NOLIBC_CFLAGS) -o $@ $(NOLIBC_SRC) $(NOLIBC_LDFLAGS)

bin/pause: bin/pause-linux-$(HOST_ARCH)
	cp $< $@.tmp && mv -f $@.tmp $@

bin/libc/pause-static: $(PAUSE_SRC) $(PAUSE_HDR) bin/.version
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(STATIC_CFLAGS) -o $@ $(PAUSE_SRC) $(STATIC_LDFLAGS)

bin/libc/pause: $(PAUSE_SRC) $(PAUSE_HDR) bin/.version
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(LIBC_CFLAGS) -o $@ $(PAUSE_SRC) $(LDFLAGS)

bin/asan/pause: $(PAUSE_SRC) $(PAUSE_HDR) bin/.version
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ASAN_CFLAGS) -o $@ $(PAUSE_SRC) $(SAN) $(LDFLAGS)

bin/pod: $(POD_SRC) $(POD_HDR) bin/.version
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(POD_CFLAGS) -o $@ $(POD_SRC) $(LDFLAGS) $(POD_LIBS)

bin/asan/pod: $(POD_SRC) $(POD_HDR) bin/.version
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ASAN_CFLAGS) -o $@ $(POD_SRC) $(SAN) $(LDFLAGS) $(POD_LIBS)

bin/test/pod-faults: $(POD_SRC) $(POD_HDR) bin/.version
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -DPOD_FAULTS $(ASAN_CFLAGS) -o $@ $(POD_SRC) $(SAN) $(LDFLAGS) $(POD_LIBS)

# static, so the image tests can drop it into a busybox container
bin/orphan: tests/helpers/orphan.c
	@mkdir -p $(@D)
	$(CC) $(TOOL_CFLAGS) -static -o $@ $< $(LDFLAGS)

bin/test/%: tests/helpers/%.c
	@mkdir -p $(@D)
	$(CC) $(TOOL_CFLAGS) -o $@ $< $(LDFLAGS)

bin/test/unit-msg: tests/unit/msg.c src/lib/msg.c src/lib/msg.h tests/unit/tap.h
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) -o $@ tests/unit/msg.c src/lib/msg.c $(SAN) $(LDFLAGS)

# pod's parsers, linked with everything of pod but its main
bin/test/unit-pod: tests/unit/pod.c tests/unit/tap.h $(POD_LIB_SRC) $(POD_HDR)
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) -o $@ tests/unit/pod.c $(POD_LIB_SRC) $(SAN) $(LDFLAGS) $(POD_LIBS)

# (recursive =: FUZZ_BINS is defined further down)
TEST_BINS = bin/pause bin/pod bin/asan/pod bin/test/pod-faults $(FUZZ_BINS) \
	bin/libc/pause-static $(ALL_ARCH_BINS) bin/libc/pause bin/asan/pause bin/orphan \
	bin/test/failsys bin/test/zombie-exec bin/test/sigcatch bin/test/unit-msg bin/test/unit-pod \
	bin/pause-oci.tar bin/pause-docker.tar

# Fuzzing: a libFuzzer harness (clang, ASan+UBSan) for every parser of
# outside input; corpora live in tests/fuzz/corpus/<harness>.
FUZZ_SECONDS ?= 60
FUZZERS := pause_args pod_args state cni values
FUZZ_BINS := $(FUZZERS:%=bin/fuzz/%)
FUZZ_CFLAGS := -std=gnu11 $(WARN) $(WERROR) -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $(CPPFLAGS)

bin/fuzz/pause_args: tests/fuzz/pause_args.c tests/fuzz/argv.h src/pause/args.c \
		src/lib/msg.c src/lib/parse.c $(PAUSE_HDR)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ tests/fuzz/pause_args.c src/pause/args.c src/lib/msg.c src/lib/parse.c

bin/fuzz/%: tests/fuzz/%.c tests/fuzz/argv.h $(POD_LIB_SRC) $(POD_HDR)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ $< $(POD_LIB_SRC) $(POD_LIBS)

fuzz: deps $(FUZZ_BINS)
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz

# `make check` is the README's test command: it installs what the tests
# need (Debian packages), builds every flavour and runs every tier.
check: deps
	$(MAKE) $(TEST_BINS)
	PAUSE_VERSION='$(VERSION)' tests/run

deps:
	scripts/deps

# pod's cgroup tests on cgroup v2: Debian's kernel under qemu (TCG), an
# initramfs of our binaries and the tests (make check runs it as a tier)
check-vm: deps bin/pod bin/pause bin/test/pod-faults
	scripts/check-vm

# shellcheck, cppcheck, clang-tidy, gcc -fanalyzer and a clang build: all
# clean (make check runs it as a tier too)
lint: deps
	scripts/lint

# The README's first command: on a fresh machine it installs what the
# build and the demo need, builds, then builds a pod by hand with pod.
demo:
	scripts/deps --demo
	$(MAKE) all
	scripts/demo

# make demo-docker: the seed's pod with Docker (Debian's docker.io, a
# private dockerd) and our image; installs what it lacks (the image needs
# the cross compilers: every platform goes into the OCI archive first).
demo-docker: deps
	$(MAKE) bin/pause bin/pause-docker.tar
	scripts/demo-docker

image: bin/pause-oci.tar bin/pause-docker.tar
bin/pause-oci.tar: $(ALL_ARCH_BINS) image/build
	VERSION='$(VERSION)' REVISION='$(REVISION)' \
	SOURCE_DATE_EPOCH='$(SOURCE_DATE_EPOCH)' IMAGE_NAME='$(IMAGE_NAME)' \
	IMAGE_SOURCE='$(IMAGE_SOURCE)' image/build bin/oci $@
bin/pause-docker.tar: bin/pause-oci.tar image/docker-archive
	image/docker-archive $< $@

# Debian packages (debian/): dpkg-buildpackage in a copy of the tree, whose
# changelog scripts/deb writes from VERSION; the packages' version is
# VERSION without its v, plus the Debian revision -1.
deb:
	VERSION='$(VERSION)' COMMIT='$(COMMIT)' REVISION='$(REVISION)' \
	SOURCE_DATE_EPOCH='$(SOURCE_DATE_EPOCH)' IMAGE_SOURCE='$(IMAGE_SOURCE)' \
	scripts/deb bin/deb

# Footprint and reaping cost next to the peers, then the pod lifecycle
# next to podman and unshare+nsenter, the CRI, cgroup stops, and pods by
# the thousand, each in one run; bench/report writes docs/benchmarks.md,
# benchmarks.png and benchmarks-scale.png from that run.
bench: deps bin/pause bin/pod $(ALL_ARCH_BINS) bin/libc/pause-static bin/orphan bin/pause-oci.tar
	scripts/deps --bench
	bench/report

# make -s print-VAR: the value of VAR as this Makefile computes it
print-%:
	@echo '$($*)'

# make -s arch-table: the architecture table, one row per line
arch-table:
	$(info $(ARCH_TABLE))@:

install: bin/pause bin/pod
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 bin/pause $(DESTDIR)$(BINDIR)/pause
	install -m 0755 bin/pod $(DESTDIR)$(BINDIR)/pod
	install -m 0644 docs/pause.1 $(DESTDIR)$(MANDIR)/man1/pause.1
	install -m 0644 docs/pod.1 $(DESTDIR)$(MANDIR)/man1/pod.1
	install -d $(DESTDIR)$(BASHCOMPDIR)
	install -m 0644 completions/pod $(DESTDIR)$(BASHCOMPDIR)/pod
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	sed 's|/usr/local/bin/pod|$(BINDIR)/pod|' systemd/pod-gc.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/pod-gc.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/pod-gc.service

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/pause $(DESTDIR)$(BINDIR)/pod \
		$(DESTDIR)$(MANDIR)/man1/pause.1 $(DESTDIR)$(MANDIR)/man1/pod.1 \
		$(DESTDIR)$(BASHCOMPDIR)/pod $(DESTDIR)$(SYSTEMDUNITDIR)/pod-gc.service

clean:
	rm -rf bin

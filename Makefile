# Builds, tests and installs libmosquitto.so.1, the Rust drop-in replacement
# for Eclipse Mosquitto's C client library.
#
#   make                  build target/release/libmosquitto.so.1 (+ .so link)
#   make check            the fast inner loop: cargo fmt --check, clippy
#                         (-D warnings, all targets) and the unit tests
#   make test             check fmt and clippy, build, test-minimal, then run
#                         every test (cargo test --no-fail-fast)
#   make test-minimal     build and test the library without TLS and WebSockets
#                         (in target/minimal/, beside the default build)
#   make TLS=no WEBSOCKETS=no
#                         build the library without TLS and/or WebSockets
#                         (Cargo features tls, websockets; both yes by default)
#   make install          install to $(DESTDIR)$(PREFIX) (default /usr/local);
#                         LIBDIR=... overrides $(PREFIX)/lib, e.g. Debian's
#                         make install PREFIX=/usr LIBDIR=/usr/lib/$$(dpkg-architecture -qDEB_HOST_MULTIARCH)
#                         The library is installed stripped; its debugging
#                         information goes to $(DEBUGDIR)/.build-id/ (default
#                         $(PREFIX)/lib/debug, where gdb looks when PREFIX=/usr)
#   make deb              build target/deb/libmosquitto1-rs_*.deb, libmosquitto-rs-dev_*.deb
#                         and libmosquitto1-rs-dbgsym_*.deb (the debugging information)
#   make demo             Debian's mosquitto_sub/pub exchanging messages through our library
#   make utility-demo     build and run c-examples/utility_demo.c on our library
#   make bench            side-by-side benchmark, Debian's library vs ours (benches/)
#   make headers          regenerate include/*.h (MOSQ_BLESS=1 cargo test --test headers)
#   make docs             regenerate docs/compatibility.md's and docs/conformance.md's tables
#                         (`make readme` is the same)
#   make uninstall        remove what `make install` put in place
#   make clean            remove build products
#
# Cargo builds the crate as a staticlib; this Makefile relinks that archive
# into a shared object with the soname and GNU symbol versions of the
# original, so that prebuilt programs linked against Debian's libmosquitto
# load it unchanged. Only the functions listed in abi/ are exported.

CARGO   ?= cargo
CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=

# Optional parts, Cargo features of the same names (both built by default):
# TLS=no leaves out TLS (rustls, TLS-PSK), WEBSOCKETS=no MQTT over
# WebSockets. TARGET_DIR is cargo's target folder (test-minimal uses its own).
TLS        ?= yes
WEBSOCKETS ?= yes
TARGET_DIR ?= target
yes_or_no   = $(if $(filter yes no,$($(1))),$(filter yes,$($(1))),$(error $(1)=$($(1)): say yes or no))
FEATURES   := $(strip $(if $(call yes_or_no,TLS),tls) $(if $(call yes_or_no,WEBSOCKETS),websockets))
CARGO_FEATURES := --no-default-features $(if $(FEATURES),--features "$(FEATURES)")
# Where test-minimal builds and tests the variant without both.
MINIMAL_DIR := target/minimal

SONAME  := libmosquitto.so.1
OUT     := $(TARGET_DIR)/release
LIB_A   := $(OUT)/libmosquitto.a
LIB_SO  := $(OUT)/$(SONAME)
LIB_DEV := $(OUT)/libmosquitto.so
MAP     := $(OUT)/libmosquitto.map
# What `make install` installs: the library stripped, and its debugging
# information on its own (tools/split-debug.sh).
LIB_STRIPPED := $(OUT)/split/$(SONAME)
LIB_DEBUG    := $(OUT)/split/$(SONAME).debug

# The package version, read from Cargo.toml (used by the .pc and CMake files).
VERSION := $(shell sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n 1)

# What Rust's std needs from the C side (`--print native-static-libs`).
RUST_NATIVE_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc

# -z defs: fail at link time, not at load time, if anything is unresolved.
# --gc-sections: drop the parts of std that no exported function reaches.
# -z pack-relative-relocs: the ~3,500 relative relocations (pointers in
# .data.rel.ro) as a compact DT_RELR table, 80 KB less file (glibc >= 2.36).
# -Map: which input section went where (read by tools/hot-text-gen.sh).
SO_LDFLAGS := -shared -Wl,-soname,$(SONAME) -Wl,--version-script=$(MAP) \
	-Wl,-z,defs -Wl,--gc-sections -Wl,-z,relro -Wl,-z,now \
	-Wl,-z,pack-relative-relocs -Wl,-Map,$(LIB_SO).map

# The archive with the code of connecting and messaging grouped at the
# start of .text (tools/hot-text.sh, list in tools/hot-text.txt): the first
# client of a process touches fewer pages of the file.
LIB_HOT := $(OUT)/libmosquitto-hot.a

# The installed file has the full version in its name, like Debian's
# libmosquitto.so.2.0.11; libmosquitto.so.1 (the soname) links to it.
REALNAME   := libmosquitto.so.$(VERSION)

LIBDIR     := $(PREFIX)/lib
INCLUDEDIR := $(PREFIX)/include
PCDIR      := $(LIBDIR)/pkgconfig
CMAKEDIR   := $(LIBDIR)/cmake/mosquitto
DEBUGDIR   := $(PREFIX)/lib/debug

# The .pc file names its folders relative to ${prefix} when they are inside
# it, as Debian's does.
PC_LIBDIR     := $(patsubst $(PREFIX)/%,$${exec_prefix}/%,$(LIBDIR))
PC_INCLUDEDIR := $(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))
# The CMake package finds the headers relative to the library folder.
CMAKE_INCLUDE_FROM_LIBDIR = $(shell realpath -m --relative-to=$(LIBDIR) $(INCLUDEDIR))

# `make deb`: Debian packages built with dpkg-deb from a `make install`
# tree (see tools/mkdeb.sh).
DEB_ARCH      = $(shell dpkg --print-architecture)
DEB_MULTIARCH = $(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || $(CC) -print-multiarch)
DEB_STAGE     := target/deb/stage

DEMO := target/demo/utility_demo

# What cargo sets in a test's environment. Tests that run `make` (install,
# deb, examples, and any test building the library first) would pass them to
# `cargo build`; ring's build script asks cargo to watch CARGO_MANIFEST_DIR,
# CARGO_PKG_NAME, OUT_DIR and others, so cargo would rebuild ring, rustls and
# this crate there, and again at the next plain `make`. No recipe gets them.
unexport $(filter CARGO_MANIFEST_% CARGO_PKG_% CARGO_CFG_% CARGO_CRATE_NAME \
	CARGO_BIN_NAME CARGO_PRIMARY_PACKAGE CARGO_TARGET_TMPDIR OUT_DIR,$(.VARIABLES))

.PHONY: all check lint test test-minimal install uninstall deb demo utility-demo bench headers docs readme clean FORCE

all: $(LIB_DEV)

# Always ask cargo: it is incremental and only rewrites the archive when
# something changed, so the relink below runs only when needed.
$(LIB_A): FORCE
	$(CARGO) build --release --target-dir $(TARGET_DIR) $(CARGO_FEATURES)

# build.rs writes the version script beside the archive, from abi/.
$(MAP): $(LIB_A)

$(LIB_HOT): $(LIB_A) tools/hot-text.txt tools/hot-text.sh
	tools/hot-text.sh tools/hot-text.txt $(LIB_A) $@

$(LIB_SO): $(LIB_HOT) $(MAP)
	$(CC) $(SO_LDFLAGS) -o $@.tmp \
		-Wl,--whole-archive $(LIB_HOT) -Wl,--no-whole-archive \
		$(RUST_NATIVE_LIBS)
	mv $@.tmp $@

$(LIB_DEV): $(LIB_SO)
	ln -sfn $(SONAME) $@

# Formatting and lints, as CI enforces them.
lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --quiet --all-targets -- -D warnings

# The fast inner loop (about two minutes on 2 cores from a warm target/):
# lints and the unit tests of src/, no release build.
check: lint
	$(CARGO) test --lib

# One command for everything: lints, the minimal variant's tests (below),
# then unit tests, integration tests (tests/*.rs, which load the library
# built above; MOSQ_LIB_BUILT tells them it is current, so they do not run
# `make` again) and doc tests. A failure of the minimal variant does not
# stop the default suite (both run, either fails the target); nothing runs
# after the default suite, so that its "test result:" lines close the
# output. --no-fail-fast: one failing test binary does not hide the others'.
test: lint all
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps --quiet
	@rc=0; \
	$(MAKE) --no-print-directory test-minimal || { rc=$$?; echo "make test: the minimal variant FAILED (see above); the default suite runs all the same"; }; \
	MOSQ_LIB_BUILT=1 $(CARGO) test --no-fail-fast || rc=$$?; \
	exit $$rc

# The library without TLS and WebSockets, built and tested in its own
# target folder so that it does not replace the default build: clippy on
# that variant, the unit tests, and every integration test but those of
# the default build's packaging (install, .deb, README commands, examples,
# demo) and the fuzz smoke run (the fuzz targets build the default
# features). Tests that need a left-out feature are reported as ignored
# ("needs the tls feature"). About 4 minutes on 2 cores from scratch.
MINIMAL_SKIP  := deb demo examples fuzz_smoke install readme_commands
MINIMAL_TESTS := $(filter-out $(MINIMAL_SKIP),$(basename $(notdir $(wildcard tests/*.rs))))
# CARGO_INCREMENTAL=0: these debug builds are not edited between runs, and
# incremental data would take 1.4 GB more of target/minimal/.
test-minimal: export CARGO_INCREMENTAL = 0
test-minimal:
	$(MAKE) --no-print-directory all TLS=no WEBSOCKETS=no TARGET_DIR=$(MINIMAL_DIR)
	$(CARGO) clippy --quiet --target-dir $(MINIMAL_DIR) --no-default-features --all-targets -- -D warnings
	MOSQ_LIB_DIR=$(CURDIR)/$(MINIMAL_DIR)/release $(CARGO) test --target-dir $(MINIMAL_DIR) \
		--no-default-features --no-fail-fast --lib $(addprefix --test ,$(MINIMAL_TESTS))

# One run of the script makes both files (a grouped target).
$(LIB_STRIPPED) $(LIB_DEBUG) &: $(LIB_SO) tools/split-debug.sh
	@mkdir -p $(dir $(LIB_STRIPPED))
	tools/split-debug.sh $(LIB_SO) $(LIB_STRIPPED) $(LIB_DEBUG)

# The debug file's place under .build-id/, from the library's build-id note.
build_id = $$(readelf -n $(1) | sed -n 's/^ *Build ID: *\([0-9a-f]*\)$$/\1/p')
debug_path = $(DESTDIR)$(DEBUGDIR)/.build-id/$$(echo $(call build_id,$(1)) | cut -c1-2)/$$(echo $(call build_id,$(1)) | cut -c3-).debug

install: all $(LIB_STRIPPED) $(LIB_DEBUG)
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PCDIR) $(DESTDIR)$(CMAKEDIR)
	install -m 0644 $(LIB_STRIPPED) $(DESTDIR)$(LIBDIR)/$(REALNAME)
	@set -e; debug=$(call debug_path,$(LIB_STRIPPED)); \
	echo "install -m 0644 $(LIB_DEBUG) $$debug"; \
	install -d $$(dirname $$debug); install -m 0644 $(LIB_DEBUG) $$debug
	ln -sfn $(REALNAME) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sfn $(SONAME) $(DESTDIR)$(LIBDIR)/libmosquitto.so
	@set -e; headers=$$(ls include/*.h 2>/dev/null || true); \
	if [ -z "$$headers" ]; then \
		echo "warning: include/ has no headers yet (run 'make headers'); none installed" >&2; \
	else \
		echo "install -m 0644 $$headers $(DESTDIR)$(INCLUDEDIR)/"; \
		install -m 0644 $$headers $(DESTDIR)$(INCLUDEDIR)/; \
	fi
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(PC_LIBDIR)|g' \
		-e 's|@INCLUDEDIR@|$(PC_INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
		libmosquitto.pc.in > $(DESTDIR)$(PCDIR)/libmosquitto.pc
	chmod 0644 $(DESTDIR)$(PCDIR)/libmosquitto.pc
	sed -e 's|@INCLUDE_FROM_LIBDIR@|$(CMAKE_INCLUDE_FROM_LIBDIR)|g' cmake/mosquittoConfig.cmake.in \
		> $(DESTDIR)$(CMAKEDIR)/mosquittoConfig.cmake
	sed -e 's|@VERSION@|$(VERSION)|g' cmake/mosquittoConfigVersion.cmake.in \
		> $(DESTDIR)$(CMAKEDIR)/mosquittoConfigVersion.cmake
	chmod 0644 $(DESTDIR)$(CMAKEDIR)/mosquittoConfig.cmake $(DESTDIR)$(CMAKEDIR)/mosquittoConfigVersion.cmake

uninstall:
	@set -e; if [ -f $(DESTDIR)$(LIBDIR)/$(REALNAME) ]; then \
		debug=$(call debug_path,$(DESTDIR)$(LIBDIR)/$(REALNAME)); \
		echo "rm -f $$debug"; rm -f $$debug; \
		rmdir $$(dirname $$debug) $(DESTDIR)$(DEBUGDIR)/.build-id $(DESTDIR)$(DEBUGDIR) 2>/dev/null || true; \
	fi
	rm -f $(DESTDIR)$(LIBDIR)/$(REALNAME) $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libmosquitto.so
	rm -f $(DESTDIR)$(INCLUDEDIR)/mosquitto.h $(DESTDIR)$(INCLUDEDIR)/mqtt_protocol.h
	rm -f $(DESTDIR)$(PCDIR)/libmosquitto.pc
	rm -f $(DESTDIR)$(CMAKEDIR)/mosquittoConfig.cmake $(DESTDIR)$(CMAKEDIR)/mosquittoConfigVersion.cmake
	-rmdir $(DESTDIR)$(CMAKEDIR) 2>/dev/null

# Two packages that take the place of Debian's libmosquitto1 and
# libmosquitto-dev, and libmosquitto1-rs-dbgsym with the debugging
# information: the tree comes from `make install` in Debian's layout,
# tools/mkdeb.sh splits it and writes the control and copyright files.
deb: all
	rm -rf $(DEB_STAGE)
	$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/$(DEB_STAGE) \
		PREFIX=/usr LIBDIR=/usr/lib/$(DEB_MULTIARCH)
	tools/mkdeb.sh $(DEB_STAGE) target/deb $(VERSION) $(DEB_ARCH) $(DEB_MULTIARCH)

# Compiles the demo against our header and library and runs it on our
# library (it prints which libmosquitto file it really loaded).
demo: all
	tools/demo.sh

# The utility API example (topics, strings, v5 properties), no broker needed.
utility-demo: all
	@mkdir -p $(dir $(DEMO))
	$(CC) -Wall -Wextra -I include -o $(DEMO) c-examples/utility_demo.c \
		-L $(OUT) -lmosquitto -ldl
	LD_LIBRARY_PATH=$(CURDIR)/$(OUT) ./$(DEMO)

# Runs benches/run.sh: every scenario on Debian's library and ours, in pairs,
# then callgrind instruction counts (see benches/run.sh for the knobs).
bench: all
	benches/run.sh

headers:
	MOSQ_BLESS=1 $(CARGO) test --test headers

docs:
	MOSQ_BLESS=1 $(CARGO) test --test compat_table --test conformance docs_

readme: docs

clean:
	$(CARGO) clean

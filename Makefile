# Builds, tests and installs libmosquitto.so.1, the Rust drop-in replacement
# for Eclipse Mosquitto's C client library.
#
#   make                  build target/release/libmosquitto.so.1 (+ .so link)
#   make test             build, then run every test (cargo test --no-fail-fast)
#   make install          install to $(DESTDIR)$(PREFIX) (default /usr/local);
#                         LIBDIR=... overrides $(PREFIX)/lib, e.g. Debian's
#                         make install PREFIX=/usr LIBDIR=/usr/lib/$$(dpkg-architecture -qDEB_HOST_MULTIARCH)
#   make deb              build target/deb/libmosquitto1-rs_*.deb and libmosquitto-rs-dev_*.deb
#   make demo             Debian's mosquitto_sub/pub exchanging messages through our library
#   make utility-demo     build and run c-examples/utility_demo.c on our library
#   make bench            side-by-side benchmark, Debian's library vs ours (benches/)
#   make headers          regenerate include/*.h (MOSQ_BLESS=1 cargo test --test headers)
#   make readme           regenerate the README's compatibility and conformance tables
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

SONAME  := libmosquitto.so.1
OUT     := target/release
LIB_A   := $(OUT)/libmosquitto.a
LIB_SO  := $(OUT)/$(SONAME)
LIB_DEV := $(OUT)/libmosquitto.so
MAP     := $(OUT)/libmosquitto.map

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

.PHONY: all test install uninstall deb demo utility-demo bench headers readme clean FORCE

all: $(LIB_DEV)

# Always ask cargo: it is incremental and only rewrites the archive when
# something changed, so the relink below runs only when needed.
$(LIB_A): FORCE
	$(CARGO) build --release

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

# One command for everything: unit tests, integration tests (tests/*.rs,
# which load the library built above) and doc tests. Nothing may run after
# cargo test, so that its "test result:" lines close the output.
# --no-fail-fast: one failing test binary does not hide the others' results.
test: all
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps --quiet
	$(CARGO) test --no-fail-fast

install: all
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PCDIR) $(DESTDIR)$(CMAKEDIR)
	install -m 0644 $(LIB_SO) $(DESTDIR)$(LIBDIR)/$(REALNAME)
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
	rm -f $(DESTDIR)$(LIBDIR)/$(REALNAME) $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libmosquitto.so
	rm -f $(DESTDIR)$(INCLUDEDIR)/mosquitto.h $(DESTDIR)$(INCLUDEDIR)/mqtt_protocol.h
	rm -f $(DESTDIR)$(PCDIR)/libmosquitto.pc
	rm -f $(DESTDIR)$(CMAKEDIR)/mosquittoConfig.cmake $(DESTDIR)$(CMAKEDIR)/mosquittoConfigVersion.cmake
	-rmdir $(DESTDIR)$(CMAKEDIR) 2>/dev/null

# Two packages that take the place of Debian's libmosquitto1 and
# libmosquitto-dev: the tree comes from `make install` in Debian's layout,
# tools/mkdeb.sh splits it and writes the control files.
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

readme:
	MOSQ_BLESS=1 $(CARGO) test --test compat_table --test conformance readme_

clean:
	$(CARGO) clean

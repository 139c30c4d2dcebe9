#!/bin/sh
# Builds the Debian packages from a `make install` tree in Debian's layout
# (PREFIX=/usr LIBDIR=/usr/lib/<multiarch>). Called by `make deb`:
#
#   tools/mkdeb.sh STAGE OUTDIR VERSION ARCH MULTIARCH
#
# Makes, with dpkg-deb only (no debhelper):
#   OUTDIR/libmosquitto1-rs_<VERSION>-<REV>_<ARCH>.deb
#       the shared library; takes the place of Debian's libmosquitto1
#       (Provides/Conflicts/Replaces), so every installed program loads it.
#   OUTDIR/libmosquitto-rs-dev_<VERSION>-<REV>_<ARCH>.deb
#       headers, libmosquitto.so, .pc and CMake files; takes the place of
#       libmosquitto-dev.
#   OUTDIR/libmosquitto1-rs-dbgsym_<VERSION>-<REV>_<ARCH>.deb
#       the library's debugging information, which `make install` split
#       off, under usr/lib/debug/.build-id/ (as Debian's -dbgsym packages).
#
# The copyright file is generated (tools/deb/copyright.py, from `cargo
# metadata`); the symbol versions named in the description come from abi/;
# the Maintainer is the first of Cargo.toml's authors. lintian overrides,
# each with its reason, are in tools/deb/lintian/<package>.
#
# Environment overrides:
#   DEB_REVISION          Debian revision of our packages (default 1)
#   DEB_PROVIDES_VERSION  the libmosquitto1/libmosquitto-dev version we claim
#                         to be (default: the installed libmosquitto1's, else
#                         apt's candidate, else 2.0.11-1.2+deb12u2). Debian's
#                         mosquitto-clients, mosquitto and libmosquittopp1
#                         depend on exactly their own source version.
#   DEB_MAINTAINER        the Maintainer field (default: Cargo.toml's
#                         first author)
set -eu

stage=$1
outdir=$2
upstream=$3
arch=$4
multiarch=$5

revision=${DEB_REVISION:-1}
version="$upstream-$revision"
libdir="usr/lib/$multiarch"
realname="libmosquitto.so.$upstream"
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
maintainer=${DEB_MAINTAINER:-$(sed -n 's/^authors *= *\[ *"\([^"]*\)".*/\1/p' "$top/Cargo.toml")}
if [ -z "$maintainer" ]; then
    echo "mkdeb.sh: Cargo.toml has no authors (the Maintainer field)" >&2
    exit 1
fi

# Reproducible dates: the last commit's, unless the caller chose one.
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
    SOURCE_DATE_EPOCH=$(git -C "$here" log -1 --format=%ct 2>/dev/null || date +%s)
fi
export SOURCE_DATE_EPOCH

# The version of Debian's library we stand in for.
provides_version() {
    if [ -n "${DEB_PROVIDES_VERSION:-}" ]; then
        echo "$DEB_PROVIDES_VERSION"
        return
    fi
    v=$(dpkg-query -W -f='${db:Status-Status} ${Version}' libmosquitto1 2>/dev/null |
        sed -n 's/^installed //p')
    if [ -z "$v" ]; then
        v=$(apt-cache policy libmosquitto1 2>/dev/null |
            sed -n 's/^ *Candidate: *\([0-9].*\)$/\1/p')
    fi
    echo "${v:-2.0.11-1.2+deb12u2}"
}

# dpkg-shlibdeps' answer, worked out from the library itself: each needed
# shared library maps to its package, and the highest symbol version node
# we import from it (GLIBC_2.34, GCC_4.2.0) to the package version that
# introduced it (2.34, 4.2); 2.36 at least for packed relocations.
shlib_depends() {
    lib=$1
    needed=$(objdump -p "$lib" | awk '$1 == "NEEDED" { print $2 }')
    imports=$(objdump -T "$lib" | awk '/\*UND\*/ { print }')
    deps=""
    for soname in $needed; do
        case $soname in
        libc.so.6 | ld-linux*.so.* | libm.so.6 | libpthread.so.0 | libdl.so.2 | librt.so.1 | libutil.so.1)
            pkg=libc6 node=GLIBC ;;
        libgcc_s.so.1)
            pkg=libgcc-s1 node=GCC ;;
        *)
            echo "mkdeb.sh: no package known for $soname (needed by $lib)" >&2
            exit 1 ;;
        esac
        case " $deps " in *" $pkg "*) continue ;; esac
        deps="$deps $pkg"
    done
    out=""
    for pkg in $deps; do
        case $pkg in libc6) node=GLIBC ;; libgcc-s1) node=GCC ;; esac
        min=$(printf '%s\n' "$imports" |
            grep -oE "\(${node}_[0-9]+(\.[0-9]+)*\)" |
            sed -E "s/^\(${node}_([0-9]+)\.([0-9]+).*\)$/\1.\2/; s/^\(${node}_([0-9]+)\)$/\1/" |
            sort -uV | tail -n 1)
        # Packed relative relocations (DT_RELR) need a loader that reads
        # them: glibc 2.36 marks that with the GLIBC_ABI_DT_RELR node.
        if [ "$pkg" = libc6 ] && objdump -p "$lib" | grep -q GLIBC_ABI_DT_RELR; then
            min=$(printf '%s\n2.36\n' "$min" | sed '/^$/d' | sort -V | tail -n 1)
        fi
        if [ -n "$min" ]; then
            out="$out, $pkg (>= $min)"
        else
            out="$out, $pkg"
        fi
    done
    # Sorted by package name, as dpkg-shlibdeps writes them.
    echo "${out#, }" | tr ',' '\n' | sed 's/^ *//' | LC_ALL=C sort | paste -sd, - | sed 's/,/, /g'
}

# The symbol version nodes the library exports, from abi/ (build.rs makes
# the version script from the same lists): "MOSQ_1.0 to MOSQ_1.7 and
# MOSQ_2.1", a range for consecutive minor versions of one major.
symbol_versions() {
    cat "$top"/abi/symbols-*.txt | awk '{ print $1 }' | sort -uV | awk -F'[_.]' '
        function flush() {
            if (first == "") return
            part[++n] = first == last ? first : first " to " last
        }
        {
            if ($2 == major && $3 == minor + 1) { last = $0 }
            else { flush(); first = $0; last = $0 }
            major = $2; minor = $3
        }
        END {
            flush()
            out = part[1]
            for (i = 2; i <= n; i++) out = out (i == n ? " and " : ", ") part[i]
            print out
        }'
}

# Lintian overrides shipped in the package, if any (tools/deb/lintian/PKG).
add_overrides() {
    root=$1
    pkg=$2
    if [ -f "$here/deb/lintian/$pkg" ]; then
        install -d "$root/usr/share/lintian/overrides"
        install -m 0644 "$here/deb/lintian/$pkg" "$root/usr/share/lintian/overrides/$pkg"
    fi
}

# Files every package has: copyright and changelog.
add_docs() {
    root=$1
    pkg=$2
    doc="$root/usr/share/doc/$pkg"
    install -d "$doc"
    install -m 0644 "$work/copyright" "$doc/copyright"
    date=$(date -u -R -d "@$SOURCE_DATE_EPOCH")
    {
        echo "mosquitto-rs ($version) unstable; urgency=medium"
        echo
        echo "  * Built from the mosquitto-rs sources with \`make deb\`."
        echo
        echo " -- $maintainer  $date"
    } | gzip -9n > "$doc/changelog.Debian.gz"
    chmod 0644 "$doc/changelog.Debian.gz"
}

# Writes DEBIAN/md5sums and Installed-Size, then builds the .deb.
finish() {
    root=$1
    pkg=$2
    (cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' |
        LC_ALL=C sort | while read -r f; do md5sum "$f"; done) > "$root/DEBIAN/md5sums"
    size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
    sed -i "s/^Installed-Size: .*/Installed-Size: $size/" "$root/DEBIAN/control"
    find "$root" -type d -exec chmod 0755 {} +
    chmod 0644 "$root"/DEBIAN/*
    dpkg-deb --root-owner-group -Zxz --build "$root" "$outdir/${pkg}_${version}_${arch}.deb"
}

umask 022
provides=$(provides_version)
work="$outdir/pkgroot"
rm -rf "$work"
mkdir -p "$outdir"
rm -f "$outdir"/libmosquitto1-rs_*.deb "$outdir"/libmosquitto-rs-dev_*.deb \
    "$outdir"/libmosquitto1-rs-dbgsym_*.deb
mkdir -p "$work"
"$here/deb/copyright.py" > "$work/copyright"
versions=$(symbol_versions)

# --- libmosquitto1-rs: the runtime library --------------------------------
pkg=libmosquitto1-rs
root="$work/$pkg"
install -d "$root/DEBIAN" "$root/$libdir"
# `make install` stripped it, as dh_strip does for Debian's libraries.
install -m 0644 "$stage/$libdir/$realname" "$root/$libdir/$realname"
if readelf -S "$root/$libdir/$realname" | grep -q '\.debug_info'; then
    echo "mkdeb.sh: $stage/$libdir/$realname has debugging information" >&2
    exit 1
fi
build_id=$(readelf -n "$root/$libdir/$realname" | sed -n 's/^ *Build ID: *\([0-9a-f]*\)$/\1/p')
ln -s "$realname" "$root/$libdir/libmosquitto.so.1"
add_docs "$root" "$pkg"
add_overrides "$root" "$pkg"
depends=$(shlib_depends "$root/$libdir/$realname")
cat > "$root/DEBIAN/control" <<EOF
Package: $pkg
Source: mosquitto-rs
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: 0
Depends: $depends
Provides: libmosquitto1 (= $provides)
Conflicts: libmosquitto1
Replaces: libmosquitto1
Section: libs
Priority: optional
Multi-Arch: same
Description: MQTT version 5.0/3.1.1/3.1 client library (memory-safe Rust rewrite)
 A drop-in replacement for Eclipse Mosquitto's libmosquitto.so.1, written
 in Rust: the same C interface and ABI, with the symbol versions
 $versions, so that programs built against
 Debian's libmosquitto1, such as mosquitto_pub, mosquitto_sub and
 libmosquittopp1, load it unchanged.
 .
 This package takes the place of libmosquitto1; removing it and
 reinstalling libmosquitto1 restores the original library.
EOF
# Programs built against this library need libmosquitto1 2.0.11 or later,
# which this package and Debian's both satisfy.
echo "libmosquitto 1 libmosquitto1 (>= 2.0.11)" > "$root/DEBIAN/shlibs"
echo "activate-noawait ldconfig" > "$root/DEBIAN/triggers"
finish "$root" "$pkg"

# --- libmosquitto-rs-dev: headers and link-time files ---------------------
pkg=libmosquitto-rs-dev
root="$work/$pkg"
install -d "$root/DEBIAN" "$root/usr/include" "$root/$libdir/pkgconfig" "$root/$libdir/cmake/mosquitto"
install -m 0644 "$stage"/usr/include/mosquitto.h "$stage"/usr/include/mqtt_protocol.h "$root/usr/include/"
ln -s libmosquitto.so.1 "$root/$libdir/libmosquitto.so"
install -m 0644 "$stage/$libdir/pkgconfig/libmosquitto.pc" "$root/$libdir/pkgconfig/"
install -m 0644 "$stage/$libdir"/cmake/mosquitto/*.cmake "$root/$libdir/cmake/mosquitto/"
add_docs "$root" "$pkg"
add_overrides "$root" "$pkg"
cat > "$root/DEBIAN/control" <<EOF
Package: $pkg
Source: mosquitto-rs
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: 0
Depends: libmosquitto1-rs (= $version)
Provides: libmosquitto-dev (= $provides)
Conflicts: libmosquitto-dev
Replaces: libmosquitto-dev
Section: libdevel
Priority: optional
Multi-Arch: same
Description: MQTT version 5.0/3.1.1/3.1 client library (Rust rewrite), development files
 Headers (mosquitto.h, mqtt_protocol.h), the libmosquitto.so link,
 pkg-config and CMake files for building C programs against
 libmosquitto1-rs, the memory-safe drop-in replacement for Eclipse
 Mosquitto's libmosquitto.so.1.
 .
 This package takes the place of libmosquitto-dev.
EOF
finish "$root" "$pkg"

# --- libmosquitto1-rs-dbgsym: the library's debugging information --------
pkg=libmosquitto1-rs-dbgsym
root="$work/$pkg"
debug="usr/lib/debug/.build-id/$(echo "$build_id" | cut -c1-2)/$(echo "$build_id" | cut -c3-).debug"
install -d "$root/DEBIAN" "$root/$(dirname "$debug")" "$root/usr/share/doc"
install -m 0644 "$stage/$debug" "$root/$debug"
# As dh_strip's -dbgsym packages: the documentation is the library's.
ln -s libmosquitto1-rs "$root/usr/share/doc/$pkg"
add_overrides "$root" "$pkg"
cat > "$root/DEBIAN/control" <<EOF
Package: $pkg
Source: mosquitto-rs
Version: $version
Auto-Built-Package: debug-symbols
Architecture: $arch
Maintainer: $maintainer
Installed-Size: 0
Depends: libmosquitto1-rs (= $version)
Section: debug
Priority: optional
Multi-Arch: same
Description: debug symbols for libmosquitto1-rs
Build-Ids: $build_id
EOF
finish "$root" "$pkg"

# shellcheck shell=bash
# Shared helpers for the skbstamp test scripts.  Source this file; it only
# defines functions/variables and is safe under `set -euo pipefail`.
#
#   SKS_CACHE       cache root, OUTSIDE the checkout (default /var/cache/skbstamp)
#   SKS_KERNELS_CONF  override path of tests/kernels.conf
#   SKS_DEBIAN_SOURCES override path of the machine's deb822 apt sources

SKS_TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SKS_KERNELS_CONF=${SKS_KERNELS_CONF:-$SKS_TESTS_DIR/kernels.conf}
SKS_DEBIAN_SOURCES=${SKS_DEBIAN_SOURCES:-/etc/apt/sources.list.d/debian.sources}
SKS_KEYRING=${SKS_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}

log() { printf '[%s] %s\n' "${0##*/}" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# Cache root; created on demand.
sks_cache() {
	local c=${SKS_CACHE:-/var/cache/skbstamp}
	mkdir -p "$c" || die "cannot create cache dir $c"
	printf '%s\n' "$c"
}

# Hold an exclusive lock on the cache for the rest of the calling process
# (fd 9), so parallel fetch/chroot runs do not race on the same trees.
sks_lock() {  # sks_lock [NAME]
	exec 9>"$(sks_cache)/.lock${1:+-$1}"
	flock 9
}

# kernels.conf: "name suites abi version toolchain", '#' comments, with
# the pins Debian's archive no longer has replaced (sks_pin_gone).
_sks_conf() {
	[[ -r $SKS_KERNELS_CONF ]] || die "missing $SKS_KERNELS_CONF"
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$SKS_KERNELS_CONF" |
		awk -v f="$(sks_pin_file)" '
			BEGIN { while ((getline l < f) > 0) { split(l, a, " "); g[a[1] " " a[2]] = a[3] " " a[4] } }
			($1 " " $4) in g { split(g[$1 " " $4], r, " "); $3 = r[1]; $4 = r[2] }
			{ print }'
}

# A pinned kernel the archive has dropped (its suite keeps only the newest
# build of some packages: linux-kbuild-6.1, sid's kernels) can no longer be
# fetched, and a fresh machine's make check would fail for that alone.
# fetch-kernel.sh then takes the newest build of the same series from the
# same suites and records it here as "name pinned-version abi version";
# the line applies while kernels.conf pins that version, and make check
# says so in the kernel's fetch line (sks_pin_note).
sks_pin_file() { printf '%s/kernels/pins-gone\n' "$(sks_cache)"; }

# sks_kernel_pin NAME: the version kernels.conf pins, replaced or not.
sks_kernel_pin() {
	sed -e 's/#.*//' "$SKS_KERNELS_CONF" | awk -v n="$1" '$1 == n {print $4; exit}'
}

# sks_pin_note NAME: " (pinned V gone from the archive)" or nothing.
sks_pin_note() {
	local v
	v=$(sks_kernel_pin "$1")
	awk -v n="$1" -v v="$v" '$1 == n && $2 == v { f = 1 } END { exit !f }' \
		"$(sks_pin_file)" 2>/dev/null || return 0
	printf ' (pinned %s is gone from the archive: newest of the series)\n' "$v"
}
sks_kernel_names() { _sks_conf | awk '{print $1}'; }

# sks_kernel_field NAME FIELD  (FIELD: suites|abi|version|toolchain)
sks_kernel_field() {
	local col
	case $2 in
	suites) col=2 ;; abi) col=3 ;; version) col=4 ;; toolchain) col=5 ;;
	*) die "unknown kernels.conf field '$2'" ;;
	esac
	local v
	v=$(_sks_conf | awk -v n="$1" -v c="$col" '$1 == n {print $c; exit}')
	[[ -n $v ]] || die "kernel '$1' not in $SKS_KERNELS_CONF (known: $(sks_kernel_names | tr '\n' ' '))"
	printf '%s\n' "$v"
}

# Extraction root of a kernel and the paths inside it.
sks_kernel_root()    { printf '%s/kernels/%s\n' "$(sks_cache)" "$(sks_kernel_field "$1" abi)"; }
sks_kernel_vmlinuz() { local a; a=$(sks_kernel_field "$1" abi); printf '%s/boot/vmlinuz-%s\n' "$(sks_kernel_root "$1")" "$a"; }
sks_kernel_modules() { local a; a=$(sks_kernel_field "$1" abi); printf '%s/lib/modules/%s\n' "$(sks_kernel_root "$1")" "$a"; }
sks_kernel_headers() { local a; a=$(sks_kernel_field "$1" abi); printf '%s/usr/src/linux-headers-%s\n' "$(sks_kernel_root "$1")" "$a"; }
# sks_module_diagnostics LOG TREE HDR: print the warning:/error: lines of
# the kbuild log LOG (compiler, sparse, modpost) that are about the module
# tree TREE rather than the kernel headers HDR; false if there are any.
# Paths are absolute under TREE (older kbuild) or relative to it (newer
# kbuild builds in M=), while headers always show an absolute path under
# the cache.  TREE may be a copy of the tree that was built (DKMS deletes
# its build directory): relative paths are looked up in it.
sks_module_diagnostics() {
	local log=$1 tree=$2 hdr=$3 line bad=0
	_sks_ours() {
		local line=$1 f w
		[[ $line == *"$tree/"* ]] && return 0
		f=${line%%:*}
		if [[ $f != /* && $f == *.[chS] ]]; then
			f=${f#./}
			[[ -e $tree/$f && ! -e $hdr/$f ]] && return 0
		fi
		for w in $line; do     # modpost: "... in hello.o"
			[[ $w == *.o || $w == *.ko ]] && [[ $w != /* && -e $tree/${w#./} ]] && return 0
		done
		return 1
	}
	while IFS= read -r line; do
		if _sks_ours "$line"; then
			printf '%s\n' "$line"
			bad=1
		fi
	done < <(grep -aiE '(warning|error):' "$log" || true)
	# C=1 with an unusable sparse only gets a kbuild "warning" and no checking.
	if grep -a 'C=[0-9] specified, but' "$log"; then
		bad=1
	fi
	((bad == 0))
}

# True once fetch-kernel.sh has fully extracted+fixed the kernel.
sks_kernel_ready()   { [[ -e $(sks_kernel_root "$1")/.skbstamp-ok ]]; }

# Archive URI for a suite, READ from the machine's deb822 sources (never
# hard-coded): "*-security" suites use the stanza that lists a -security
# suite, all others the stanza that lists a plain suite.
sks_debian_uri() {
	local want=main
	[[ $1 == *-security ]] && want=security
	local uri
	uri=$(awk -v want="$want" '
		function flush() { if (uris != "" && hit) { split(uris, u, " "); print u[1]; found=1; exit } }
		/^[[:space:]]*$/ { flush(); uris=""; hit=0; next }
		/^URIs:/   { sub(/^URIs:[[:space:]]*/, ""); uris=$0 }
		/^Suites:/ { for (i = 2; i <= NF; i++) if (($i ~ /-security$/) == (want == "security")) hit=1 }
		END { if (!found) flush() }' "$SKS_DEBIAN_SOURCES")
	[[ -n $uri ]] || die "no $want URI in $SKS_DEBIAN_SOURCES"
	printf '%s\n' "$uri"
}

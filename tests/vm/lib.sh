# SPDX-License-Identifier: GPL-2.0-only
#
# Host side of the VM harness: resolve and fetch Debian cloud kernels, build a
# busybox initramfs, boot QEMU under TCG. Sourced by tests/vm/run and
# tests/vm/capture; every function prints errors as "vm: ..." on stderr.

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_TOP=$(cd "$VM_DIR/../.." && pwd)
VM_WORK=${RECLAIMD_VM_WORK:-$VM_DIR/work}

# The kernel series the harness knows, newest first; "--kernel all" runs them
# in this order.
VM_SERIES="6.18 6.12 6.1"

# Modules the guest loads, in the order given here after their dependencies.
# zram's compressors: 6.12's zram links lz4_compress/lz4hc_compress itself, 6.1
# goes through the crypto API ("lz4"). virtio_pci is built in on 6.12 and
# 6.18, a module on 6.1; virtio_blk is a module on 6.1 and 6.18. Missing ones
# are skipped (a kernel may build them in).
VM_MODULES="virtio_pci virtio_blk zsmalloc lz4 lz4hc zram"

vm_die() {
	echo "vm: $*" >&2
	exit 1
}

vm_log() {
	echo "vm: $*" >&2
}

# Downloads and unpacked kernels live outside the clone, so that every clone
# and CI job on a machine shares them; a new machine fills the cache itself.
# Without write access to /var/cache (not root), the user's cache is used.
vm_cache_dir() {
	local d
	if [ -n "${RECLAIMD_VM_CACHE:-}" ]; then
		echo "$RECLAIMD_VM_CACHE"
		return 0
	fi
	d=/var/cache/reclaimd-vm
	if mkdir -p "$d" 2>/dev/null && [ -w "$d" ]; then
		echo "$d"
	else
		echo "${XDG_CACHE_HOME:-$HOME/.cache}/reclaimd-vm"
	fi
}
VM_CACHE=$(vm_cache_dir)

# ---- apt: the machine's own lists, or private ones for newer suites --------

# Kernels newer than the machine's release come from suites of the same
# Debian mirror the machine already uses (trixie-backports, then sid), through
# a sources list, lists and cache of our own under $VM_CACHE/apt/SUITE: the
# machine's apt sources and lists are never touched. RECLAIMD_VM_MIRROR
# overrides the mirror, RECLAIMD_VM_KEYRING the keyring that verifies it.
VM_KEYRING=${RECLAIMD_VM_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}

# The mirror serving the machine's Debian suites (not the security archive),
# from apt's own view of its sources (one-line and deb822 alike).
vm_debian_mirror() {
	local m
	if [ -n "${RECLAIMD_VM_MIRROR:-}" ]; then
		echo "$RECLAIMD_VM_MIRROR"
		return 0
	fi
	m=$(apt-cache policy 2>/dev/null | awk '
		$1 ~ /^-?[0-9]+$/ && $2 ~ /^[a-z+]+:\/\// { url = $2; next }
		$1 == "release" && /o=Debian,/ && /l=Debian,/ && url != "" { print url; exit }
		{ url = "" }')
	if [ -z "$m" ]; then
		m=http://deb.debian.org/debian
		vm_log "no Debian mirror in apt's sources (apt-cache policy): using $m"
	fi
	echo "$m"
}

# vm_apt SUITE COMMAND ARGS...: apt-get or apt-cache on the machine's lists
# (SUITE "system") or on the private lists of SUITE.
vm_apt() {
	local suite=$1 d
	shift
	if [ "$suite" = system ]; then
		"$@"
		return
	fi
	d=$VM_CACHE/apt/$suite
	local tool=$1
	shift
	"$tool" -o Dir::Etc::sourcelist="$d/sources.list" -o Dir::Etc::sourceparts=/dev/null \
		-o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache" \
		-o Dir::State::status=/dev/null -o APT::Architectures=amd64 "$@"
}

# A keyring that verifies the suite when $VM_KEYRING does not (an older
# machine whose debian-archive-keyring predates the suite's key): the newest
# debian-archive-keyring package from the machine's own, signed, lists. Its
# keyrings are unpacked into $VM_CACHE/apt/keyring; nothing is installed.
vm_apt_keyring_bootstrap() {
	local d=$VM_CACHE/apt/keyring deb
	rm -rf "$d" && mkdir -p "$d/deb" || return 1
	(cd "$d/deb" && apt-get download debian-archive-keyring >download.log 2>&1) ||
		{ vm_log "cannot download debian-archive-keyring: $(grep '^E:' "$d/deb/download.log" | head -n 1)"; return 1; }
	deb=$(ls "$d"/deb/debian-archive-keyring_*.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] && dpkg-deb -x "$deb" "$d/root" &&
		[ -f "$d/root/usr/share/keyrings/debian-archive-keyring.gpg" ] ||
		{ vm_log "no keyring in $deb"; return 1; }
	echo "$d/root/usr/share/keyrings/debian-archive-keyring.gpg"
}

# vm_apt_update SUITE [force]: write the private sources list and refresh its
# lists when they are missing, older than a day, or forced. With a refresh
# that fails, lists already there are used as they are (offline).
vm_apt_update() {
	local suite=$1 force=${2:-} d=$VM_CACHE/apt/$1 keyring=$VM_KEYRING mirror
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" || return 1
	[ -f "$VM_CACHE/apt/keyring.path" ] && keyring=$(cat "$VM_CACHE/apt/keyring.path")
	if [ -z "$force" ] && [ -f "$d/updated" ] && [ -z "$(find "$d/updated" -mmin +1440)" ]; then
		return 0
	fi
	mirror=$(vm_debian_mirror)
	echo "deb [signed-by=$keyring] $mirror $suite main" >"$d/sources.list"
	vm_log "apt-get update of $suite from $mirror (private lists in $d)"
	if vm_apt "$suite" apt-get -q update >"$d/update.log" 2>&1 &&
		! grep -qE '^(W|E): .*(NO_PUBKEY|not signed|signature)' "$d/update.log"; then
		touch "$d/updated"
		return 0
	fi
	if grep -qE 'NO_PUBKEY|EXPKEYSIG|not signed|signature' "$d/update.log" &&
		[ ! -f "$VM_CACHE/apt/keyring.path" ]; then
		vm_log "$suite is not verified by $keyring: taking debian-archive-keyring from the machine's signed lists"
		keyring=$(vm_apt_keyring_bootstrap) || return 1
		echo "$keyring" >"$VM_CACHE/apt/keyring.path"
		echo "deb [signed-by=$keyring] $mirror $suite main" >"$d/sources.list"
		if vm_apt "$suite" apt-get -q update >"$d/update.log" 2>&1 &&
			! grep -qE 'NO_PUBKEY|not signed|signature' "$d/update.log"; then
			touch "$d/updated"
			return 0
		fi
	fi
	vm_log "apt-get update of $suite failed: $(grep -E '^(E|W):' "$d/update.log" | head -n 2 | tr '\n' ' ')(see $d/update.log)"
	ls "$d"/lists/*_Packages* >/dev/null 2>&1
}

# Print "PACKAGE SUITE" for kernel series $1: the Debian package holding it
# and where apt finds it ("system" or a private suite). Names change with
# every update (linux-image-6.1.0-56-..., linux-image-6.18.15+deb13-...), so
# they are resolved from the metapackages' dependency, never hard-coded:
#   6.12  linux-image-6.12-cloud-amd64 (machine's lists)
#   6.1   linux-image-cloud-amd64, else the newest linux-image-6.1.0-N-cloud-amd64
#   6.18  linux-image-cloud-amd64 of trixie-backports, then of sid; once the
#         metapackage has moved past 6.18, the newest
#         linux-image-6.18.N+debNN-cloud-amd64 of that suite
# Override with RECLAIMD_VM_PKG_6_18 / _6_12 / _6_1 (a package name, still
# fetched from that series' lists).
vm_resolve_package() {
	local series=$1 override dep suite
	override=RECLAIMD_VM_PKG_${series//./_}
	case "$series" in
	6.12 | 6.1)
		if [ -n "${!override:-}" ]; then
			echo "${!override} system"
			return 0
		fi
		dep=$(vm_meta_dep system "$series" "linux-image-$series-cloud-amd64")
		[ -n "$dep" ] || dep=$(vm_meta_dep system "$series" linux-image-cloud-amd64)
		if [ -z "$dep" ] && [ "$series" = 6.1 ]; then
			# The metapackage moves on to newer series; take the
			# newest 6.1.0-N cloud image still in the archive.
			dep=$(vm_newest_by_name system '^linux-image-6\.1\.0-[0-9]+-cloud-amd64$')
		fi
		if [ -z "$dep" ]; then
			vm_log "cannot resolve the $series cloud kernel from the machine's lists (run apt-get update?)"
			return 1
		fi
		echo "$dep system"
		;;
	6.18)
		for suite in trixie-backports sid; do
			vm_apt_update "$suite" || continue
			if [ -n "${!override:-}" ]; then
				[ -n "$(vm_candidate "$suite" "${!override}")" ] || continue
				echo "${!override} $suite"
				return 0
			fi
			dep=$(vm_meta_dep "$suite" "$series" linux-image-cloud-amd64)
			[ -n "$dep" ] ||
				dep=$(vm_newest_by_name "$suite" '^linux-image-6\.18\.[0-9]+\+deb[0-9]+-cloud-amd64$')
			if [ -n "$dep" ]; then
				echo "$dep $suite"
				return 0
			fi
		done
		vm_log "cannot resolve the 6.18 cloud kernel${!override:+ ${!override}} in trixie-backports or sid (see $VM_CACHE/apt/*/update.log)"
		return 1
		;;
	*)
		vm_log "unknown kernel series '$series' (known: $VM_SERIES)"
		return 1
		;;
	esac
}

# vm_meta_dep SUITE SERIES META: META's linux-image-SERIES* dependency.
vm_meta_dep() {
	vm_apt "$1" apt-cache depends "$3" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[^ <>]*\)$/\1/p' |
		grep -E "^linux-image-${2//./\\.}[.-]" | head -n 1
}

# vm_newest_by_name SUITE REGEX: the highest version-sorted package name.
vm_newest_by_name() {
	vm_apt "$1" apt-cache search --names-only "$2" 2>/dev/null | awk '{ print $1 }' |
		grep -E "$2" | sort -V | tail -n 1
}

# vm_candidate SUITE PACKAGE: the version apt would take, empty if none.
vm_candidate() {
	local v
	v=$(vm_apt "$1" apt-cache policy "$2" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	[ "$v" = "(none)" ] || echo "$v"
}

# vm_apt_download SUITE PACKAGE: apt-get download with retries, into the
# current directory.
vm_apt_download() {
	local suite=$1 pkg=$2 try
	for try in 1 2 3; do
		if vm_apt "$suite" apt-get download "$pkg" >download.log 2>&1; then
			return 0
		fi
		vm_log "apt-get download $pkg failed (try $try/3): $(grep -E '^E:' download.log | head -n 1)"
		sleep $((try * 3))
	done
	vm_log "cannot download '$pkg'; see $PWD/download.log"
	return 1
}

# Make kernel series $1 available unpacked; print its directory. The
# directory holds boot/vmlinuz-*, (usr/)lib/modules/*/ and PACKAGE ("name
# version"). With apt unusable (offline), fall back to a kernel of the series
# already in the cache. Clones share the cache: one fetch at a time (flock).
vm_fetch_kernel() {
	local series=$1 spec pkg suite ver dir deb lockfd
	mkdir -p "$VM_CACHE/debs" "$VM_CACHE/kernels" || { vm_log "cannot create $VM_CACHE"; return 1; }
	exec {lockfd}>"$VM_CACHE/.lock" && flock -w 1200 "$lockfd" ||
		{ vm_log "cannot lock $VM_CACHE/.lock"; return 1; }
	if ! spec=$(vm_resolve_package "$series"); then
		dir=$(ls -d "$VM_CACHE"/kernels/linux-image-"$series"[.-]*/ 2>/dev/null | sort -V | tail -n 1)
		[ -n "$dir" ] || return 1
		vm_log "using cached ${dir%/}"
		echo "${dir%/}"
		return 0
	fi
	pkg=${spec% *}
	suite=${spec##* }
	ver=$(vm_candidate "$suite" "$pkg")
	if [ -z "$ver" ]; then
		vm_log "package '$pkg' has no installable candidate in $suite (apt-cache policy $pkg)"
		return 1
	fi
	dir="$VM_CACHE/kernels/${pkg}_${ver}"
	if [ -f "$dir/PACKAGE" ]; then
		echo "$dir"
		return 0
	fi
	deb=$(ls "$VM_CACHE/debs/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n 1)
	if [ -z "$deb" ]; then
		vm_log "downloading $pkg $ver ($suite) into $VM_CACHE/debs"
		if ! (cd "$VM_CACHE/debs" && vm_apt_download "$suite" "$pkg"); then
			# Lists a day old may name a version the mirror dropped.
			[ "$suite" = system ] || ! vm_apt_update "$suite" force || return 1
			ver=$(vm_candidate "$suite" "$pkg")
			dir="$VM_CACHE/kernels/${pkg}_${ver}"
			(cd "$VM_CACHE/debs" && vm_apt_download "$suite" "$pkg") || return 1
		fi
		deb=$(ls "$VM_CACHE/debs/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n 1)
		[ -n "$deb" ] || { vm_log "apt-get download left no .deb for $pkg $ver"; return 1; }
	fi
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp" &&
		dpkg-deb -x "$deb" "$dir.tmp" &&
		ls "$dir.tmp"/boot/vmlinuz-* >/dev/null 2>&1 ||
		{ vm_log "cannot unpack $deb (no boot/vmlinuz-*)"; rm -rf "$dir.tmp"; return 1; }
	echo "$pkg $ver" >"$dir.tmp/PACKAGE"
	mv "$dir.tmp" "$dir"
	echo "$dir"
}

# Find module $2 (name with - or _) in kernel tree $1; print the path.
vm_module_path() {
	local f m
	# Debian ships modules under lib/modules up to 6.12, usr/lib/modules
	# (merged /usr) from trixie on.
	m=$(ls -d "$1"/lib/modules "$1"/usr/lib/modules 2>/dev/null)
	[ -n "$m" ] || return 0
	# shellcheck disable=SC2086
	f=$(find $m -name "$2.ko" -o -name "$2.ko.xz" -o -name "$2.ko.zst" -o -name "$2.ko.gz" 2>/dev/null | head -n 1)
	# shellcheck disable=SC2086
	[ -n "$f" ] || f=$(find $m -name "${2//_/-}.ko*" 2>/dev/null | head -n 1)
	echo "$f"
}

vm_module_cat() {
	case "$1" in
	*.xz) xz -dc "$1" ;;
	*.zst) zstd -dc "$1" ;;
	*.gz) gzip -dc "$1" ;;
	*) cat "$1" ;;
	esac
}

# Copy modules named in $3 and their dependencies (read from each module's
# .modinfo "depends=" field: the .deb ships no modules.dep) from kernel tree $1
# into $2, decompressed (busybox insmod reads only plain ELF), and write
# $2/order with one file name per line, dependencies first.
vm_copy_modules() {
	local kdir=$1 out=$2 m
	mkdir -p "$out" && : >"$out/order"
	for m in $3; do
		vm_copy_module "$kdir" "$out" "$m" || return 1
	done
}

vm_copy_module() {
	local kdir=$1 out=$2 m=$3 f deps d
	grep -qx "$m.ko" "$out/order" && return 0
	f=$(vm_module_path "$kdir" "$m")
	[ -n "$f" ] || return 0 # built in, or not built: the guest copes
	vm_module_cat "$f" >"$out/$m.ko" || { vm_log "cannot decompress $f"; return 1; }
	deps=$(tr '\0' '\n' <"$out/$m.ko" | sed -n 's/^depends=//p' | head -n 1)
	for d in ${deps//,/ }; do
		vm_copy_module "$kdir" "$out" "$d" || return 1
	done
	echo "$m.ko" >>"$out/order"
}

# Copy executable $2 into root $1 at $3, with every shared library ldd names
# at its own path (the loader included).
vm_copy_binary() {
	local root=$1 bin=$2 dest=$3 lib
	mkdir -p "$root/$(dirname "$dest")" && cp -L "$bin" "$root/$dest" || return 1
	for lib in $(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*'); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")" && cp -L "$lib" "$root$lib" || return 1
	done
}

# Build the initramfs for kernel tree $1 into file $2 from a staging root $3
# that the caller already filled with /vm (guest scripts) and any binaries.
vm_build_initramfs() {
	local kdir=$1 out=$2 root=$3 bb
	bb=$(command -v busybox) || { vm_log "busybox not found (apt-get install busybox-static)"; return 1; }
	file -L "$bb" 2>/dev/null | grep -q 'statically linked' ||
		ldd "$bb" 2>&1 | grep -q 'not a dynamic' ||
		{ vm_log "$bb is not static (apt-get install busybox-static)"; return 1; }
	mkdir -p "$root"/bin "$root"/dev "$root"/proc "$root"/sys "$root"/tmp "$root"/run "$root"/mnt &&
		cp "$bb" "$root/bin/busybox" &&
		ln -sf busybox "$root/bin/sh" &&
		cp "$VM_DIR/guest/init" "$root/init" && chmod 755 "$root/init" &&
		vm_copy_modules "$kdir" "$root/modules" "$VM_MODULES" || return 1
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 >"$out.tmp" &&
		mv "$out.tmp" "$out"
}

# Compile a guest helper C program statically (the initramfs has no libc
# unless a dynamic binary brings one).
vm_cc_static() {
	local src=$1 out=$2
	[ "$out" -nt "$src" ] && return 0
	${CC:-cc} -O2 -static -Wall -o "$out" "$src" -lm ||
		{ vm_log "cannot build $src statically (is libc6-dev installed?)"; return 1; }
}

# QEMU arguments for $1 NUMA nodes sharing $2 MiB, $3 vCPUs: node i gets CPU
# i when there is one; the rest are memory-only nodes, as on real machines
# with CXL or HBM memory.
vm_numa_args() {
	local nodes=$1 mem=$2 cpus=$3 i per
	per=$((mem / nodes))
	for ((i = 0; i < nodes; i++)); do
		printf -- '-object memory-backend-ram,id=mem%d,size=%dM ' "$i" "$per"
		if [ "$i" -lt "$cpus" ]; then
			if [ "$i" = $((nodes - 1)) ] && [ "$cpus" -gt "$nodes" ]; then
				printf -- '-numa node,nodeid=%d,memdev=mem%d,cpus=%d-%d ' "$i" "$i" "$i" $((cpus - 1))
			else
				printf -- '-numa node,nodeid=%d,memdev=mem%d,cpus=%d ' "$i" "$i" "$i"
			fi
		else
			printf -- '-numa node,nodeid=%d,memdev=mem%d ' "$i" "$i"
		fi
	done
}

# Boot: vm_boot KDIR INITRD OUTDIR TIMEOUT_S NODES [DISK]
# VM_DISKS adds virtio disks after DISK: "PATH[:ro] ..." (vda, vdb, ...).
# Writes OUTDIR/console.log (ttyS0: kernel and guest stderr), OUTDIR/results.txt
# (ttyS1: the guest's PASS/FAIL lines and data blobs) and OUTDIR/qemu-cmd.
# Returns 0 when the guest powered off by itself, 124 on timeout.
# VM_MEM_MB (2048), VM_CPUS (2) and VM_APPEND (extra kernel arguments) tune it.
vm_boot() {
	local kdir=$1 initrd=$2 out=$3 timeout_s=$4 nodes=$5 disk=${6:-} kernel rc start
	kernel=$(ls "$kdir"/boot/vmlinuz-* | head -n 1)
	local mem=${VM_MEM_MB:-2048} cpus=${VM_CPUS:-2}
	local -a cmd=(qemu-system-x86_64 -accel tcg,thread=multi -cpu max -m "${mem}M"
		-smp "$cpus" $(vm_numa_args "$nodes" "$mem" "$cpus")
		-nographic -no-reboot -monitor none
		-serial "file:$out/console.log" -serial "file:$out/results.txt"
		-kernel "$kernel" -initrd "$initrd"
		-append "console=ttyS0 panic=-1 movablecore=256M loglevel=4 tsc=reliable ${VM_APPEND:-}")
	local d ro
	for d in $disk ${VM_DISKS:-}; do
		ro=
		case "$d" in *:ro) d=${d%:ro}; ro=",readonly=on" ;; esac
		cmd+=(-drive "file=$d,if=virtio,format=raw,cache=unsafe$ro")
	done
	mkdir -p "$out" && : >"$out/console.log" && : >"$out/results.txt"
	printf '%q ' "${cmd[@]}" >"$out/qemu-cmd" && echo >>"$out/qemu-cmd"
	start=$(date +%s.%N)
	timeout -k 5 "$timeout_s" "${cmd[@]}" </dev/null >"$out/qemu.log" 2>&1
	rc=$?
	echo "$start $(date +%s.%N)" | awk '{printf "%.1f\n", $2 - $1}' >"$out/boot-seconds"
	return $rc
}

# Extract blob $2 (written by the guest's vm_blob) from results file $1 as a
# gzip'd tar on stdout.
vm_extract_blob() {
	sed -n "/^BEGIN-BLOB $2\$/,/^END-BLOB $2\$/p" "$1" | sed '1d;$d' | tr -d '\r' | base64 -d
}

# SPDX-License-Identifier: GPL-2.0-only
#
# Host side of the VM harness: resolve and fetch Debian cloud kernels, build a
# busybox initramfs, boot QEMU under TCG. Sourced by tests/vm/run and
# tests/vm/capture; every function prints errors as "vm: ..." on stderr.

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_TOP=$(cd "$VM_DIR/../.." && pwd)
VM_CACHE=${RECLAIMD_VM_CACHE:-$VM_DIR/cache}
VM_WORK=${RECLAIMD_VM_WORK:-$VM_DIR/work}

# Modules the guest loads, in the order given here after their dependencies.
# zram's compressors: 6.12's zram links lz4_compress/lz4hc_compress itself, 6.1
# goes through the crypto API ("lz4"). virtio_pci is built in on 6.12, a module
# on 6.1. Missing ones are skipped (a kernel may build them in).
VM_MODULES="virtio_pci virtio_blk zsmalloc lz4 lz4hc zram"

vm_die() {
	echo "vm: $*" >&2
	exit 1
}

vm_log() {
	echo "vm: $*" >&2
}

# Print the Debian package holding kernel series $1 (6.12 or 6.1). Names change
# with every security update (linux-image-6.1.0-56-...), so they are resolved
# from the metapackages' dependency, never hard-coded. Override with
# RECLAIMD_VM_PKG_6_12 / RECLAIMD_VM_PKG_6_1.
vm_resolve_package() {
	local series=$1 override meta dep
	override=RECLAIMD_VM_PKG_${series//./_}
	if [ -n "${!override:-}" ]; then
		echo "${!override}"
		return 0
	fi
	case "$series" in
	6.12) meta="linux-image-6.12-cloud-amd64" ;;
	6.1) meta="linux-image-cloud-amd64" ;;
	*)
		vm_log "unknown kernel series '$series' (known: 6.12, 6.1)"
		return 1
		;;
	esac
	dep=$(apt-cache depends "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[^ <>]*\)$/\1/p' |
		grep -E "^linux-image-${series//./\\.}[.-]" | head -n 1)
	if [ -z "$dep" ] && [ "$series" = 6.1 ]; then
		# The metapackage may move on to a newer series one day; take
		# the newest 6.1.0-N cloud image still in the archive.
		dep=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-cloud-amd64$' 2>/dev/null |
			awk '{print $1}' | sort -t- -k4,4n | tail -n 1)
	fi
	if [ -z "$dep" ]; then
		vm_log "cannot resolve the $series cloud kernel: '$meta' has no linux-image-$series* dependency (run apt-get update?)"
		return 1
	fi
	echo "$dep"
}

# apt-get download with retries, into the current directory.
vm_apt_download() {
	local pkg=$1 try
	for try in 1 2 3; do
		if apt-get download "$pkg" >download.log 2>&1; then
			return 0
		fi
		vm_log "apt-get download $pkg failed (try $try/3): $(grep -E '^E:' download.log | head -n 1)"
		sleep $((try * 3))
	done
	vm_log "cannot download '$pkg'; see $PWD/download.log"
	return 1
}

# Make kernel series $1 available unpacked; print its directory. The
# directory holds boot/vmlinuz-*, lib/modules/*/ and PACKAGE ("name version").
# With apt unusable (offline), fall back to a kernel of the series already in
# the cache.
vm_fetch_kernel() {
	local series=$1 pkg ver dir deb
	mkdir -p "$VM_CACHE/debs" "$VM_CACHE/kernels" || return 1
	if ! pkg=$(vm_resolve_package "$series"); then
		dir=$(ls -d "$VM_CACHE"/kernels/linux-image-"$series"[.-]*/ 2>/dev/null | sort -V | tail -n 1)
		[ -n "$dir" ] || return 1
		vm_log "using cached ${dir%/}"
		echo "${dir%/}"
		return 0
	fi
	ver=$(apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
		vm_log "package '$pkg' has no installable candidate (apt-cache policy $pkg)"
		return 1
	fi
	dir="$VM_CACHE/kernels/${pkg}_${ver}"
	if [ -f "$dir/PACKAGE" ]; then
		echo "$dir"
		return 0
	fi
	deb=$(ls "$VM_CACHE/debs/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n 1)
	if [ -z "$deb" ]; then
		vm_log "downloading $pkg $ver"
		(cd "$VM_CACHE/debs" && vm_apt_download "$pkg") || return 1
		deb=$(ls "$VM_CACHE/debs/${pkg}_"*.deb 2>/dev/null | sort -V | tail -n 1)
		[ -n "$deb" ] || { vm_log "apt-get download left no .deb for $pkg"; return 1; }
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
	local f
	f=$(find "$1"/lib/modules -name "$2.ko" -o -name "$2.ko.xz" -o -name "$2.ko.zst" -o -name "$2.ko.gz" 2>/dev/null | head -n 1)
	[ -n "$f" ] || f=$(find "$1"/lib/modules -name "${2//_/-}.ko*" 2>/dev/null | head -n 1)
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
		-append "console=ttyS0 panic=-1 movablecore=256M loglevel=4 ${VM_APPEND:-}")
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

# SPDX-License-Identifier: GPL-2.0-only
#
# Guest-side helpers, sourced by /vm/job and the scenario scripts. Results go
# to ttyS1 (a file on the host), one line each; chatter goes to the console.

CG=/sys/fs/cgroup
VM_RESULTS=/dev/ttyS1

vm_out() {
	echo "$*" >"$VM_RESULTS"
}

vm_say() {
	echo "vm: $*" >/dev/console
}

# vm_result PASS|FAIL|SKIP NAME MESSAGE
vm_result() {
	vm_out "$1 $2: $3"
	vm_say "$1 $2: $3"
}

# vm_info KEY VALUE: facts the host records (kernel release, command line).
vm_info() {
	vm_out "INFO $1: $2"
}

# vm_blob NAME DIR: DIR as a base64 gzip'd tar between markers.
vm_blob() {
	{
		echo "BEGIN-BLOB $1"
		tar -C "$2" -cf - . | gzip -9 | base64
		echo "END-BLOB $1"
	} >"$VM_RESULTS"
}

# vm_file_blob NAME FILE: one file, sent the same way (console and daemon logs).
vm_file_blob() {
	local d=/tmp/blob.$$
	mkdir -p "$d" && cp "$2" "$d/" 2>/dev/null && vm_blob "$1" "$d"
	rm -rf "$d"
}

# vm_cg_new PATH: create cgroup PATH (relative to the root) with the memory
# controller enabled on every ancestor.
vm_cg_new() {
	local path=$1 cur=$CG part
	for part in $(echo "$path" | tr / ' '); do
		grep -qw memory "$cur/cgroup.subtree_control" ||
			echo "+memory +io +cpu" >"$cur/cgroup.subtree_control" 2>/dev/null ||
			echo "+memory" >"$cur/cgroup.subtree_control"
		cur=$cur/$part
		mkdir -p "$cur"
	done
}

# vm_cg_run PATH CMD...: run CMD in cgroup PATH in the background; the PID
# is left in $!.
vm_cg_run() {
	local path=$1
	shift
	vm_cg_new "$path"
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG/$path" "$@" &
}

# vm_cg_kill PATH: kill every process of cgroup PATH (cgroup.kill, 5.14+).
vm_cg_kill() {
	[ -d "$CG/$1" ] || return 0
	echo 1 >"$CG/$1/cgroup.kill" 2>/dev/null
	local i=0
	while grep -q 'populated 1' "$CG/$1/cgroup.events" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# vm_cg_rm PATH: kill and remove cgroup PATH and its children, deepest first.
vm_cg_rm() {
	[ -d "$CG/$1" ] || return 0
	vm_cg_kill "$1"
	find "$CG/$1" -depth -type d -exec rmdir {} \; 2>/dev/null
}

# vm_vmstat KEY: one counter from /proc/vmstat (0 when absent).
vm_vmstat() {
	awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' /proc/vmstat
}

# vm_vmstat_sum PREFIX: sum of counters starting with PREFIX.
vm_vmstat_sum() {
	awk -v p="$1" 'index($1, p) == 1 { s += $2 } END { print s + 0 }' /proc/vmstat
}

# vm_psi_total FILE some|full: the total= field, in microseconds.
vm_psi_total() {
	awk -v k="$2" '$1 == k { for (i = 2; i <= NF; i++) if ($i ~ /^total=/) { sub("total=", "", $i); print $i } }' "$1"
}

vm_memstat() {
	awk -v k="$2" '$1 == k { print $2 }' "$CG/$1/memory.stat"
}

vm_kernel_series() {
	uname -r | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p'
}

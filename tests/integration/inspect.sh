#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# `reclaimd --inspect --root=FIXTURE` reports every node and zone exactly as
# the fixture's /proc/zoneinfo says: compared field by field with an
# independent awk reading (tests/unit/zoneinfo-extract.awk), both ways, so a
# missing or an extra field fails too. Also the derived parts: features,
# cgroups found, and userspace watermarks above the kernel's high mark.
. "$(dirname "$0")/lib.sh"

extract="$top_srcdir/tests/unit/zoneinfo-extract.awk"

from_json() { # JSON on stdin -> the awk script's lines (F and ZONE only)
	python3 -c 'import json, sys
d = json.load(sys.stdin)
for n in d["nodes"]:
    for z in n["zones"]:
        print("ZONE", n["id"], z["name"])
        for k, v in z.items():
            if k == "name":
                continue
            if k == "protection":
                v = ",".join(str(x) for x in v)
            if isinstance(v, bool):
                v = int(v)
            print("F", n["id"], z["name"], k, v)'
}

: >"$tmp/empty.conf"
for fx in host-6.18-1node vm-6.12-4node vm-6.1-4node old-4.19-2node; do
	root="$top_srcdir/tests/fixtures/$fx"
	"$RECLAIMD" --inspect --root="$root" --config="$tmp/empty.conf" >"$tmp/$fx.json" 2>"$tmp/err"
	ok $? "$fx: reclaimd --inspect exits 0"
	awk -f "$extract" "$root/proc/zoneinfo" | grep -E '^(ZONE|F) ' | sort >"$tmp/$fx.awk"
	from_json <"$tmp/$fx.json" | sort >"$tmp/$fx.got"
	check "$fx: every node and zone field equals the fixture ($(wc -l <"$tmp/$fx.awk") lines)" \
		cmp -s "$tmp/$fx.awk" "$tmp/$fx.got"
	cmp -s "$tmp/$fx.awk" "$tmp/$fx.got" || diff "$tmp/$fx.awk" "$tmp/$fx.got" | head -n 10 | sed 's/^/# /'
	check "$fx: userspace low marks sit above the kernel's high marks" \
		python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
hi = {(n["id"], z["name"]): z["high"] for n in d["nodes"] for z in n["zones"]}
ok = all(z["user_low"] > hi[(w["node"], z["zone"])] and z["user_high"] > z["user_low"]
         for w in d["watermarks"] for z in w["zones"])
sys.exit(0 if ok and d["watermarks"] else 1)' "$tmp/$fx.json"
done

check "vm-6.12-4node: four nodes, memory-only nodes have an empty cpulist" \
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if len(d["nodes"]) == 4 and d["nodes"][3]["cpulist"] == "" else 1)' "$tmp/vm-6.12-4node.json"
check "vm-6.12-4node: the fixture's cgroups are found" \
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if len(d["cgroups"]) >= 2 else 1)' "$tmp/vm-6.12-4node.json"
check "vm-6.12-4node: features report cgroup v2 memory.reclaim" \
	python3 -c 'import json, sys
f = json.load(open(sys.argv[1]))["features"]
sys.exit(0 if f["cgroup2_memory"] and f["memory_reclaim"] else 1)' "$tmp/vm-6.12-4node.json"
# Issue 13: --inspect's cgroups are the `cgroups` reply's rows (one
# builder), with the config's [CGroup] rules applied.
printf '[CGroup /system.slice/anon.service]\nProtect=yes\nWeight=300\n' >"$tmp/inspect.conf"
"$RECLAIMD" --inspect --root="$top_srcdir/tests/fixtures/vm-6.12-4node" \
	--config="$tmp/inspect.conf" >"$tmp/inspect-policy.json" 2>"$tmp/err"
check "--inspect shows the config's policy and the cgroups reply's fields" \
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
c = {x["path"]: x for x in d["cgroups"]}
a = c.get("/system.slice/anon.service", {})
need = {"path", "current_bytes", "reclaimable_bytes", "nodes", "floor_bytes", "protected",
        "weight", "soft_target_bytes", "pressure_some_avg10", "braked"}
sys.exit(0 if a.get("protected") is True and a.get("weight") == 300 and
         all(need <= set(x) for x in d["cgroups"]) else 1)' "$tmp/inspect-policy.json"
check "a missing root is a clear error, exit 1" \
	sh -c "! \"$RECLAIMD\" --inspect --root=/nonexistent >/dev/null 2>\"$tmp/err\" && grep -q 'nonexistent' \"$tmp/err\""
tap_done

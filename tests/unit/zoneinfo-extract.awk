# SPDX-License-Identifier: GPL-2.0-only
#
# An independent, line-based reading of /proc/zoneinfo for test-inspect:
# it shares no code with src/zoneinfo.c, so the test compares two readings.
# Prints
#	ZONE <node> <zone>
#	F <node> <zone> <field> <value>     free, boost, min, low, high, promo,
#	                                    spanned, present, managed, cma,
#	                                    protection (a,b,c), node_unreclaimable
#	LRU <node> <key> <value>            each per-node stats line
/^Node / {
	node = $2; sub(/,$/, "", node); zone = $4
	print "ZONE", node, zone
	section = "header"
	next
}
/^  per-node stats$/ { section = "lru"; next }
section == "lru" && /^      [a-z_]+ +[0-9]+$/ { print "LRU", node, $1, $2; next }
/^  pages free / { section = "zone"; print "F", node, zone, "free", $3; next }
section == "zone" && /^        (boost|min|low|high|promo|spanned|present|managed|cma) +[0-9]+$/ {
	print "F", node, zone, $1, $2
	next
}
section == "zone" && /^        protection: \(/ {
	s = $0; sub(/^[^(]*\(/, "", s); sub(/\).*$/, "", s); gsub(/ /, "", s)
	print "F", node, zone, "protection", s
	next
}
/^  node_unreclaimable: / { print "F", node, zone, "node_unreclaimable", $2; next }

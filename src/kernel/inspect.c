/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect.h"
#include "macro.h"
#include "meminfo.h"
#include "psi.h"
#include "topology.h"
#include "vmstat.h"
#include "zoneinfo.h"

static void json_object_putp(struct json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define _cleanup_json_ _cleanup_(json_object_putp)

/* json_object_object_add() takes ownership even when it fails; -ENOMEM is
 * the only failure, and a NULL value means allocation failed already. */
static int inspect_add(struct json_object *o, const char *key, struct json_object *v)
{
	if (!v)
		return -ENOMEM;
	if (json_object_object_add(o, key, v) < 0)
		return -ENOMEM;
	return 0;
}

static int inspect_add_u64(struct json_object *o, const char *key, uint64_t v)
{
	return inspect_add(o, key, json_object_new_uint64(v));
}

static struct json_object *inspect_error(int r)
{
	_cleanup_json_ struct json_object *o = json_object_new_object();

	if (!o || inspect_add(o, "error", json_object_new_string(strerror(-r))) < 0)
		return NULL;
	return TAKE_PTR(o);
}

/* One zone: the kernel's names, in pages; optional lines only if printed. */
static struct json_object *inspect_zone(const struct zone_stat *z, bool populated)
{
	_cleanup_json_ struct json_object *o = json_object_new_object();
	struct json_object *prot;
	int r = 0;

	if (!o)
		return NULL;
	r |= inspect_add(o, "name", json_object_new_string(z->name));
	r |= inspect_add_u64(o, "free", z->free);
	if (z->has_boost)
		r |= inspect_add_u64(o, "boost", z->boost);
	r |= inspect_add_u64(o, "min", z->min);
	r |= inspect_add_u64(o, "low", z->low);
	r |= inspect_add_u64(o, "high", z->high);
	if (z->has_promo)
		r |= inspect_add_u64(o, "promo", z->promo);
	r |= inspect_add_u64(o, "spanned", z->spanned);
	r |= inspect_add_u64(o, "present", z->present);
	r |= inspect_add_u64(o, "managed", z->managed);
	if (z->has_cma)
		r |= inspect_add_u64(o, "cma", z->cma);
	prot = json_object_new_array_ext((int)z->n_protection);
	for (unsigned i = 0; prot && i < z->n_protection; i++)
		if (json_object_array_add(prot, json_object_new_uint64(z->protection[i])) < 0)
			r = -ENOMEM;
	r |= inspect_add(o, "protection", prot);
	if (populated)
		r |= inspect_add(o, "node_unreclaimable",
				 json_object_new_boolean(z->node_unreclaimable));
	return r ? NULL : TAKE_PTR(o);
}

static struct json_object *inspect_lru(const struct node_lru_stat *l)
{
	static const struct {
		const char *name;
		size_t offset;
	} fields[] = {
#define F(x) {#x, offsetof(struct node_lru_stat, x)}
		F(nr_inactive_anon),
		F(nr_active_anon),
		F(nr_inactive_file),
		F(nr_active_file),
		F(nr_unevictable),
		F(nr_slab_reclaimable),
		F(nr_slab_unreclaimable),
		F(nr_file_pages),
		F(nr_anon_pages),
		F(nr_shmem),
		F(nr_mapped),
		F(nr_dirty),
		F(nr_writeback),
		F(workingset_refault_anon),
		F(workingset_refault_file),
		F(workingset_activate_anon),
		F(workingset_activate_file),
		F(workingset_nodereclaim),
#undef F
	};
	_cleanup_json_ struct json_object *o = json_object_new_object();
	int r = 0;

	if (!o)
		return NULL;
	for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
		uint64_t v;

		memcpy(&v, (const char *)l + fields[i].offset, sizeof(v));
		r |= inspect_add_u64(o, fields[i].name, v);
	}
	return r ? NULL : TAKE_PTR(o);
}

static struct json_object *inspect_meminfo_object(const struct meminfo *mi)
{
	_cleanup_json_ struct json_object *o = json_object_new_object();
	int r = 0;

	if (!o)
		return NULL;
	for (int i = 0; i < _MEMINFO_ITEM_MAX; i++)
		if (mi->present[i])
			r |= inspect_add_u64(o, meminfo_item_to_string(i), mi->value[i]);
	return r ? NULL : TAKE_PTR(o);
}

static struct json_object *inspect_meminfo(const char *root, int node_id)
{
	_cleanup_(meminfo_reader_freep) struct meminfo_reader *reader = NULL;
	struct meminfo mi;
	int r;

	r = meminfo_reader_open(root, node_id, &reader);
	if (r >= 0)
		r = meminfo_reader_read(reader, &mi);
	if (r < 0)
		return inspect_error(r);
	return inspect_meminfo_object(&mi);
}

static struct json_object *inspect_node(const char *root, const struct node_zoneinfo *n,
					const struct topology *topo, bool have_topo)
{
	_cleanup_json_ struct json_object *o = json_object_new_object();
	const struct topology_node *tn = have_topo ? topology_node(topo, n->id) : NULL;
	struct json_object *zones;
	int r = 0;

	if (!o)
		return NULL;
	r |= inspect_add(o, "id", json_object_new_int(n->id));
	if (tn) {
		char list[TOPOLOGY_LIST_MAX];

		if (topology_format_list(tn->cpus, TOPOLOGY_MAX_CPUS, list, sizeof(list)) < 0)
			return NULL;
		r |= inspect_add(o, "cpulist", json_object_new_string(list));
	}
	r |= inspect_add(o, "node_unreclaimable", json_object_new_boolean(n->node_unreclaimable));
	if (n->has_lru)
		r |= inspect_add(o, "lru", inspect_lru(&n->lru));
	r |= inspect_add(o, "meminfo", inspect_meminfo(root, n->id));
	zones = json_object_new_array_ext((int)n->n_zones);
	for (unsigned i = 0; zones && i < n->n_zones; i++) {
		const struct zone_stat *z = &n->zones[i];
		/* The kernel prints node_unreclaimable for populated zones. */
		struct json_object *zo = inspect_zone(z, z->present > 0);

		if (!zo || json_object_array_add(zones, zo) < 0)
			r = -ENOMEM;
	}
	r |= inspect_add(o, "zones", zones);
	return r ? NULL : TAKE_PTR(o);
}

static int inspect_nodes(const char *root, struct json_object *top)
{
	_cleanup_(zoneinfo_reader_freep) struct zoneinfo_reader *reader = NULL;
	_cleanup_free_ struct zoneinfo *zi = NULL;
	_cleanup_free_ struct topology *topo = NULL;
	struct json_object *nodes;
	bool have_topo;
	int r;

	zi = calloc(1, sizeof(*zi));
	topo = calloc(1, sizeof(*topo));
	if (!zi || !topo)
		return -ENOMEM;
	r = zoneinfo_reader_open(root, &reader);
	if (r < 0)
		return r;
	r = zoneinfo_reader_read(reader, zi);
	if (r < 0)
		return r;
	have_topo = topology_discover(root, topo) >= 0;
	nodes = json_object_new_array_ext((int)zi->n_nodes);
	for (unsigned i = 0; nodes && i < zi->n_nodes; i++) {
		struct json_object *no = inspect_node(root, &zi->nodes[i], topo, have_topo);

		if (!no || json_object_array_add(nodes, no) < 0)
			r = -ENOMEM;
	}
	if (r < 0) {
		json_object_put(nodes);
		return r;
	}
	return inspect_add(top, "nodes", nodes);
}

static struct json_object *inspect_psi_line(const struct psi_line *l)
{
	_cleanup_json_ struct json_object *o = json_object_new_object();
	const uint32_t avg[] = {l->avg10, l->avg60, l->avg300};
	const char *names[] = {"avg10", "avg60", "avg300"};
	int r = 0;

	if (!o)
		return NULL;
	for (size_t i = 0; i < ELEMENTSOF(avg); i++) {
		char text[16];

		/* Print as the kernel does ("0.46"), not as a binary double. */
		snprintf(text, sizeof(text), "%" PRIu32 ".%02" PRIu32, avg[i] / 100, avg[i] % 100);
		r |= inspect_add(o, names[i], json_object_new_double_s(avg[i] / 100.0, text));
	}
	r |= inspect_add_u64(o, "total", l->total_usec);
	return r ? NULL : TAKE_PTR(o);
}

static struct json_object *inspect_psi_file(const char *root, const char *path)
{
	_cleanup_(psi_reader_freep) struct psi_reader *reader = NULL;
	_cleanup_json_ struct json_object *o = NULL;
	struct psi_stat st;
	int r;

	r = psi_reader_open(root, path, &reader);
	if (r >= 0)
		r = psi_reader_read(reader, &st);
	if (r < 0)
		return inspect_error(r);
	o = json_object_new_object();
	if (!o)
		return NULL;
	r = inspect_add(o, "some", inspect_psi_line(&st.some));
	if (st.has_full)
		r |= inspect_add(o, "full", inspect_psi_line(&st.full));
	return r ? NULL : TAKE_PTR(o);
}

static struct json_object *inspect_pressure(const char *root)
{
	static const char *const resources[] = {"memory", "io", "cpu"};
	_cleanup_json_ struct json_object *o = json_object_new_object();
	int r = 0;

	if (!o)
		return NULL;
	for (size_t i = 0; i < ELEMENTSOF(resources); i++) {
		char path[32];

		snprintf(path, sizeof(path), "/proc/pressure/%s", resources[i]);
		r |= inspect_add(o, resources[i], inspect_psi_file(root, path));
	}
	return r ? NULL : TAKE_PTR(o);
}

static struct json_object *inspect_vmstat(const char *root)
{
	_cleanup_(vmstat_reader_freep) struct vmstat_reader *reader = NULL;
	_cleanup_json_ struct json_object *o = NULL;
	struct vmstat vs;
	int r;

	r = vmstat_reader_open(root, &reader);
	if (r >= 0)
		r = vmstat_reader_read(reader, &vs);
	if (r < 0)
		return inspect_error(r);
	o = json_object_new_object();
	if (!o)
		return NULL;
	for (int i = 0; i < _VMSTAT_ITEM_MAX; i++)
		if (vs.present[i])
			r |= inspect_add_u64(o, vmstat_item_to_string(i), vs.value[i]);
	return r ? NULL : TAKE_PTR(o);
}

int inspect_kernel_state(const char *root, struct json_object **ret)
{
	_cleanup_json_ struct json_object *top = json_object_new_object();
	int r;

	if (!ret)
		return -EINVAL;
	if (!top)
		return -ENOMEM;
	r = inspect_add(top, "root", json_object_new_string(root && *root ? root : "/"));
	if (r < 0)
		return r;
	r = inspect_nodes(root, top);
	if (r < 0)
		return r;
	r = inspect_add(top, "pressure", inspect_pressure(root));
	if (r < 0)
		return r;
	r = inspect_add(top, "vmstat", inspect_vmstat(root));
	if (r < 0)
		return r;
	r = inspect_add(top, "meminfo", inspect_meminfo(root, -1));
	if (r < 0)
		return r;
	*ret = TAKE_PTR(top);
	return 0;
}

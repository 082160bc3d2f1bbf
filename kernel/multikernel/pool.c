// SPDX-License-Identifier: GPL-2.0
/*
 * Multikernel boot pool: the memory reserved at boot with multikernel=,
 * carved into instance regions; without it, instance regions allocated
 * from the running host's memory.
 *
 * This file owns the pool and which parts of it are in use.  It knows
 * nothing about instances beyond the ranges they hold; the architecture
 * makes the reservation (arch_multikernel_pool()) and instance.c decides
 * who gets which range.  A region is cleared when it is given back, so no
 * later instance finds what an earlier one left (load.c clears an
 * instance's RAM again before each load, which also covers what was in
 * the pool at boot).
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <kunit/static_stub.h>
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/multikernel.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmstat.h>

#include "internal.h"

/* Instance regions are 2 MiB aligned: the spawn maps them with 2 MiB pages. */
#define MK_POOL_ALIGN	SZ_2M
/* Memory is cleared in chunks of this size, rescheduling in between. */
#define MK_CLEAR_CHUNK	SZ_1M

struct mk_range {
	phys_addr_t	base;
	size_t		size;	/* 0: slot unused */
};

static DEFINE_MUTEX(mk_pool_lock);
static struct resource mk_pool;
static bool mk_have_pool;
/* no boot pool: instance memory is allocated from the running host */
static bool mk_runtime;
static struct mk_range mk_used[MULTIKERNEL_MAX_INSTANCES];

static bool mk_overlap(phys_addr_t a, size_t alen, phys_addr_t b, size_t blen)
{
	return a < b + blen && b < a + alen;
}

/**
 * mk_zero - clear memory of the pool through the direct map
 * @dst:	start
 * @len:	bytes
 *
 * In chunks, rescheduling between them: an instance's RAM can be large.
 */
void mk_zero(void *dst, size_t len)
{
	KUNIT_STATIC_STUB_REDIRECT(mk_zero, dst, len);
	while (len) {
		size_t n = min_t(size_t, len, MK_CLEAR_CHUNK);

		memset(dst, 0, n);
		dst += n;
		len -= n;
		cond_resched();
	}
}

/* Is [base, base + size) inside the pool and free?  Called with mk_pool_lock. */
static bool mk_pool_fits(phys_addr_t base, size_t size)
{
	int i;

	if (base < mk_pool.start || base + size < base ||
	    base + size - 1 > mk_pool.end)
		return false;
	for (i = 0; i < MULTIKERNEL_MAX_INSTANCES; i++)
		if (mk_used[i].size &&
		    mk_overlap(base, size, mk_used[i].base, mk_used[i].size))
			return false;
	return true;
}

/* First fit: the pool start or the end of a used range.  With mk_pool_lock. */
static int mk_pool_find(size_t size, phys_addr_t *base)
{
	phys_addr_t cand = ALIGN(mk_pool.start, MK_POOL_ALIGN);
	int i = -1;

	do {
		if (i >= 0) {
			if (!mk_used[i].size)
				continue;
			cand = ALIGN(mk_used[i].base + mk_used[i].size,
				     MK_POOL_ALIGN);
		}
		if (mk_pool_fits(cand, size)) {
			*base = cand;
			return 0;
		}
	} while (++i < MULTIKERNEL_MAX_INSTANCES);
	return -ENOSPC;
}

#ifdef CONFIG_CONTIG_ALLOC
/*
 * Run-time memory: a contiguous, 2 MiB aligned range of movable memory
 * taken from the page allocator (alloc_contig_range() migrates what is in
 * the way) and cleared before the instance gets it: it held the host's
 * data.  At @want exactly, or wherever alloc_contig_pages() finds room,
 * trimmed to the alignment.
 */
static int mk_runtime_alloc(size_t size, phys_addr_t want, phys_addr_t *base)
{
	unsigned long nr = size >> PAGE_SHIFT, extra = MK_POOL_ALIGN >> PAGE_SHIFT;
	unsigned long pfn, start;
	struct page *page;

	if (want) {
		pfn = PHYS_PFN(want);
		/* all System RAM, and in one zone as alloc_contig_range() needs */
		if (region_intersects(want, size, IORESOURCE_SYSTEM_RAM,
				      IORES_DESC_NONE) != REGION_INTERSECTS ||
		    !pfn_valid(pfn) || !pfn_valid(pfn + nr - 1) ||
		    !zone_spans_pfn(page_zone(pfn_to_page(pfn)), pfn + nr - 1) ||
		    alloc_contig_range(pfn, pfn + nr, MIGRATE_MOVABLE,
				       GFP_KERNEL | __GFP_NOWARN))
			return -ENOSPC;
		start = pfn;
	} else {
		page = alloc_contig_pages(nr + extra, GFP_KERNEL | __GFP_NOWARN,
					  NUMA_NO_NODE, NULL);
		if (!page)
			return -ENOMEM;
		pfn = page_to_pfn(page);
		start = ALIGN(pfn, extra);
		if (start > pfn)
			free_contig_range(pfn, start - pfn);
		free_contig_range(start + nr, pfn + nr + extra - (start + nr));
	}
	*base = PFN_PHYS(start);
	mk_zero(phys_to_virt(*base), size);
	return 0;
}

static void mk_runtime_free(phys_addr_t base, size_t size)
{
	mk_zero(phys_to_virt(base), size);
	free_contig_range(PHYS_PFN(base), size >> PAGE_SHIFT);
}

/* Why an allocation failed: free memory and the largest free block. */
static void mk_runtime_explain(size_t size)
{
	unsigned int order, largest = 0;
	struct zone *zone;

	for_each_populated_zone(zone)
		for (order = largest; order < NR_PAGE_ORDERS; order++)
			/* a hint for the log: racing the allocator is fine */
			if (data_race(zone->free_area[order].nr_free))
				largest = order;
	pr_info_ratelimited("cannot allocate %zuM of contiguous memory: %luM free, the largest free block %luK; create instances early or boot with multikernel=SIZE\n",
			    size >> 20, global_zone_page_state(NR_FREE_PAGES) >>
			    (20 - PAGE_SHIFT), (PAGE_SIZE << largest) >> 10);
}
#else
static int mk_runtime_alloc(size_t size, phys_addr_t want, phys_addr_t *base)
{
	return -ENOMEM;
}

static void mk_runtime_free(phys_addr_t base, size_t size) { }
static void mk_runtime_explain(size_t size) { }
#endif

/* A run-time slot gets a new range; with mk_pool_lock held. */
static int mk_runtime_realloc(int slot, size_t size, phys_addr_t want,
			      phys_addr_t *base)
{
	struct mk_range old = mk_used[slot];
	int ret = 0;

	*base = 0;
	if (size) {
		ret = mk_runtime_alloc(size, want, base);
		if (ret == -ENOMEM)
			mk_runtime_explain(size);
		if (ret)
			return ret;
	}
	if (old.size)
		mk_runtime_free(old.base, old.size);
	mk_used[slot].base = *base;
	mk_used[slot].size = size;
	return 0;
}

/**
 * mk_pool_realloc - give a slot a (new) region of the pool
 * @slot:	instance slot, its old region is replaced
 * @size:	bytes wanted, a multiple of 2 MiB; 0 only frees
 * @want:	physical start wanted, or 0 for any
 * @base:	filled with the start of the region
 *
 * The old region stays the slot's when no new one can be had.  When it is
 * given up it is cleared before another slot can have it.
 *
 * Without a boot pool the region is allocated from the running host's
 * memory (mk_pool_runtime()) and freed, cleared, when given up.
 *
 * Return: 0, -ENODEV without a pool, -EINVAL for a misaligned @want,
 * -ENOSPC when the pool has no such free region (or, at run time, the
 * range at @want cannot be had), -ENOMEM when no contiguous run-time
 * memory of @size can be had.
 */
int mk_pool_realloc(int slot, size_t size, phys_addr_t want,
		    phys_addr_t *base)
{
	struct mk_range old;
	int ret = 0;

	KUNIT_STATIC_STUB_REDIRECT(mk_pool_realloc, slot, size, want, base);
	if (!mk_have_pool && !mk_runtime)
		return -ENODEV;
	if (!IS_ALIGNED(want, MK_POOL_ALIGN) || !IS_ALIGNED(size, MK_POOL_ALIGN))
		return -EINVAL;
	mutex_lock(&mk_pool_lock);
	if (mk_runtime) {
		ret = mk_runtime_realloc(slot, size, want, base);
		mutex_unlock(&mk_pool_lock);
		return ret;
	}
	old = mk_used[slot];
	mk_used[slot].size = 0;
	if (!size) {
		*base = 0;
	} else if (want) {
		if (mk_pool_fits(want, size))
			*base = want;
		else
			ret = -ENOSPC;
	} else {
		ret = mk_pool_find(size, base);
	}
	if (ret) {
		mk_used[slot] = old;
	} else {
		/* under the lock: nobody else can be given it before this */
		if (old.size)
			mk_zero(phys_to_virt(old.base), old.size);
		mk_used[slot].base = *base;
		mk_used[slot].size = size;
	}
	mutex_unlock(&mk_pool_lock);
	return ret;
}

/**
 * mk_pool_size - size of the boot pool
 *
 * Return: bytes reserved at boot, 0 without a pool.
 */
size_t mk_pool_size(void)
{
	KUNIT_STATIC_STUB_REDIRECT(mk_pool_size);
	return mk_have_pool ? resource_size(&mk_pool) : 0;
}

/**
 * mk_pool_runtime - instances get memory from the running host
 *
 * Return: true when there is no boot pool but multikernel is enabled.
 */
bool mk_pool_runtime(void)
{
	KUNIT_STATIC_STUB_REDIRECT(mk_pool_runtime);
	return mk_runtime;
}

/**
 * mk_pool_range - the boot pool
 * @res: filled with the pool's range
 *
 * Return: true when a pool exists.
 */
bool mk_pool_range(struct resource *res)
{
	if (mk_have_pool)
		*res = mk_pool;
	return mk_have_pool;
}

#ifdef CONFIG_MULTIKERNEL_TEST_ABI
/*
 * debugfs multikernel/pool_find: write a string of up to MK_FIND_MAX bytes,
 * read how often it occurs in the whole pool, so that tests can see whether
 * an instance's data is still there.
 */
#define MK_FIND_MAX	64

static char mk_find_pat[MK_FIND_MAX];
static size_t mk_find_len;

/* Occurrences of @pat; pages of zeros are skipped (@pat starts non-zero). */
static unsigned long mk_pool_count(const char *pat, size_t len)
{
	const u8 *pool = phys_to_virt(mk_pool.start);
	size_t size = resource_size(&mk_pool), off, i;
	unsigned long hits = 0;

	for (off = 0; len && off + len <= size; off += PAGE_SIZE) {
		size_t last = min(off + PAGE_SIZE, size - len + 1);

		cond_resched();
		if (!memchr_inv(pool + off, 0, last - off))
			continue;
		for (i = off; i < last; i++)
			if (pool[i] == pat[0] && !memcmp(pool + i, pat, len))
				hits++;
	}
	return hits;
}

static ssize_t mk_find_read(struct file *file, char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	char buf[24];
	int len;

	if (*ppos)
		return 0;
	mutex_lock(&mk_pool_lock);
	len = scnprintf(buf, sizeof(buf), "%lu\n",
			mk_pool_count(mk_find_pat, mk_find_len));
	mutex_unlock(&mk_pool_lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static ssize_t mk_find_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	char buf[MK_FIND_MAX];

	if (!count || count > sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	if (!buf[0])
		return -EINVAL;
	mutex_lock(&mk_pool_lock);
	memcpy(mk_find_pat, buf, count);
	mk_find_len = count;
	mutex_unlock(&mk_pool_lock);
	return count;
}

static const struct file_operations mk_find_fops = {
	.read	= mk_find_read,
	.write	= mk_find_write,
	.llseek	= default_llseek,
};

/* After late_initcall: the directory may exist already. */
static int __init mk_pool_test_init(void)
{
	struct dentry *dir;

	if (!mk_have_pool)
		return 0;
	dir = debugfs_lookup("multikernel", NULL);
	if (!dir) {
		dir = debugfs_create_dir("multikernel", NULL);
		if (IS_ERR(dir))
			return 0;
		dget(dir);
	}
	debugfs_create_file("pool_find", 0600, dir, NULL, &mk_find_fops);
	dput(dir);
	return 0;
}
late_initcall_sync(mk_pool_test_init);
#endif

/**
 * mk_pool_init - take over the boot reservation
 *
 * Return: 0, or -ENODEV when multikernel is disabled: neither a pool nor
 * low memory was reserved at boot, or run-time allocation is not built.
 */
int __init mk_pool_init(void)
{
	phys_addr_t low;
	size_t low_size;

	if (arch_multikernel_pool(&mk_pool)) {
		/* without a pool, instances need low memory and contig_alloc */
		if (!IS_ENABLED(CONFIG_CONTIG_ALLOC) ||
		    arch_multikernel_low_slice(0, &low, &low_size))
			return -ENODEV;
		mk_runtime = true;
		pr_info("no pool: instance memory is allocated at run time, low memory for %d instances\n",
			MULTIKERNEL_MAX_INSTANCES);
		return 0;
	}
	mk_have_pool = true;
	pr_info("pool %pa-%pa ready\n", &mk_pool.start, &mk_pool.end);
	return 0;
}

#if IS_ENABLED(CONFIG_MULTIKERNEL_KUNIT_TEST)
#include "pool_kunit.c"
#endif /* CONFIG_MULTIKERNEL_KUNIT_TEST */

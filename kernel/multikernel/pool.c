// SPDX-License-Identifier: GPL-2.0
/*
 * Multikernel boot pool: the memory reserved at boot with multikernel=,
 * carved into instance regions.
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
#include <linux/init.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/multikernel.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/uaccess.h>

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
 * Return: 0, -ENODEV without a pool, -EINVAL for a misaligned @want,
 * -ENOSPC when the pool has no such free region.
 */
int mk_pool_realloc(int slot, size_t size, phys_addr_t want,
		    phys_addr_t *base)
{
	struct mk_range old;
	int ret = 0;

	KUNIT_STATIC_STUB_REDIRECT(mk_pool_realloc, slot, size, want, base);
	if (!mk_have_pool)
		return -ENODEV;
	if (!IS_ALIGNED(want, MK_POOL_ALIGN) || !IS_ALIGNED(size, MK_POOL_ALIGN))
		return -EINVAL;
	mutex_lock(&mk_pool_lock);
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
 * Return: 0, or -ENODEV when nothing was reserved at boot.
 */
int __init mk_pool_init(void)
{
	if (arch_multikernel_pool(&mk_pool))
		return -ENODEV;
	mk_have_pool = true;
	pr_info("pool %pa-%pa ready\n", &mk_pool.start, &mk_pool.end);
	return 0;
}

#if IS_ENABLED(CONFIG_MULTIKERNEL_KUNIT_TEST)
#include "pool_kunit.c"
#endif /* CONFIG_MULTIKERNEL_KUNIT_TEST */

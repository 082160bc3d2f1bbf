// SPDX-License-Identifier: GPL-2.0
/*
 * Multikernel boot pool: the memory reserved at boot with multikernel=,
 * carved into instance regions.
 *
 * This file owns the pool and which parts of it are in use.  It knows
 * nothing about instances beyond the ranges they hold; the architecture
 * makes the reservation (arch_multikernel_pool()) and instance.c decides
 * who gets which range.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/ioport.h>
#include <linux/multikernel.h>
#include <linux/mutex.h>
#include <linux/sizes.h>

#include "internal.h"

/* Instance regions are 2 MiB aligned: the spawn maps them with 2 MiB pages. */
#define MK_POOL_ALIGN	SZ_2M

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
 * The old region stays the slot's when no new one can be had.
 *
 * Return: 0, -ENODEV without a pool, -EINVAL for a misaligned @want,
 * -ENOSPC when the pool has no such free region.
 */
int mk_pool_realloc(int slot, size_t size, phys_addr_t want,
		    phys_addr_t *base)
{
	struct mk_range old;
	int ret = 0;

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

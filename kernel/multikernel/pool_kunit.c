// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the pool allocator, included at the end of pool.c.
 *
 * Each test swaps in a pool of its own, a physical range that is never
 * touched: clearing a region given back (mk_zero()) is a static stub that
 * records what would be cleared.  The host's pool and regions are restored
 * when the test ends; the tests skip while an instance holds pool memory.
 */

#include <kunit/test.h>
#include <kunit/static_stub.h>
#include <linux/vmalloc.h>

/* A pool that does not start 2 MiB aligned: the first region is at 8M */
#define MK_KP_START	(SZ_1G + 7 * SZ_1M)
#define MK_KP_SIZE	(SZ_32M - SZ_1M)
#define MK_KP_FIRST	(SZ_1G + SZ_8M)
#define MK_KP_END	(MK_KP_START + MK_KP_SIZE)

struct mk_pool_kunit {
	struct resource	saved_pool;
	bool		saved_have;
	struct mk_range	saved_used[MULTIKERNEL_MAX_INSTANCES];
	int		zeroed;
	phys_addr_t	zero_base;
	size_t		zero_len;
};

static void mk_kunit_zero(void *dst, size_t len)
{
	struct mk_pool_kunit *fx = kunit_get_current_test()->priv;

	fx->zeroed++;
	fx->zero_base = virt_to_phys(dst);
	fx->zero_len = len;
}

static int mk_pool_kunit_init(struct kunit *test)
{
	struct mk_pool_kunit *fx;
	int i;

	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	if (!fx)
		return -ENOMEM;
	test->priv = fx;
	mutex_lock(&mk_pool_lock);
	for (i = 0; i < MULTIKERNEL_MAX_INSTANCES; i++) {
		if (mk_used[i].size) {
			mutex_unlock(&mk_pool_lock);
			test->priv = NULL;
			kunit_skip(test, "an instance holds pool memory");
		}
	}
	fx->saved_pool = mk_pool;
	fx->saved_have = mk_have_pool;
	memcpy(fx->saved_used, mk_used, sizeof(mk_used));
	mk_pool = DEFINE_RES_MEM(MK_KP_START, MK_KP_SIZE);
	mk_have_pool = true;
	mutex_unlock(&mk_pool_lock);
	kunit_activate_static_stub(test, mk_zero, mk_kunit_zero);
	return 0;
}

static void mk_pool_kunit_exit(struct kunit *test)
{
	struct mk_pool_kunit *fx = test->priv;

	if (!fx)
		return;
	mutex_lock(&mk_pool_lock);
	mk_pool = fx->saved_pool;
	mk_have_pool = fx->saved_have;
	memcpy(mk_used, fx->saved_used, sizeof(mk_used));
	mutex_unlock(&mk_pool_lock);
}

static void mk_pool_test_no_pool(struct kunit *test)
{
	phys_addr_t base;

	mk_have_pool = false;
	KUNIT_EXPECT_EQ(test, -ENODEV, mk_pool_realloc(0, SZ_2M, 0, &base));
	KUNIT_EXPECT_EQ(test, (size_t)0, mk_pool_size());
	mk_have_pool = true;
	KUNIT_EXPECT_EQ(test, (size_t)MK_KP_SIZE, mk_pool_size());
}

static void mk_pool_test_range(struct kunit *test)
{
	struct resource res = { };

	KUNIT_EXPECT_TRUE(test, mk_pool_range(&res));
	KUNIT_EXPECT_EQ(test, (resource_size_t)MK_KP_START, res.start);
	KUNIT_EXPECT_EQ(test, (resource_size_t)MK_KP_END - 1, res.end);
	mk_have_pool = false;
	KUNIT_EXPECT_FALSE(test, mk_pool_range(&res));
}

static void mk_pool_test_alignment(struct kunit *test)
{
	phys_addr_t base = 1;

	KUNIT_EXPECT_EQ(test, -EINVAL, mk_pool_realloc(0, SZ_1M, 0, &base));
	KUNIT_EXPECT_EQ(test, -EINVAL, mk_pool_realloc(0, SZ_2M, MK_KP_FIRST + SZ_1M,
						       &base));
	KUNIT_EXPECT_EQ(test, (phys_addr_t)1, base);
	KUNIT_EXPECT_EQ(test, (size_t)0, mk_used[0].size);
}

/* First fit, 2 MiB aligned, from the pool's start and after used regions */
static void mk_pool_test_first_fit(struct kunit *test)
{
	struct mk_pool_kunit *fx = test->priv;
	phys_addr_t base;

	KUNIT_ASSERT_EQ(test, 0, mk_pool_realloc(0, SZ_4M, 0, &base));
	KUNIT_EXPECT_EQ(test, (phys_addr_t)MK_KP_FIRST, base);
	KUNIT_ASSERT_EQ(test, 0, mk_pool_realloc(1, SZ_2M, 0, &base));
	KUNIT_EXPECT_EQ(test, (phys_addr_t)MK_KP_FIRST + SZ_4M, base);
	KUNIT_ASSERT_EQ(test, 0, mk_pool_realloc(2, SZ_8M, 0, &base));
	KUNIT_EXPECT_EQ(test, (phys_addr_t)MK_KP_FIRST + SZ_4M + SZ_2M, base);
	KUNIT_EXPECT_EQ(test, 0, fx->zeroed);

	/* slot 1 gives its region back: cleared, and the hole is reused */
	KUNIT_ASSERT_EQ(test, 0, mk_pool_realloc(1, 0, 0, &base));
	KUNIT_EXPECT_EQ(test, (phys_addr_t)0, base);
	KUNIT_EXPECT_EQ(test, 1, fx->zeroed);
	KUNIT_EXPECT_EQ(test, (phys_addr_t)MK_KP_FIRST + SZ_4M, fx->zero_base);
	KUNIT_EXPECT_EQ(test, (size_t)SZ_2M, fx->zero_len);
	KUNIT_ASSERT_EQ(test, 0, mk_pool_realloc(3, SZ_2M, 0, &base));
	KUNIT_EXPECT_EQ(test, (phys_addr_t)MK_KP_FIRST + SZ_4M, base);

	/* a hole too small: the first fit is after the last region */
	KUNIT_ASSERT_EQ(test, 0, mk_pool_realloc(3, 0, 0, &base));
	KUNIT_ASSERT_EQ(test, 0, mk_pool_realloc(1, SZ_4M, 0, &base));
	KUNIT_EXPECT_EQ(test, (phys_addr_t)MK_KP_FIRST + SZ_4M + SZ_2M + SZ_8M, base);
}

static void mk_pool_test_full(struct kunit *test)
{
	struct mk_pool_kunit *fx = test->priv;
	size_t all = MK_KP_END - MK_KP_FIRST;
	phys_addr_t base;

	KUNIT_EXPECT_EQ(test, -ENOSPC, mk_pool_realloc(0, all + SZ_2M, 0, &base));
	KUNIT_ASSERT_EQ(test, 0, mk_pool_realloc(0, all, 0, &base));
	KUNIT_EXPECT_EQ(test, (phys_addr_t)MK_KP_FIRST, base);
	KUNIT_EXPECT_EQ(test, -ENOSPC, mk_pool_realloc(1, SZ_2M, 0, &base));
	KUNIT_EXPECT_EQ(test, (size_t)0, mk_used[1].size);

	/* a failed resize keeps the old region, uncleared */
	KUNIT_EXPECT_EQ(test, -ENOSPC, mk_pool_realloc(0, all + SZ_2M, 0, &base));
	KUNIT_EXPECT_EQ(test, (phys_addr_t)MK_KP_FIRST, mk_used[0].base);
	KUNIT_EXPECT_EQ(test, all, mk_used[0].size);
	KUNIT_EXPECT_EQ(test, 0, fx->zeroed);

	/* a successful one clears the old region: it may move */
	KUNIT_ASSERT_EQ(test, 0, mk_pool_realloc(0, SZ_2M, 0, &base));
	KUNIT_EXPECT_EQ(test, 1, fx->zeroed);
	KUNIT_EXPECT_EQ(test, all, fx->zero_len);
}

static void mk_pool_test_fixed_address(struct kunit *test)
{
	phys_addr_t base;

	KUNIT_ASSERT_EQ(test, 0, mk_pool_realloc(0, SZ_4M, MK_KP_FIRST + SZ_8M, &base));
	KUNIT_EXPECT_EQ(test, (phys_addr_t)MK_KP_FIRST + SZ_8M, base);
	/* overlapping either end of a used region */
	KUNIT_EXPECT_EQ(test, -ENOSPC, mk_pool_realloc(1, SZ_4M, MK_KP_FIRST + 6 * SZ_1M,
						       &base));
	KUNIT_EXPECT_EQ(test, -ENOSPC, mk_pool_realloc(1, SZ_4M, MK_KP_FIRST + 10 * SZ_1M,
						       &base));
	KUNIT_EXPECT_EQ(test, (size_t)0, mk_used[1].size);
	/* touching it is fine */
	KUNIT_EXPECT_EQ(test, 0, mk_pool_realloc(1, SZ_4M, MK_KP_FIRST + SZ_4M, &base));
	KUNIT_EXPECT_EQ(test, 0, mk_pool_realloc(2, SZ_2M, MK_KP_FIRST + 12 * SZ_1M, &base));
	/* below the pool, beyond its end, across it, and wrapping around */
	KUNIT_EXPECT_EQ(test, -ENOSPC, mk_pool_realloc(3, SZ_2M, SZ_1G, &base));
	KUNIT_EXPECT_EQ(test, -ENOSPC, mk_pool_realloc(3, SZ_2M,
						       ALIGN(MK_KP_END, SZ_2M), &base));
	KUNIT_EXPECT_EQ(test, -ENOSPC, mk_pool_realloc(3, SZ_4M,
						       ALIGN_DOWN(MK_KP_END, SZ_2M) - SZ_2M,
						       &base));
	KUNIT_EXPECT_EQ(test, -ENOSPC, mk_pool_realloc(3, SZ_4M,
						       ALIGN_DOWN(PHYS_ADDR_MAX, SZ_2M),
						       &base));
	KUNIT_EXPECT_EQ(test, (size_t)0, mk_used[3].size);
	/* the free space before the first region */
	KUNIT_EXPECT_EQ(test, 0, mk_pool_realloc(3, SZ_4M, 0, &base));
	KUNIT_EXPECT_EQ(test, (phys_addr_t)MK_KP_FIRST, base);
}

static void mk_pool_test_overlap(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, mk_overlap(0, 2, 1, 2));
	KUNIT_EXPECT_TRUE(test, mk_overlap(1, 2, 0, 2));
	KUNIT_EXPECT_TRUE(test, mk_overlap(0, 10, 4, 1));
	KUNIT_EXPECT_FALSE(test, mk_overlap(0, 2, 2, 2));
	KUNIT_EXPECT_FALSE(test, mk_overlap(2, 2, 0, 2));
	KUNIT_EXPECT_FALSE(test, mk_overlap(0, 0, 0, 2));
}

/* The real mk_zero(), in chunks, up to the last byte and not beyond */
static void mk_pool_test_zero(struct kunit *test)
{
	size_t len = 2 * MK_CLEAR_CHUNK + 123;
	u8 *buf = vmalloc(len + 1);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	kunit_deactivate_static_stub(test, mk_zero);
	memset(buf, 0xa5, len + 1);
	mk_zero(buf, len);
	KUNIT_EXPECT_NULL(test, memchr_inv(buf, 0, len));
	KUNIT_EXPECT_EQ(test, 0xa5, buf[len]);
	vfree(buf);
}

static struct kunit_case mk_pool_kunit_cases[] = {
	KUNIT_CASE(mk_pool_test_no_pool),
	KUNIT_CASE(mk_pool_test_range),
	KUNIT_CASE(mk_pool_test_alignment),
	KUNIT_CASE(mk_pool_test_first_fit),
	KUNIT_CASE(mk_pool_test_full),
	KUNIT_CASE(mk_pool_test_fixed_address),
	KUNIT_CASE(mk_pool_test_overlap),
	KUNIT_CASE(mk_pool_test_zero),
	{}
};

static struct kunit_suite mk_pool_kunit_suite = {
	.name		= "multikernel_pool",
	.init		= mk_pool_kunit_init,
	.exit		= mk_pool_kunit_exit,
	.test_cases	= mk_pool_kunit_cases,
};

kunit_test_suite(mk_pool_kunit_suite);

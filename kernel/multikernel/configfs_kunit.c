// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the configfs attribute parsers, included at the end of
 * configfs.c: what each store accepts and refuses, on an instance of the
 * test's own that is in no list (the store functions of instance.c only
 * look at the instance they are given), and the console attribute's
 * reading of the spawned kernel's log ring, wraparound included.  The pool
 * is a static stub: set_memory allocates nothing.
 */

#include <kunit/test.h>
#include <kunit/static_stub.h>

#define MK_KC_POOL	SZ_512M
#define MK_KC_BASE	SZ_1G

struct mk_configfs_kunit {
	struct mk_instance	*inst;
	int			reallocs;
	int			realloc_ret;
	size_t			size;
	phys_addr_t		want;
};

static size_t mk_kunit_pool_size(void)
{
	return MK_KC_POOL;
}

static int mk_kunit_pool_realloc(int slot, size_t size, phys_addr_t want,
				 phys_addr_t *base)
{
	struct mk_configfs_kunit *fx = kunit_get_current_test()->priv;

	fx->reallocs++;
	fx->size = size;
	fx->want = want;
	if (fx->realloc_ret)
		return fx->realloc_ret;
	*base = size ? (want ?: MK_KC_BASE) : 0;
	return 0;
}

static void mk_kunit_free_inst(void *data)
{
	struct mk_instance *inst = data;

	free_cpumask_var(inst->cpus);
	free_cpumask_var(inst->unparked);
	kfree(inst);
}

static int mk_configfs_kunit_init(struct kunit *test)
{
	struct mk_configfs_kunit *fx;
	struct mk_instance *inst;

	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	inst = kzalloc(sizeof(*inst), GFP_KERNEL);
	if (!fx || !inst ||
	    !zalloc_cpumask_var(&inst->cpus, GFP_KERNEL) ||
	    !zalloc_cpumask_var(&inst->unparked, GFP_KERNEL)) {
		if (inst)
			mk_kunit_free_inst(inst);
		return -ENOMEM;
	}
	if (kunit_add_action_or_reset(test, mk_kunit_free_inst, inst))
		return -ENOMEM;
	strscpy(inst->group.cg_item.ci_namebuf, "kunit",
		sizeof(inst->group.cg_item.ci_namebuf));
	inst->group.cg_item.ci_name = inst->group.cg_item.ci_namebuf;
	mutex_init(&inst->lock);
	spin_lock_init(&inst->state_lock);
	inst->state = MK_ST_EMPTY;
	inst->stop_timeout_ms = MK_STOP_TIMEOUT_MS;
	fx->inst = inst;
	test->priv = fx;
	kunit_activate_static_stub(test, mk_pool_size, mk_kunit_pool_size);
	kunit_activate_static_stub(test, mk_pool_realloc, mk_kunit_pool_realloc);
	return 0;
}

static void mk_configfs_test_store_arg(struct kunit *test)
{
	static const struct {
		const char	*page;
		size_t		count;
		const char	*arg;
	} cases[] = {
		{ "5\n", 2, "5" },
		{ "5", 1, "5" },
		{ "start\n\n", 7, "start" },
		{ "a\nb", 3, "a" },
		{ "12345", 3, "123" },	/* configfs' page is not terminated */
		{ "\n", 1, "" },
		{ "", 0, "" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *arg = mk_store_arg(cases[i].page, cases[i].count);

		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, arg);
		KUNIT_EXPECT_STREQ_MSG(test, arg, cases[i].arg, "case %u", i);
		kfree(arg);
	}
}

static void mk_configfs_test_stop_timeout(struct kunit *test)
{
	struct mk_configfs_kunit *fx = test->priv;
	struct mk_instance *inst = fx->inst;

	KUNIT_EXPECT_EQ(test, 0, mk_set_stop_timeout(inst, "0"));
	KUNIT_EXPECT_EQ(test, 0U, inst->stop_timeout_ms);
	KUNIT_EXPECT_EQ(test, 0, mk_set_stop_timeout(inst, "600000"));
	KUNIT_EXPECT_EQ(test, 600000U, inst->stop_timeout_ms);
	KUNIT_EXPECT_EQ(test, 0, mk_set_stop_timeout(inst, "0x10"));
	KUNIT_EXPECT_EQ(test, 16U, inst->stop_timeout_ms);
	KUNIT_EXPECT_EQ(test, -EINVAL, mk_set_stop_timeout(inst, "600001"));
	KUNIT_EXPECT_EQ(test, -EINVAL, mk_set_stop_timeout(inst, "-1"));
	KUNIT_EXPECT_EQ(test, -EINVAL, mk_set_stop_timeout(inst, ""));
	KUNIT_EXPECT_EQ(test, -EINVAL, mk_set_stop_timeout(inst, "5 s"));
	KUNIT_EXPECT_EQ(test, -EINVAL, mk_set_stop_timeout(inst, "99999999999"));
	KUNIT_EXPECT_EQ(test, 16U, inst->stop_timeout_ms);
}

/* restart, restart_limit, restart_delay_ms: words and bounds */
static void mk_configfs_test_restart(struct kunit *test)
{
	struct mk_configfs_kunit *fx = test->priv;
	struct mk_instance *inst = fx->inst;

	mk_restart_init(inst);
	KUNIT_EXPECT_STREQ(test, "never", mk_restart_policy_name(inst->restart));
	KUNIT_EXPECT_EQ(test, (unsigned int)MK_RESTART_LIMIT, inst->restart_limit);
	KUNIT_EXPECT_EQ(test, 0, mk_restart_set_policy(inst, "on-crash"));
	KUNIT_EXPECT_EQ(test, MK_RESTART_ON_CRASH, inst->restart);
	KUNIT_EXPECT_EQ(test, 0, mk_restart_set_policy(inst, "always"));
	KUNIT_EXPECT_STREQ(test, "always", mk_restart_policy_name(inst->restart));
	KUNIT_EXPECT_EQ(test, -EINVAL, mk_restart_set_policy(inst, "sometimes"));
	KUNIT_EXPECT_EQ(test, -EINVAL, mk_restart_set_policy(inst, "on-crash "));
	KUNIT_EXPECT_EQ(test, -EINVAL, mk_restart_set_policy(inst, ""));
	KUNIT_EXPECT_EQ(test, MK_RESTART_ALWAYS, inst->restart);
	KUNIT_EXPECT_STREQ(test, "invalid", mk_restart_policy_name(3));

	KUNIT_EXPECT_EQ(test, 0, mk_restart_set_limit(inst, "0"));
	KUNIT_EXPECT_EQ(test, 0U, inst->restart_limit);
	KUNIT_EXPECT_EQ(test, 0, mk_restart_set_limit(inst, "1000"));
	KUNIT_EXPECT_EQ(test, -EINVAL, mk_restart_set_limit(inst, "1001"));
	KUNIT_EXPECT_EQ(test, -EINVAL, mk_restart_set_limit(inst, "-1"));
	KUNIT_EXPECT_EQ(test, 1000U, inst->restart_limit);

	KUNIT_EXPECT_EQ(test, 0, mk_restart_set_delay(inst, "0"));
	KUNIT_EXPECT_EQ(test, 0, mk_restart_set_delay(inst, "60000"));
	KUNIT_EXPECT_EQ(test, -EINVAL, mk_restart_set_delay(inst, "60001"));
	KUNIT_EXPECT_EQ(test, -EINVAL, mk_restart_set_delay(inst, "1 s"));
	KUNIT_EXPECT_EQ(test, 60000U, inst->restart_delay_ms);
}

static void mk_configfs_test_state_word(struct kunit *test)
{
	struct mk_configfs_kunit *fx = test->priv;

	KUNIT_EXPECT_EQ(test, -EINVAL, mk_set_state_word(fx->inst, ""));
	KUNIT_EXPECT_EQ(test, -EINVAL, mk_set_state_word(fx->inst, "Start"));
	KUNIT_EXPECT_EQ(test, -EINVAL, mk_set_state_word(fx->inst, "start "));
	KUNIT_EXPECT_EQ(test, -EINVAL, mk_set_state_word(fx->inst, "halt"));
	KUNIT_EXPECT_EQ(test, MK_ST_EMPTY, fx->inst->state);
}

/**
 * struct mk_memory_case - one value written to an instance's memory file
 * @spec:	the value
 * @ret:	what the write returns
 * @size:	the region size asked of the pool (rounded up to 2 MiB), when
 *		@ret is 0
 * @want:	the start address asked of the pool, 0 for any
 */
struct mk_memory_case {
	const char	*spec;
	int		ret;
	size_t		size;
	phys_addr_t	want;
};

static const struct mk_memory_case mk_memory_cases[] = {
	{ "256M", 0, SZ_256M, 0 },
	{ "256m", 0, SZ_256M, 0 },
	{ "0x10000000", 0, SZ_256M, 0 },
	{ "35M", 0, 36 * SZ_1M, 0 },	/* rounded up to 2 MiB */
	{ "34M", 0, 34 * SZ_1M, 0 },	/* MK_MEM_MIN */
	{ "512M", 0, SZ_512M, 0 },	/* the whole pool */
	{ "256M@0x40000000", 0, SZ_256M, SZ_1G },
	{ "256M@1G", 0, SZ_256M, SZ_1G },
	{ "256M@0", 0, SZ_256M, 0 },
	{ "0", 0, 0, 0 },		/* gives the memory back */
	{ "", -EINVAL },
	{ "abc", -EINVAL },
	{ "@1G", -EINVAL },
	{ "256M@", -EINVAL },
	{ "256M@x", -EINVAL },
	{ "256Mx", -EINVAL },
	{ "256M 1G", -EINVAL },
	{ "256M@1G@2G", -EINVAL },
	{ "-256M", -EINVAL },
	{ "1M", -EINVAL },		/* below MK_MEM_MIN */
	{ "33M", -EINVAL },
	{ "256M@0x40100000", -EINVAL },	/* not 2 MiB aligned */
	{ "514M", -ENOSPC },		/* more than the pool */
	{ "8E", -ENOSPC },
};

static void mk_memory_desc(const struct mk_memory_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "'%s'", c->spec);
}

KUNIT_ARRAY_PARAM(mk_memory, mk_memory_cases, mk_memory_desc);

static void mk_configfs_test_memory(struct kunit *test)
{
	const struct mk_memory_case *c = test->param_value;
	struct mk_configfs_kunit *fx = test->priv;
	struct mk_instance *inst = fx->inst;

	KUNIT_EXPECT_EQ(test, c->ret, mk_instance_set_memory(inst, c->spec));
	if (c->ret) {
		/* refused before the pool is asked, nothing changed */
		KUNIT_EXPECT_EQ(test, 0, fx->reallocs);
		KUNIT_EXPECT_EQ(test, (size_t)0, inst->size);
		return;
	}
	KUNIT_EXPECT_EQ(test, 1, fx->reallocs);
	KUNIT_EXPECT_EQ(test, c->size, fx->size);
	KUNIT_EXPECT_EQ(test, c->want, fx->want);
	KUNIT_EXPECT_EQ(test, c->size, inst->size);
	if (!c->size) {
		KUNIT_EXPECT_EQ(test, (phys_addr_t)0, inst->base);
		KUNIT_EXPECT_EQ(test, (phys_addr_t)0, inst->ram_base);
		KUNIT_EXPECT_EQ(test, (size_t)0, inst->ram_size);
		KUNIT_EXPECT_NULL(test, inst->info);
		return;
	}
	/* the shared area first, the spawned kernel's RAM after it */
	KUNIT_EXPECT_EQ(test, inst->base + MULTIKERNEL_SHARED_SIZE, inst->ram_base);
	KUNIT_EXPECT_EQ(test, c->size - MULTIKERNEL_SHARED_SIZE, inst->ram_size);
	KUNIT_EXPECT_PTR_EQ(test, (void *)inst->info,
			    phys_to_virt(inst->base) + MULTIKERNEL_INFO_OFFSET);
}

static void mk_configfs_test_memory_busy(struct kunit *test)
{
	struct mk_configfs_kunit *fx = test->priv;
	struct mk_instance *inst = fx->inst;

	fx->realloc_ret = -ENOSPC;
	KUNIT_EXPECT_EQ(test, -ENOSPC, mk_instance_set_memory(inst, "256M"));
	KUNIT_EXPECT_EQ(test, (size_t)0, inst->size);
	fx->realloc_ret = 0;

	/* only without an image, and not while a load fills the instance */
	inst->state = MK_ST_LOADED;
	KUNIT_EXPECT_EQ(test, -EBUSY, mk_instance_set_memory(inst, "256M"));
	inst->state = MK_ST_QUARANTINED;
	KUNIT_EXPECT_EQ(test, -EBUSY, mk_instance_set_memory(inst, "256M"));
	inst->state = MK_ST_EMPTY;
	inst->loading = true;
	KUNIT_EXPECT_EQ(test, -EBUSY, mk_instance_set_memory(inst, "256M"));
	inst->loading = false;
	KUNIT_EXPECT_EQ(test, 1, fx->reallocs);
	KUNIT_EXPECT_EQ(test, 0, mk_instance_set_memory(inst, "256M"));
}

static void mk_configfs_test_uart(struct kunit *test)
{
	struct mk_configfs_kunit *fx = test->priv;
	struct mk_instance *inst = fx->inst;
	static const char * const bad[] = {
		"abc", "0x", "-1", "0x10000", "65536", "0xfff9", "0xffff",
		"0x2f8 ", " 0x2f8", "0x2f8,0x3f8", "None",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, -EINVAL,
				    mk_instance_set_uart(inst, bad[i]),
				    "'%s'", bad[i]);
	/* no UART: nothing is requested or given back */
	KUNIT_EXPECT_EQ(test, 0, mk_instance_set_uart(inst, ""));
	KUNIT_EXPECT_EQ(test, 0, mk_instance_set_uart(inst, "none"));
	KUNIT_EXPECT_EQ(test, 0, mk_instance_set_uart(inst, "0"));
	KUNIT_EXPECT_EQ(test, 0, mk_instance_set_uart(inst, "0x0"));
	KUNIT_EXPECT_EQ(test, (u16)0, inst->uart);

	inst->state = MK_ST_RUNNING;
	KUNIT_EXPECT_EQ(test, -EBUSY, mk_instance_set_uart(inst, "none"));
	inst->state = MK_ST_STOPPED;
	KUNIT_EXPECT_EQ(test, 0, mk_instance_set_uart(inst, "none"));
	inst->state = MK_ST_EMPTY;
}

static void mk_configfs_test_doorbell_cpu(struct kunit *test)
{
	struct mk_configfs_kunit *fx = test->priv;
	struct mk_instance *inst = fx->inst;
	char beyond[16];

	snprintf(beyond, sizeof(beyond), "%u", nr_cpu_ids);
	KUNIT_EXPECT_EQ(test, -EINVAL, mk_instance_set_doorbell_cpu(inst, beyond));
	KUNIT_EXPECT_EQ(test, -EINVAL, mk_instance_set_doorbell_cpu(inst, ""));
	KUNIT_EXPECT_EQ(test, -EINVAL, mk_instance_set_doorbell_cpu(inst, "x"));
	KUNIT_EXPECT_EQ(test, -EINVAL, mk_instance_set_doorbell_cpu(inst, "-1"));
	/* decimal only */
	KUNIT_EXPECT_EQ(test, -EINVAL, mk_instance_set_doorbell_cpu(inst, "0x0"));
	KUNIT_EXPECT_EQ(test, -EINVAL, mk_instance_set_doorbell_cpu(inst, "4294967296"));

	inst->doorbell_cpu = 7;
	KUNIT_EXPECT_EQ(test, 0, mk_instance_set_doorbell_cpu(inst, "0"));
	KUNIT_EXPECT_EQ(test, 0U, inst->doorbell_cpu);
	inst->state = MK_ST_BOOTED;
	KUNIT_EXPECT_EQ(test, -EBUSY, mk_instance_set_doorbell_cpu(inst, "0"));
	inst->state = MK_ST_EMPTY;
}

/* The lists cpus refuses before it looks at any CPU's state */
static void mk_configfs_test_cpus(struct kunit *test)
{
	struct mk_configfs_kunit *fx = test->priv;
	static const char * const bad[] = {
		"abc", "0-", "-1", "3-1", "0-1:", "4294967295",
	};
	char beyond[16];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, -EINVAL,
				    mk_instance_set_cpus(fx->inst, bad[i]),
				    "'%s'", bad[i]);
	snprintf(beyond, sizeof(beyond), "%u", nr_cpumask_bits);
	KUNIT_EXPECT_EQ(test, -EINVAL, mk_instance_set_cpus(fx->inst, beyond));
	KUNIT_EXPECT_TRUE(test, cpumask_empty(fx->inst->cpus));
	KUNIT_EXPECT_FALSE(test, fx->inst->owns_cpus);
}

/*
 * The console file: the log ring of MK_CONSOLE_SIZE bytes, oldest byte
 * first, whatever head the spawned kernel wrote.
 */
struct mk_console_kunit {
	struct mk_console_shared	*con;
	u8				*data;
	u8				*out;
};

static void mk_console_kunit_setup(struct kunit *test,
				   struct mk_console_kunit *ck)
{
	struct mk_instance *inst = ((struct mk_configfs_kunit *)test->priv)->inst;
	phys_addr_t pa;
	u32 i;

	ck->con = kunit_kzalloc(test, MK_CONSOLE_HDR_SIZE + MK_CONSOLE_SIZE,
				GFP_KERNEL);
	ck->out = kunit_kzalloc(test, MK_CONSOLE_SIZE + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ck->con);
	KUNIT_ASSERT_NOT_NULL(test, ck->out);
	ck->data = (u8 *)ck->con + MK_CONSOLE_HDR_SIZE;
	for (i = 0; i < MK_CONSOLE_SIZE; i++)
		ck->data[i] = i * 7 + (i >> 8);
	/* the file finds the header at MK_CONSOLE_OFFSET of the instance */
	pa = virt_to_phys(ck->con);
	KUNIT_ASSERT_GT(test, pa, (phys_addr_t)MK_CONSOLE_OFFSET);
	inst->base = pa - MK_CONSOLE_OFFSET;
}

static u8 mk_console_byte(u32 off)
{
	off &= MK_CONSOLE_SIZE - 1;
	return off * 7 + (off >> 8);
}

static void mk_configfs_test_console(struct kunit *test)
{
	struct mk_instance *inst = ((struct mk_configfs_kunit *)test->priv)->inst;
	static const u64 heads[] = {
		0, 1, 100, MK_CONSOLE_SIZE - 1, MK_CONSOLE_SIZE,
		MK_CONSOLE_SIZE + 1, MK_CONSOLE_SIZE + 12345,
		3 * MK_CONSOLE_SIZE + 17, U32_MAX, (u64)U32_MAX + 5,
		U64_MAX - 3, U64_MAX,
	};
	struct mk_console_kunit ck;
	unsigned int i;

	mk_console_kunit_setup(test, &ck);
	for (i = 0; i < ARRAY_SIZE(heads); i++) {
		u64 head = heads[i];
		u64 len = min_t(u64, head, MK_CONSOLE_SIZE);
		u64 start = head - len;
		ssize_t n;
		u32 j, bad = 0;

		WRITE_ONCE(ck.con->head, head);
		/* a size query, then the text */
		KUNIT_EXPECT_EQ_MSG(test, (ssize_t)len,
				    mk_console_read(&inst->group.cg_item, NULL, 0),
				    "head %llu", head);
		memset(ck.out, 0, MK_CONSOLE_SIZE + 1);
		n = mk_console_read(&inst->group.cg_item, ck.out,
				    MK_CONSOLE_SIZE);
		KUNIT_EXPECT_EQ_MSG(test, (ssize_t)len, n, "head %llu", head);
		for (j = 0; j < len; j++)
			bad += ck.out[j] != mk_console_byte(start + j);
		KUNIT_EXPECT_EQ_MSG(test, 0U, bad, "head %llu", head);
		KUNIT_EXPECT_EQ(test, 0, ck.out[MK_CONSOLE_SIZE]);

		/* a short buffer gets the oldest bytes */
		if (len >= 10) {
			memset(ck.out, 0, 11);
			n = mk_console_read(&inst->group.cg_item, ck.out, 10);
			KUNIT_EXPECT_EQ(test, (ssize_t)10, n);
			for (j = 0, bad = 0; j < 10; j++)
				bad += ck.out[j] != mk_console_byte(start + j);
			KUNIT_EXPECT_EQ_MSG(test, 0U, bad, "head %llu", head);
			KUNIT_EXPECT_EQ(test, 0, ck.out[10]);
		}
	}

	/* no memory, no console */
	inst->base = 0;
	KUNIT_EXPECT_EQ(test, (ssize_t)0,
			mk_console_read(&inst->group.cg_item, ck.out, 10));
}

static struct kunit_case mk_configfs_kunit_cases[] = {
	KUNIT_CASE(mk_configfs_test_store_arg),
	KUNIT_CASE(mk_configfs_test_stop_timeout),
	KUNIT_CASE(mk_configfs_test_restart),
	KUNIT_CASE(mk_configfs_test_state_word),
	KUNIT_CASE_PARAM(mk_configfs_test_memory, mk_memory_gen_params),
	KUNIT_CASE(mk_configfs_test_memory_busy),
	KUNIT_CASE(mk_configfs_test_uart),
	KUNIT_CASE(mk_configfs_test_doorbell_cpu),
	KUNIT_CASE(mk_configfs_test_cpus),
	KUNIT_CASE(mk_configfs_test_console),
	{}
};

static struct kunit_suite mk_configfs_kunit_suite = {
	.name		= "multikernel_configfs",
	.init		= mk_configfs_kunit_init,
	.test_cases	= mk_configfs_kunit_cases,
};

kunit_test_suite(mk_configfs_kunit_suite);

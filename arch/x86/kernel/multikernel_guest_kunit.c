// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the rules by which a spawned kernel accepts its host's
 * boot information, included at the end of multikernel_guest.c: which
 * layout versions it reads, how much of them, with which defaults, and
 * the message with which it refuses the others.
 */

#include <kunit/test.h>

#define MK_KG_SHARED	0x40000000ULL

/**
 * struct mk_info_case - boot information as a host may write it
 * @desc:	what is special about it
 * @magic:	its magic
 * @version:	its layout version
 * @compat:	its compatible version
 * @size:	the bytes it claims
 * @entry:	the length of the SETUP_MULTIKERNEL entry around it
 * @nr_cpus:	CPUs it lists
 * @tsc_khz:	TSC rate it gives
 * @shared:	shared area it names
 * @why:	the reason of the refusal, NULL when the kernel reads it
 */
struct mk_info_case {
	const char	*desc;
	u32		magic;
	u16		version;
	u16		compat;
	u32		size;
	u32		entry;
	u16		nr_cpus;
	u32		tsc_khz;
	u64		shared;
	const char	*why;
};

#define MK_KG_V1	MULTIKERNEL_BOOT_INFO_SIZE_V1
#define MK_KG_V2	MULTIKERNEL_BOOT_INFO_SIZE_V2
#define MK_KG_V3	MULTIKERNEL_BOOT_INFO_SIZE_V3

/* a case with one CPU, a TSC rate and the right shared area */
#define MK_KG(_desc, _version, _compat, _size, _entry, _why)		\
	{ .desc = _desc, .magic = MULTIKERNEL_BOOT_MAGIC,		\
	  .version = _version, .compat = _compat, .size = _size,	\
	  .entry = _entry, .nr_cpus = 1, .tsc_khz = 1000,		\
	  .shared = MK_KG_SHARED, .why = _why }

static const struct mk_info_case mk_info_cases[] = {
	MK_KG("version 3", 3, 1, MK_KG_V3, MK_KG_V3, NULL),
	MK_KG("version 3 in a longer entry", 3, 1, MK_KG_V3, 4000, NULL),
	MK_KG("version 3 with a longer size", 3, 1, MK_KG_V3 + 8, MK_KG_V3 + 8, NULL),
	MK_KG("version 2", 2, 1, MK_KG_V2, MK_KG_V2, NULL),
	MK_KG("version 2 in a version 3 entry", 2, 1, MK_KG_V3, MK_KG_V3, NULL),
	MK_KG("version 1", 1, 1, MK_KG_V1, MK_KG_V1, NULL),
	MK_KG("version 1 in a version 3 entry", 1, 1, MK_KG_V3, MK_KG_V3, NULL),
	MK_KG("a newer compatible version", 4, 1, MK_KG_V3 + 16, MK_KG_V3 + 16, NULL),
	MK_KG("a newer version compatible from 3", 7, 3, MK_KG_V3, MK_KG_V3, NULL),
	MK_KG("an incompatible newer layout", 4, 4, MK_KG_V3, MK_KG_V3,
	      "version 4 needs layout 4, this kernel knows up to 3\n"),
	MK_KG("compatible version 0", 3, 0, MK_KG_V3, MK_KG_V3,
	      "version 3 claims compatibility with version 0\n"),
	MK_KG("version 0", 0, 0, MK_KG_V3, MK_KG_V3,
	      "version 0 claims compatibility with version 0\n"),
	MK_KG("compatible version above the version", 1, 2, MK_KG_V3, MK_KG_V3,
	      "version 1 claims compatibility with version 2\n"),
	MK_KG("version 3 short of its size", 3, 1, MK_KG_V2, MK_KG_V2,
	      "version 3 has 480 bytes in a 480 byte entry, version 3 needs 744\n"),
	MK_KG("version 2 short of its size", 2, 1, MK_KG_V1, MK_KG_V1,
	      "version 2 has 472 bytes in a 472 byte entry, version 2 needs 480\n"),
	MK_KG("version 1 short of its size", 1, 1, MK_KG_V1 - 1, MK_KG_V3,
	      "version 1 has 471 bytes in a 744 byte entry, version 1 needs 472\n"),
	MK_KG("newer version short of ours", 4, 1, MK_KG_V2, MK_KG_V3,
	      "version 4 has 480 bytes in a 744 byte entry, version 3 needs 744\n"),
	MK_KG("size beyond the entry", 3, 1, MK_KG_V3, MK_KG_V2,
	      "version 3 has 744 bytes in a 480 byte entry, version 3 needs 744\n"),
	MK_KG("size zero", 3, 1, 0, MK_KG_V3,
	      "version 3 has 0 bytes in a 744 byte entry, version 3 needs 744\n"),
	{ "64 CPUs", MULTIKERNEL_BOOT_MAGIC, 2, 2, MK_KG_V2, MK_KG_V2,
	  MULTIKERNEL_MAX_CPUS, 1000, MK_KG_SHARED, NULL },
	{ "bad magic", 0x4d4b424e, 2, 1, MK_KG_V2, MK_KG_V2, 1, 1000,
	  MK_KG_SHARED, "has magic 0x4d4b424e, not 0x4d4b424f\n" },
	{ "no magic", 0, 2, 1, MK_KG_V2, MK_KG_V2, 1, 1000, MK_KG_SHARED,
	  "has magic 0x0, not 0x4d4b424f\n" },
	{ "no CPUs", MULTIKERNEL_BOOT_MAGIC, 2, 1, MK_KG_V2, MK_KG_V2, 0, 1000,
	  MK_KG_SHARED, "lists 0 CPUs, TSC 1000 kHz, HZ 250\n" },
	{ "too many CPUs", MULTIKERNEL_BOOT_MAGIC, 2, 1, MK_KG_V2, MK_KG_V2,
	  MULTIKERNEL_MAX_CPUS + 1, 1000, MK_KG_SHARED,
	  "lists 65 CPUs, TSC 1000 kHz, HZ 250\n" },
	{ "no TSC rate", MULTIKERNEL_BOOT_MAGIC, 2, 1, MK_KG_V2, MK_KG_V2, 1, 0,
	  MK_KG_SHARED, "lists 1 CPUs, TSC 0 kHz, HZ 250\n" },
	{ "another shared area", MULTIKERNEL_BOOT_MAGIC, 2, 1, MK_KG_V2, MK_KG_V2,
	  1, 1000, MK_KG_SHARED + SZ_2M,
	  "puts the shared area at 0x40200000+0x200000, not at 0x40000000\n" },
};

#undef MK_KG

static void mk_info_desc(const struct mk_info_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mk_info, mk_info_cases, mk_info_desc);

static void mk_guest_test_boot_info(struct kunit *test)
{
	const struct mk_info_case *c = test->param_value;
	struct multikernel_boot_info *info, *out;
	char why[192] = "";
	bool ok;

	/* an entry of the longest size any case has, bytes past V2 set */
	info = kunit_kmalloc(test, 4096, GFP_KERNEL);
	out = kunit_kmalloc(test, sizeof(*out), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, info);
	KUNIT_ASSERT_NOT_NULL(test, out);
	memset(info, 0, sizeof(*info));
	memset((u8 *)info + sizeof(*info), 0xee, 4096 - sizeof(*info));
	memset(out, 0xcc, sizeof(*out));
	info->magic = c->magic;
	info->version = c->version;
	info->compat_version = c->compat;
	info->size = c->size;
	info->instance_id = 3;
	info->tsc_khz = c->tsc_khz;
	info->host_hz = 250;
	info->nr_cpus = c->nr_cpus;
	info->apic_ids[0] = 5;
	info->shared_base = c->shared;
	info->shared_size = MULTIKERNEL_SHARED_SIZE;
	info->host_apicid = 9;
	info->nr_hotplug_cpus = 2;
	info->hotplug_apic_ids[0] = 7;
	info->hotplug_apic_ids[1] = 8;
	strscpy(info->panic_msg, "not yet", sizeof(info->panic_msg));

	ok = mk_guest_check_info(info, c->entry, MK_KG_SHARED, out, why,
				 sizeof(why));
	if (c->why) {
		KUNIT_EXPECT_FALSE(test, ok);
		KUNIT_EXPECT_STREQ(test, why, c->why);
		return;
	}
	KUNIT_ASSERT_TRUE_MSG(test, ok, "refused: %s", why);
	KUNIT_EXPECT_EQ(test, 3U, out->instance_id);
	KUNIT_EXPECT_EQ(test, 5U, out->apic_ids[0]);
	KUNIT_EXPECT_EQ(test, c->version, out->version);
	KUNIT_EXPECT_STREQ(test, out->panic_msg, "not yet");
	/* version 1 has no doorbell APIC id: the default, whatever follows */
	KUNIT_EXPECT_EQ(test, c->version < 2 ? 0U : 9U, out->host_apicid);
	/* versions 1 and 2 have no hotplug CPUs, whatever follows */
	KUNIT_EXPECT_EQ(test, c->version < 3 ? 0U : 2U, out->nr_hotplug_cpus);
	KUNIT_EXPECT_EQ(test, c->version < 3 ? 0U : 8U,
			out->hotplug_apic_ids[1]);
	/* nothing beyond the layout this kernel knows */
	KUNIT_EXPECT_EQ(test, 0U, out->reserved1);
	KUNIT_EXPECT_EQ(test, 0U, out->reserved2);
	KUNIT_EXPECT_EQ(test, 0U, out->guest_features);
}

/* A version 3 layout lists at most MULTIKERNEL_MAX_CPUS CPUs in all */
static void mk_guest_test_boot_info_hotplug(struct kunit *test)
{
	struct multikernel_boot_info *info, *out;
	char why[192] = "";

	info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	out = kunit_kmalloc(test, sizeof(*out), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, info);
	KUNIT_ASSERT_NOT_NULL(test, out);
	info->magic = MULTIKERNEL_BOOT_MAGIC;
	info->version = 3;
	info->compat_version = 1;
	info->size = MK_KG_V3;
	info->tsc_khz = 1000;
	info->host_hz = 250;
	info->shared_base = MK_KG_SHARED;
	info->shared_size = MULTIKERNEL_SHARED_SIZE;
	info->nr_cpus = MULTIKERNEL_MAX_CPUS - 2;
	info->nr_hotplug_cpus = 2;
	KUNIT_EXPECT_TRUE(test, mk_guest_check_info(info, MK_KG_V3, MK_KG_SHARED,
						    out, why, sizeof(why)));
	KUNIT_EXPECT_EQ(test, 2U, out->nr_hotplug_cpus);

	info->nr_hotplug_cpus = 3;
	KUNIT_EXPECT_FALSE(test, mk_guest_check_info(info, MK_KG_V3,
						     MK_KG_SHARED, out, why,
						     sizeof(why)));
	KUNIT_EXPECT_STREQ(test, why,
			   "lists 62 CPUs and 3 hotplug CPUs, more than 64\n");

	/* version 2 has no such field: the count is not read */
	info->version = 2;
	info->size = MK_KG_V2;
	info->nr_hotplug_cpus = 0xffff;
	KUNIT_EXPECT_TRUE(test, mk_guest_check_info(info, MK_KG_V3, MK_KG_SHARED,
						    out, why, sizeof(why)));
	KUNIT_EXPECT_EQ(test, 0U, out->nr_hotplug_cpus);
}

/* What a refusal prints, from the rules' own text */
static void mk_guest_test_boot_info_why_len(struct kunit *test)
{
	struct multikernel_boot_info info = { .magic = 1 };
	struct multikernel_boot_info out;
	char why[8];

	KUNIT_EXPECT_FALSE(test, mk_guest_check_info(&info, sizeof(info), 0,
						     &out, why, sizeof(why)));
	/* truncated, terminated */
	KUNIT_EXPECT_STREQ(test, why, "has mag");
}

static struct kunit_case mk_guest_boot_kunit_cases[] = {
	KUNIT_CASE_PARAM(mk_guest_test_boot_info, mk_info_gen_params),
	KUNIT_CASE(mk_guest_test_boot_info_why_len),
	KUNIT_CASE(mk_guest_test_boot_info_hotplug),
	{}
};

static struct kunit_suite mk_guest_boot_kunit_suite = {
	.name		= "multikernel_guest_boot_info",
	.test_cases	= mk_guest_boot_kunit_cases,
};

kunit_test_suite(mk_guest_boot_kunit_suite);

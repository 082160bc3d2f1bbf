// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the boot parameters of multikernel images, included at the
 * end of multikernel_image.c: the boot ABI read from a bzImage's
 * kernel_info (every offset and size of which comes from the file), the
 * versions a host serves, the boot parameters kexec_file_load() builds and
 * the checks of those user space built for kexec_load(): the segment that
 * holds them, setup_data, every e820 entry against the instance's memory,
 * and no EFI, ACPI or video state.
 */

#include <kunit/test.h>

/* The instance of these tests: RAM at 1 GiB, a low slice at 0x90000 */
#define MK_KI_BASE	0x40000000ULL
#define MK_KI_RAM	(MK_KI_BASE + MULTIKERNEL_SHARED_SIZE)
#define MK_KI_RAM_SIZE	(SZ_256M - MULTIKERNEL_SHARED_SIZE)
#define MK_KI_LOW	0x90000ULL
#define MK_KI_LOW_SIZE	0x8000ULL

/* A bzImage's first bytes: setup sectors, then kernel_info */
#define MK_KI_LEN	16384
#define MK_KI_SETUP	2	/* setup sectors: the protected-mode part at 1536 */
#define MK_KI_PM	((MK_KI_SETUP + 1) * 512)
#define MK_KI_INFO	4096	/* kernel_info_offset: past boot_params */
#define MK_KI_FIXED	16	/* "LToP", size, size_total, setup_type_max */

struct mk_image_kunit {
	struct mk_instance	inst;
	struct kimage		*image;
	char			*buf;
};

static struct setup_header *mk_ki_hdr(char *buf)
{
	return (void *)(buf + offsetof(struct boot_params, hdr));
}

/* kernel_info with a fixed part of @fixed bytes, @total bytes in all */
static char *mk_ki_kinfo(char *buf, u32 fixed, u32 total)
{
	char *ki = buf + MK_KI_PM + MK_KI_INFO;

	memcpy(ki, "LToP", 4);
	put_unaligned_le32(fixed, ki + 4);
	put_unaligned_le32(total, ki + 8);
	return ki;
}

static void mk_ki_chunk(char *chunk, const char *magic, u32 size)
{
	memcpy(chunk, magic, 4);
	put_unaligned_le32(size, chunk + 4);
}

/* A chunk of @size bytes advertising boot versions @oldest to @newest */
static void mk_ki_abi(char *chunk, u32 size, u16 oldest, u16 newest)
{
	mk_ki_chunk(chunk, MULTIKERNEL_IMAGE_ABI_MAGIC, size);
	put_unaligned_le16(oldest, chunk + 8);
	put_unaligned_le16(newest, chunk + 10);
}

/* The image of every test: a well-formed kernel_info with the ABI chunk */
static void mk_ki_image(char *buf, u16 oldest, u16 newest)
{
	struct setup_header *hdr = mk_ki_hdr(buf);
	char *ki;

	memset(buf, 0, MK_KI_LEN);
	hdr->version = 0x020f;
	hdr->setup_sects = MK_KI_SETUP;
	hdr->kernel_info_offset = MK_KI_INFO;
	ki = mk_ki_kinfo(buf, MK_KI_FIXED, MK_KI_FIXED + 12);
	mk_ki_abi(ki + MK_KI_FIXED, 12, oldest, newest);
}

static int mk_image_kunit_init(struct kunit *test)
{
	struct mk_image_kunit *fx;

	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	if (!fx)
		return -ENOMEM;
	fx->image = kunit_kzalloc(test, sizeof(*fx->image), GFP_KERNEL);
	fx->buf = kunit_kzalloc(test, MK_KI_LEN, GFP_KERNEL);
	if (!fx->image || !fx->buf)
		return -ENOMEM;
	fx->inst.id = 1;
	fx->inst.base = MK_KI_BASE;
	fx->inst.size = SZ_256M;
	fx->inst.ram_base = MK_KI_RAM;
	fx->inst.ram_size = MK_KI_RAM_SIZE;
	fx->inst.low_base = MK_KI_LOW;
	fx->inst.low_size = MK_KI_LOW_SIZE;
	fx->inst.image = fx->image;
	fx->image->mk_instance = &fx->inst;
	fx->image->kernel_buf = fx->buf;
	fx->image->kernel_buf_len = MK_KI_LEN;
	mk_ki_image(fx->buf, 1, MULTIKERNEL_BOOT_VERSION);
	test->priv = fx;
	return 0;
}

static void mk_image_test_abi_found(struct kunit *test)
{
	struct mk_image_kunit *fx = test->priv;
	char *ki = fx->buf + MK_KI_PM + MK_KI_INFO;
	const struct multikernel_image_abi *abi;

	abi = mk_image_abi(fx->buf, MK_KI_LEN);
	KUNIT_ASSERT_NOT_NULL(test, abi);
	KUNIT_EXPECT_PTR_EQ(test, (const char *)abi, ki + MK_KI_FIXED);

	/* after another chunk, in a longer fixed part */
	mk_ki_kinfo(fx->buf, 20, 20 + 24 + 16);
	mk_ki_chunk(ki + 20, "XXXX", 24);
	mk_ki_abi(ki + 44, 16, 1, 2);
	abi = mk_image_abi(fx->buf, MK_KI_LEN);
	KUNIT_EXPECT_PTR_EQ(test, (const char *)abi, ki + 44);

	/* setup_sects 0 means 4 */
	mk_ki_image(fx->buf, 1, 2);
	memmove(ki + 2 * 512, ki, MK_KI_FIXED + 12);
	mk_ki_hdr(fx->buf)->setup_sects = 0;
	KUNIT_EXPECT_PTR_EQ(test, (const char *)mk_image_abi(fx->buf, MK_KI_LEN),
			    ki + 2 * 512 + MK_KI_FIXED);

	/* the whole kernel_info at the end of the file */
	mk_ki_image(fx->buf, 1, 2);
	KUNIT_EXPECT_NOT_NULL(test, mk_image_abi(fx->buf, MK_KI_PM + MK_KI_INFO +
						 MK_KI_FIXED + 12));
}

/* Every offset and size read from the file is checked. */
static void mk_image_test_abi_hostile(struct kunit *test)
{
	struct mk_image_kunit *fx = test->priv;
	char *buf = fx->buf, *ki = buf + MK_KI_PM + MK_KI_INFO;
	const unsigned long end = MK_KI_PM + MK_KI_INFO + MK_KI_FIXED + 12;

	KUNIT_EXPECT_NULL(test, mk_image_abi(buf, sizeof(struct boot_params) - 1));
	KUNIT_EXPECT_NULL(test, mk_image_abi(buf, end - 1));

	mk_ki_hdr(buf)->version = 0x020e;	/* no kernel_info before 2.15 */
	KUNIT_EXPECT_NULL(test, mk_image_abi(buf, MK_KI_LEN));

	mk_ki_image(buf, 1, 2);
	mk_ki_hdr(buf)->kernel_info_offset = MK_KI_LEN;
	KUNIT_EXPECT_NULL(test, mk_image_abi(buf, MK_KI_LEN));
	mk_ki_hdr(buf)->kernel_info_offset = MK_KI_LEN - MK_KI_PM - 11;
	KUNIT_EXPECT_NULL(test, mk_image_abi(buf, MK_KI_LEN));
	mk_ki_hdr(buf)->kernel_info_offset = U32_MAX;
	KUNIT_EXPECT_NULL(test, mk_image_abi(buf, MK_KI_LEN));

	mk_ki_image(buf, 1, 2);
	memcpy(ki, "LToQ", 4);
	KUNIT_EXPECT_NULL(test, mk_image_abi(buf, MK_KI_LEN));

	/* fixed part shorter than its header, longer than the whole */
	mk_ki_image(buf, 1, 2);
	mk_ki_kinfo(buf, 11, MK_KI_FIXED + 12);
	KUNIT_EXPECT_NULL(test, mk_image_abi(buf, MK_KI_LEN));
	mk_ki_kinfo(buf, MK_KI_FIXED + 13, MK_KI_FIXED + 12);
	KUNIT_EXPECT_NULL(test, mk_image_abi(buf, MK_KI_LEN));
	/* total beyond the file */
	mk_ki_kinfo(buf, MK_KI_FIXED, MK_KI_LEN);
	KUNIT_EXPECT_NULL(test, mk_image_abi(buf, MK_KI_LEN));
	mk_ki_kinfo(buf, MK_KI_FIXED, U32_MAX);
	KUNIT_EXPECT_NULL(test, mk_image_abi(buf, MK_KI_LEN));

	/* chunks: too small to step over (0 would loop), beyond the total */
	mk_ki_image(buf, 1, 2);
	mk_ki_chunk(ki + MK_KI_FIXED, "XXXX", 0);
	KUNIT_EXPECT_NULL(test, mk_image_abi(buf, MK_KI_LEN));
	mk_ki_chunk(ki + MK_KI_FIXED, "XXXX", 7);
	KUNIT_EXPECT_NULL(test, mk_image_abi(buf, MK_KI_LEN));
	mk_ki_chunk(ki + MK_KI_FIXED, MULTIKERNEL_IMAGE_ABI_MAGIC, 13);
	KUNIT_EXPECT_NULL(test, mk_image_abi(buf, MK_KI_LEN));
	mk_ki_chunk(ki + MK_KI_FIXED, "XXXX", U32_MAX);
	KUNIT_EXPECT_NULL(test, mk_image_abi(buf, MK_KI_LEN));
	/* the ABI chunk too short for its fields */
	mk_ki_abi(ki + MK_KI_FIXED, 11, 1, 2);
	KUNIT_EXPECT_NULL(test, mk_image_abi(buf, MK_KI_LEN));
	/* no ABI chunk at all, and a tail too short for a chunk header */
	mk_ki_kinfo(buf, MK_KI_FIXED, MK_KI_FIXED + 12 + 7);
	mk_ki_chunk(ki + MK_KI_FIXED, "XXXX", 12);
	KUNIT_EXPECT_NULL(test, mk_image_abi(buf, MK_KI_LEN));
	mk_ki_kinfo(buf, MK_KI_FIXED, MK_KI_FIXED);
	KUNIT_EXPECT_NULL(test, mk_image_abi(buf, MK_KI_LEN));
}

/**
 * struct mk_abi_case - boot versions an image advertises
 * @oldest:	oldest boot information version it boots on
 * @newest:	newest it knows
 * @ret:	what mk_check_image_abi() says
 */
struct mk_abi_case {
	u16	oldest;
	u16	newest;
	int	ret;
};

static const struct mk_abi_case mk_abi_cases[] = {
	{ 1, 3, 0 },
	{ 1, 2, 0 },	/* an older spawn: version 3 is compatible from 1 */
	{ 1, 1, 0 },	/* reads version 1, the host's compatible version */
	{ 2, 2, 0 },
	{ 3, 3, 0 },
	{ 1, 65535, 0 },
	{ 2, 9, 0 },
	{ 0, 2, -EPROTONOSUPPORT },
	{ 0, 0, -EPROTONOSUPPORT },
	{ 2, 1, -EPROTONOSUPPORT },
	{ 4, 4, -EPROTONOSUPPORT },	/* newer than this host writes */
	{ 65535, 65535, -EPROTONOSUPPORT },
};

static void mk_abi_desc(const struct mk_abi_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "versions %u to %u",
		 c->oldest, c->newest);
}

KUNIT_ARRAY_PARAM(mk_abi, mk_abi_cases, mk_abi_desc);

static void mk_image_test_abi_versions(struct kunit *test)
{
	const struct mk_abi_case *c = test->param_value;
	struct mk_image_kunit *fx = test->priv;
	struct boot_params *bp;

	mk_ki_image(fx->buf, c->oldest, c->newest);
	KUNIT_EXPECT_EQ(test, c->ret, mk_check_image_abi(fx->image));
	bp = kunit_kzalloc(test, sizeof(*bp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bp);
	KUNIT_EXPECT_EQ(test, c->ret, multikernel_setup_boot_params(fx->image, bp));
}

static void mk_image_test_no_abi(struct kunit *test)
{
	struct mk_image_kunit *fx = test->priv;

	memset(fx->buf + MK_KI_PM + MK_KI_INFO, 0, 4);
	KUNIT_EXPECT_EQ(test, -ENOEXEC, mk_check_image_abi(fx->image));
}

/* kexec_file_load(): only the instance's memory, nothing of the host's */
static void mk_image_test_setup_boot_params(struct kunit *test)
{
	struct mk_image_kunit *fx = test->priv;
	struct boot_params *bp;

	bp = kunit_kzalloc(test, sizeof(*bp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bp);
	memset(bp, 0x5a, sizeof(*bp));
	KUNIT_ASSERT_EQ(test, 0, multikernel_setup_boot_params(fx->image, bp));
	KUNIT_EXPECT_EQ(test, 2, bp->e820_entries);
	KUNIT_EXPECT_EQ(test, MK_KI_LOW, bp->e820_table[0].addr);
	KUNIT_EXPECT_EQ(test, MK_KI_LOW_SIZE, bp->e820_table[0].size);
	KUNIT_EXPECT_EQ(test, (u32)E820_TYPE_RAM, bp->e820_table[0].type);
	KUNIT_EXPECT_EQ(test, MK_KI_RAM, bp->e820_table[1].addr);
	KUNIT_EXPECT_EQ(test, (u64)MK_KI_RAM_SIZE, bp->e820_table[1].size);
	KUNIT_EXPECT_EQ(test, (u32)E820_TYPE_RAM, bp->e820_table[1].type);
	KUNIT_EXPECT_EQ(test, MK_KI_BASE, bp->hdr.setup_data);
	KUNIT_EXPECT_EQ(test, (u32)X86_SUBARCH_PC, bp->hdr.hardware_subarch);
	KUNIT_EXPECT_EQ(test, 0ULL, bp->acpi_rsdp_addr);
	KUNIT_EXPECT_EQ(test, 0, bp->eddbuf_entries);
	KUNIT_EXPECT_EQ(test, 0, bp->edd_mbr_sig_buf_entries);
	KUNIT_EXPECT_NULL(test, memchr_inv(&bp->efi_info, 0, sizeof(bp->efi_info)));
	KUNIT_EXPECT_NULL(test, memchr_inv(&bp->screen_info, 0,
					   sizeof(bp->screen_info)));

	/* without a low slice, RAM only */
	fx->inst.low_size = 0;
	KUNIT_ASSERT_EQ(test, 0, multikernel_setup_boot_params(fx->image, bp));
	KUNIT_EXPECT_EQ(test, 1, bp->e820_entries);
	KUNIT_EXPECT_EQ(test, MK_KI_RAM, bp->e820_table[0].addr);
}

static void mk_image_test_in_instance(struct kunit *test)
{
	struct mk_instance *inst = &((struct mk_image_kunit *)test->priv)->inst;
	const u64 end = MK_KI_RAM + MK_KI_RAM_SIZE;

	KUNIT_EXPECT_TRUE(test, mk_in_instance(inst, MK_KI_RAM, MK_KI_RAM_SIZE));
	KUNIT_EXPECT_TRUE(test, mk_in_instance(inst, end - 4096, 4096));
	KUNIT_EXPECT_TRUE(test, mk_in_instance(inst, MK_KI_LOW, MK_KI_LOW_SIZE));
	KUNIT_EXPECT_FALSE(test, mk_in_instance(inst, MK_KI_RAM - 1, 4096));
	KUNIT_EXPECT_FALSE(test, mk_in_instance(inst, end - 4096, 4097));
	KUNIT_EXPECT_FALSE(test, mk_in_instance(inst, MK_KI_RAM, MK_KI_RAM_SIZE + 1));
	/* the shared area is not the spawned kernel's memory */
	KUNIT_EXPECT_FALSE(test, mk_in_instance(inst, MK_KI_BASE, 4096));
	/* from the low slice up into RAM: two ranges, not one */
	KUNIT_EXPECT_FALSE(test, mk_in_instance(inst, MK_KI_LOW, end - MK_KI_LOW));
	KUNIT_EXPECT_FALSE(test, mk_in_instance(inst, MK_KI_LOW + 1, MK_KI_LOW_SIZE));
	/* wrapping around the address space */
	KUNIT_EXPECT_FALSE(test, mk_in_instance(inst, MK_KI_RAM, U64_MAX));
	KUNIT_EXPECT_FALSE(test, mk_in_instance(inst, U64_MAX - 10, 4096));
}

/*
 * kexec_load(): the boot_params user space built, in the second segment of
 * the image (the first is too small to hold them).
 */
static struct boot_params *mk_ki_segments(struct kunit *test)
{
	struct mk_image_kunit *fx = test->priv;
	struct kimage *image = fx->image;
	struct boot_params *bp;
	void *other;

	bp = kunit_kzalloc(test, sizeof(*bp), GFP_KERNEL);
	other = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bp);
	KUNIT_ASSERT_NOT_NULL(test, other);
	/* a small segment that starts like boot_params */
	memcpy(other + offsetof(struct boot_params, hdr.header), "HdrS", 4);
	image->nr_segments = 3;
	image->segment[0].mem = virt_to_phys(other);
	image->segment[0].bufsz = sizeof(*bp) - 1;
	image->segment[1].mem = virt_to_phys(bp);
	image->segment[1].bufsz = sizeof(*bp);
	image->segment[2].mem = virt_to_phys(other);
	image->segment[2].bufsz = PAGE_SIZE;

	memcpy(&bp->hdr.header, "HdrS", 4);
	bp->hdr.version = 0x020f;
	bp->hdr.setup_data = MK_KI_BASE;
	bp->e820_entries = 2;
	bp->e820_table[0] = (struct boot_e820_entry){ MK_KI_LOW, MK_KI_LOW_SIZE,
						      E820_TYPE_RAM };
	bp->e820_table[1] = (struct boot_e820_entry){ MK_KI_RAM, MK_KI_RAM_SIZE,
						      E820_TYPE_RAM };
	return bp;
}

static void mk_image_test_check_image(struct kunit *test)
{
	struct mk_image_kunit *fx = test->priv;
	struct boot_params *bp = mk_ki_segments(test);
	struct mk_instance *inst = &fx->inst;

	KUNIT_EXPECT_EQ(test, 0, arch_multikernel_check_image(inst));
	KUNIT_EXPECT_EQ(test, (phys_addr_t)virt_to_phys(bp), inst->boot_params);

	bp->e820_entries = 0;	/* an empty map is the spawned kernel's problem */
	KUNIT_EXPECT_EQ(test, 0, arch_multikernel_check_image(inst));
	bp->e820_entries = E820_MAX_ENTRIES_ZEROPAGE;
	KUNIT_EXPECT_EQ(test, -EADDRNOTAVAIL, arch_multikernel_check_image(inst));
	bp->e820_entries = E820_MAX_ENTRIES_ZEROPAGE + 1;
	KUNIT_EXPECT_EQ(test, -EINVAL, arch_multikernel_check_image(inst));
	bp->e820_entries = 255;
	KUNIT_EXPECT_EQ(test, -EINVAL, arch_multikernel_check_image(inst));
	bp->e820_entries = 2;

	bp->hdr.setup_data = MK_KI_BASE + 16;
	KUNIT_EXPECT_EQ(test, -EINVAL, arch_multikernel_check_image(inst));
	bp->hdr.setup_data = 0;
	KUNIT_EXPECT_EQ(test, -EINVAL, arch_multikernel_check_image(inst));
	bp->hdr.setup_data = MK_KI_BASE;

	bp->efi_info.efi_systab = 0x1000;
	KUNIT_EXPECT_EQ(test, -EINVAL, arch_multikernel_check_image(inst));
	bp->efi_info.efi_systab = 0;
	bp->efi_info.efi_systab_hi = 1;
	KUNIT_EXPECT_EQ(test, -EINVAL, arch_multikernel_check_image(inst));
	bp->efi_info.efi_systab_hi = 0;
	bp->screen_info.orig_video_isVGA = VIDEO_TYPE_VLFB;
	KUNIT_EXPECT_EQ(test, -EINVAL, arch_multikernel_check_image(inst));
	bp->screen_info.orig_video_isVGA = 0;
	bp->acpi_rsdp_addr = 0xf0000;
	KUNIT_EXPECT_EQ(test, -EINVAL, arch_multikernel_check_image(inst));
	bp->acpi_rsdp_addr = 0;
	KUNIT_EXPECT_EQ(test, 0, arch_multikernel_check_image(inst));
}

/**
 * struct mk_e820_case - one e820 entry of kexec_load() boot parameters
 * @desc:	where it is
 * @addr:	its start
 * @size:	its size
 * @ret:	what arch_multikernel_check_image() says
 */
struct mk_e820_case {
	const char	*desc;
	u64		addr;
	u64		size;
	int		ret;
};

static const struct mk_e820_case mk_e820_cases[] = {
	{ "the instance's RAM", MK_KI_RAM, MK_KI_RAM_SIZE, 0 },
	{ "part of its RAM", MK_KI_RAM + SZ_1M, SZ_1M, 0 },
	{ "its low slice", MK_KI_LOW, MK_KI_LOW_SIZE, 0 },
	{ "the shared area", MK_KI_BASE, MULTIKERNEL_SHARED_SIZE, -EADDRNOTAVAIL },
	{ "one byte past its RAM", MK_KI_RAM, MK_KI_RAM_SIZE + 1, -EADDRNOTAVAIL },
	{ "the next instance", MK_KI_BASE + SZ_256M, SZ_2M, -EADDRNOTAVAIL },
	{ "the host's first page", 0, PAGE_SIZE, -EADDRNOTAVAIL },
	{ "past its low slice", MK_KI_LOW, MK_KI_LOW_SIZE + 1, -EADDRNOTAVAIL },
	{ "all memory", 0, U64_MAX, -EADDRNOTAVAIL },
	{ "wrapping from its RAM", MK_KI_RAM, U64_MAX - SZ_1M, -EADDRNOTAVAIL },
	{ "wrapping into its RAM", U64_MAX - SZ_1M, MK_KI_RAM + SZ_2M, -EADDRNOTAVAIL },
};

static void mk_e820_desc(const struct mk_e820_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mk_e820, mk_e820_cases, mk_e820_desc);

static void mk_image_test_check_e820(struct kunit *test)
{
	const struct mk_e820_case *c = test->param_value;
	struct mk_image_kunit *fx = test->priv;
	struct boot_params *bp = mk_ki_segments(test);

	/* last of three entries: every one is looked at */
	bp->e820_entries = 3;
	bp->e820_table[2] = (struct boot_e820_entry){ c->addr, c->size,
						      E820_TYPE_RAM };
	KUNIT_EXPECT_EQ(test, c->ret, arch_multikernel_check_image(&fx->inst));
}

static void mk_image_test_no_boot_params(struct kunit *test)
{
	struct mk_image_kunit *fx = test->priv;
	struct boot_params *bp = mk_ki_segments(test);

	memcpy(&bp->hdr.header, "HdrT", 4);
	KUNIT_EXPECT_EQ(test, -ENOEXEC, arch_multikernel_check_image(&fx->inst));
	memcpy(&bp->hdr.header, "HdrS", 4);
	bp->hdr.version = 0x01ff;
	KUNIT_EXPECT_EQ(test, -ENOEXEC, arch_multikernel_check_image(&fx->inst));
	bp->hdr.version = 0x0200;
	KUNIT_EXPECT_EQ(test, 0, arch_multikernel_check_image(&fx->inst));
	fx->image->nr_segments = 0;
	KUNIT_EXPECT_EQ(test, -ENOEXEC, arch_multikernel_check_image(&fx->inst));
}

static struct kunit_case mk_image_kunit_cases[] = {
	KUNIT_CASE(mk_image_test_abi_found),
	KUNIT_CASE(mk_image_test_abi_hostile),
	KUNIT_CASE_PARAM(mk_image_test_abi_versions, mk_abi_gen_params),
	KUNIT_CASE(mk_image_test_no_abi),
	KUNIT_CASE(mk_image_test_setup_boot_params),
	KUNIT_CASE(mk_image_test_in_instance),
	KUNIT_CASE(mk_image_test_check_image),
	KUNIT_CASE_PARAM(mk_image_test_check_e820, mk_e820_gen_params),
	KUNIT_CASE(mk_image_test_no_boot_params),
	{}
};

static struct kunit_suite mk_image_kunit_suite = {
	.name		= "multikernel_image",
	.init		= mk_image_kunit_init,
	.test_cases	= mk_image_kunit_cases,
};

kunit_test_suite(mk_image_kunit_suite);

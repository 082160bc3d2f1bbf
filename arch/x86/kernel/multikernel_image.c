// SPDX-License-Identifier: GPL-2.0
/*
 * x86 boot parameters of multikernel images.
 *
 * A spawned kernel may only know its instance: its memory map is the
 * instance's sub-1MiB slice and RAM, it gets no EFI, ACPI, video or EDD
 * state of the host, and its setup_data chain is the boot information the
 * host writes at the start of the instance's shared area before every
 * start.  The bzImage64 loader of kexec_file_load() builds such boot
 * parameters here; those that user space built for kexec_load() are
 * checked against the same rules.
 *
 * kexec_file_load() also reads the boot ABI the bzImage advertises in its
 * kernel_info (struct multikernel_image_abi) and refuses an image that
 * cannot read the boot information this host writes.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/kexec.h>
#include <linux/mm.h>
#include <linux/multikernel.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include <asm/bootparam.h>
#include <asm/e820/types.h>
#include <asm/kexec.h>
#include <asm/kexec-bzimage64.h>
#include <asm/multikernel.h>

static void mk_e820_add(struct boot_params *params, u64 addr, u64 size)
{
	struct boot_e820_entry *e = &params->e820_table[params->e820_entries++];

	e->addr = addr;
	e->size = size;
	e->type = E820_TYPE_RAM;
}

/* Bytes of struct multikernel_image_abi a reader needs */
#define MK_IMAGE_ABI_MIN_SIZE	offsetofend(struct multikernel_image_abi, boot_newest)

/* kernel_info starts with "LToP", its fixed part's size, its total size */
#define MK_KINFO_HDR_SIZE	12
/* each chunk after the fixed part starts with a magic and its size */
#define MK_KINFO_CHUNK_HDR_SIZE	8

/*
 * Find the boot ABI chunk in the kernel_info of the bzImage @buf: at
 * kernel_info_offset from the part after the setup sectors, a fixed part,
 * then chunks that each start with a magic and their size.  Every offset
 * and size comes from the file and is checked against @len.
 */
static const struct multikernel_image_abi *
mk_image_abi(const char *buf, unsigned long len)
{
	const struct setup_header *hdr;
	unsigned long pm, ki, fixed, total, off, size;
	const char *kinfo;

	if (len < sizeof(struct boot_params))
		return NULL;
	hdr = (const void *)(buf + offsetof(struct boot_params, hdr));
	if (hdr->version < 0x020f)
		return NULL;
	pm = ((hdr->setup_sects ?: 4) + 1) * 512UL;
	ki = pm + hdr->kernel_info_offset;
	if (ki >= len || len - ki < MK_KINFO_HDR_SIZE)
		return NULL;
	kinfo = buf + ki;
	fixed = get_unaligned_le32(kinfo + 4);
	total = get_unaligned_le32(kinfo + 8);
	if (memcmp(kinfo, "LToP", 4) || fixed < MK_KINFO_HDR_SIZE ||
	    fixed > total || total > len - ki)
		return NULL;

	for (off = fixed; total - off >= MK_KINFO_CHUNK_HDR_SIZE; off += size) {
		size = get_unaligned_le32(kinfo + off + 4);
		if (size < MK_KINFO_CHUNK_HDR_SIZE || size > total - off)
			return NULL;
		if (!memcmp(kinfo + off, MULTIKERNEL_IMAGE_ABI_MAGIC, 4))
			return size >= MK_IMAGE_ABI_MIN_SIZE ?
			       (const void *)(kinfo + off) : NULL;
	}
	return NULL;
}

/*
 * Can the image in @image->kernel_buf read the boot information this host
 * writes at every start (MULTIKERNEL_BOOT_VERSION, compatible from
 * MULTIKERNEL_BOOT_COMPAT)?  See struct multikernel_image_abi.
 */
static int mk_check_image_abi(struct kimage *image)
{
	struct mk_instance *inst = image->mk_instance;
	const struct multikernel_image_abi *abi;
	u16 oldest, newest;

	abi = mk_image_abi(image->kernel_buf, image->kernel_buf_len);
	if (!abi) {
		pr_info_ratelimited("instance %u: refusing image: its kernel_info advertises no multikernel boot ABI (not built with CONFIG_MULTIKERNEL_GUEST?)\n",
				    inst->id);
		return -ENOEXEC;
	}
	oldest = get_unaligned_le16(&abi->boot_oldest);
	newest = get_unaligned_le16(&abi->boot_newest);
	if (!oldest || oldest > newest ||
	    oldest > MULTIKERNEL_BOOT_VERSION ||
	    newest < MULTIKERNEL_BOOT_COMPAT) {
		pr_info_ratelimited("instance %u: refusing image: it reads boot information versions %u to %u, this host writes version %u (readable from version %u)\n",
				    inst->id, oldest, newest,
				    MULTIKERNEL_BOOT_VERSION,
				    MULTIKERNEL_BOOT_COMPAT);
		return -EPROTONOSUPPORT;
	}
	return 0;
}

/**
 * multikernel_setup_boot_params - boot parameters of a multikernel bzImage
 * @image:	KEXEC_TYPE_MULTIKERNEL image being loaded by kexec_file_load()
 * @params:	its boot parameters, setup header and command line filled in
 *
 * Called by the bzImage64 loader instead of describing the host's machine,
 * once it set purgatory's entry registers.  The image must first
 * advertise, in its kernel_info, a boot ABI that reads the boot
 * information this host writes.  Notes the kernel's entry and its boot
 * parameters' address in the instance.
 *
 * Return: 0, -ENOEXEC for an image that advertises no boot ABI,
 * -EPROTONOSUPPORT for one that cannot read this host's boot information.
 */
int multikernel_setup_boot_params(struct kimage *image,
				  struct boot_params *params)
{
	struct mk_instance *inst = image->mk_instance;
	struct kexec_entry64_regs regs;
	int ret;

	ret = mk_check_image_abi(image);
	if (ret)
		return ret;

	params->hdr.hardware_subarch = X86_SUBARCH_PC;
	memset(&params->screen_info, 0, sizeof(params->screen_info));
	memset(&params->efi_info, 0, sizeof(params->efi_info));
	params->acpi_rsdp_addr = 0;
	params->eddbuf_entries = 0;
	params->edd_mbr_sig_buf_entries = 0;

	params->e820_entries = 0;
	if (inst->low_size)
		mk_e820_add(params, inst->low_base, inst->low_size);
	mk_e820_add(params, inst->ram_base, inst->ram_size);

	/* SETUP_MULTIKERNEL, its next field is cleared at every start */
	params->hdr.setup_data = inst->base;

	/*
	 * Where purgatory would jump, with the boot parameters in %rsi: the
	 * start enters there itself (arch_multikernel_file_entry()).  Without
	 * them the image enters through purgatory.
	 */
	if (!kexec_purgatory_get_set_symbol(image, "entry64_regs", &regs,
					    sizeof(regs), true)) {
		inst->entry = regs.rip;
		inst->boot_params = regs.rsi;
	}
	return 0;
}

/* Is [pa, pa + len) inside the instance's RAM or its low slice? */
static bool mk_in_instance(struct mk_instance *inst, u64 pa, u64 len)
{
	if (pa + len < pa)
		return false;
	return (pa >= inst->ram_base &&
		pa + len <= inst->ram_base + inst->ram_size) ||
	       (pa >= inst->low_base &&
		pa + len <= inst->low_base + inst->low_size);
}

/* The boot_params among the segments just written into the instance. */
static struct boot_params *mk_find_boot_params(struct mk_instance *inst)
{
	struct kimage *image = inst->image;
	unsigned long i;

	for (i = 0; i < image->nr_segments; i++) {
		struct kexec_segment *s = &image->segment[i];
		struct boot_params *bp = phys_to_virt(s->mem);

		/* boot_flag is not checked: kexec-tools reuses its byte */
		if (s->bufsz >= sizeof(*bp) &&
		    !memcmp(&bp->hdr.header, "HdrS", 4) &&
		    bp->hdr.version >= 0x0200) {
			inst->boot_params = s->mem;
			return bp;
		}
	}
	return NULL;
}

/**
 * arch_multikernel_check_image - validate an image loaded by kexec_load()
 * @inst: instance whose segments were just written into its RAM
 *
 * Finds the boot parameters among the segments, records them in
 * @inst->boot_params and checks that they only describe the instance:
 * setup_data is the instance's boot information, the memory map lies in
 * the instance, and no EFI, ACPI or VGA state is handed over.
 *
 * Return: 0, -ENOEXEC without boot parameters, -EADDRNOTAVAIL for memory
 * outside the instance, -EINVAL for anything else they must not contain.
 */
int arch_multikernel_check_image(struct mk_instance *inst)
{
	struct boot_params *bp = mk_find_boot_params(inst);
	unsigned int i;

	if (!bp) {
		pr_info_ratelimited("instance %u: no segment holds boot_params\n",
				    inst->id);
		return -ENOEXEC;
	}
	if (bp->hdr.setup_data != inst->base) {
		pr_info_ratelimited("instance %u: boot_params must chain setup_data at %pa (the instance's boot information)\n",
				    inst->id, &inst->base);
		return -EINVAL;
	}
	if (bp->e820_entries > ARRAY_SIZE(bp->e820_table)) {
		pr_info_ratelimited("instance %u: boot_params has %u e820 entries\n",
				    inst->id, bp->e820_entries);
		return -EINVAL;
	}
	for (i = 0; i < bp->e820_entries; i++) {
		struct boot_e820_entry *e = &bp->e820_table[i];

		if (!mk_in_instance(inst, e->addr, e->size)) {
			pr_info_ratelimited("instance %u: e820 entry %#llx+%#llx is outside the instance\n",
					    inst->id, e->addr, e->size);
			return -EADDRNOTAVAIL;
		}
	}
	if (bp->efi_info.efi_systab || bp->efi_info.efi_systab_hi ||
	    bp->screen_info.orig_video_isVGA || bp->acpi_rsdp_addr) {
		pr_info_ratelimited("instance %u: boot_params hand over EFI, ACPI or framebuffer state\n",
				    inst->id);
		return -EINVAL;
	}
	return 0;
}

#if IS_ENABLED(CONFIG_MULTIKERNEL_KUNIT_TEST)
#include "multikernel_image_kunit.c"
#endif /* CONFIG_MULTIKERNEL_KUNIT_TEST */

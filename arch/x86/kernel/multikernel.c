// SPDX-License-Identifier: GPL-2.0
/*
 * x86 host side of multikernel: boot reservation, bzImage placement,
 * INIT/SIPI start through a trampoline below 1 MiB, and forced stop.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/delay.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/multikernel.h>
#include <linux/percpu.h>
#include <linux/sizes.h>
#include <linux/smp.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include <asm/apic.h>
#include <asm/bootparam.h>
#include <asm/e820/types.h>
#include <asm/multikernel.h>
#include <asm/pgtable_types.h>
#include <asm/setup.h>
#include <asm/tsc.h>

/*
 * Low memory: slot 0 holds the trampoline page and a fixed identity map of
 * the first 2 MiB, slots 1..MULTIKERNEL_MAX_INSTANCES are handed to the
 * instances for their own real-mode code.
 */
#define MK_LOW_SLOT		SZ_64K
#define MK_LOW_TOTAL		((MULTIKERNEL_MAX_INSTANCES + 1UL) * MK_LOW_SLOT)

/* Pages of the shared area used for the instance's start page tables. */
#define MK_PT_FIRST		1
#define MK_PT_PAGES		32

/* How long a start waits for the CPU to leave the trampoline. */
#define MK_HANDOFF_TIMEOUT_MS	5000

static unsigned long long mk_req_size __initdata;
static unsigned long long mk_req_base __initdata;
static struct resource mk_pool_res = {
	.name	= "Multikernel pool",
	.flags	= IORESOURCE_MEM | IORESOURCE_BUSY,
};

static struct resource mk_low_res = {
	.name	= "Multikernel low memory",
	.flags	= IORESOURCE_MEM | IORESOURCE_BUSY,
};

static bool mk_low_tables_ready;

/* multikernel=SIZE[@ADDR] */
static int __init parse_multikernel(char *arg)
{
	char *end;

	if (!arg)
		return -EINVAL;
	mk_req_size = memparse(arg, &end);
	if (*end == '@')
		mk_req_base = memparse(end + 1, &end);
	if (*end || !mk_req_size) {
		pr_warn("ignoring malformed multikernel=%s\n", arg);
		mk_req_size = 0;
		return -EINVAL;
	}
	return 0;
}
early_param("multikernel", parse_multikernel);

/**
 * multikernel_reserve - reserve the pool and low memory at boot
 *
 * Called from setup_arch() before the real-mode trampoline is reserved, so
 * the sub-1MiB slices can still be allocated.
 */
void __init multikernel_reserve(void)
{
	phys_addr_t low, base;
	unsigned long long size = ALIGN(mk_req_size, SZ_2M);

	if (!size)
		return;

	low = memblock_phys_alloc_range(MK_LOW_TOTAL, PAGE_SIZE, SZ_64K, SZ_1M);
	if (!low) {
		pr_warn("no %luK below 1M for trampolines; disabled\n",
			MK_LOW_TOTAL >> 10);
		return;
	}

	if (mk_req_base) {
		base = mk_req_base;
		if (!IS_ALIGNED(base, SZ_2M) ||
		    !memblock_is_region_memory(base, size) ||
		    memblock_is_region_reserved(base, size) ||
		    memblock_reserve(base, size)) {
			pr_warn("cannot reserve %lluM at %pa; disabled\n",
				size >> 20, &base);
			base = 0;
		}
	} else {
		base = memblock_phys_alloc_range(size, SZ_2M, SZ_16M,
						 memblock_end_of_DRAM());
	}
	if (!base) {
		pr_warn("cannot reserve %lluM; disabled\n", size >> 20);
		memblock_phys_free(low, MK_LOW_TOTAL);
		return;
	}

	mk_pool_res.start = base;
	mk_pool_res.end = base + size - 1;
	mk_low_res.start = low;
	mk_low_res.end = low + MK_LOW_TOTAL - 1;
	pr_info("reserved %lluM at %pa for spawned kernels, low memory at %pa\n",
		size >> 20, &base, &low);
}

int arch_multikernel_pool(struct resource *res)
{
	if (!mk_pool_res.end)
		return -ENODEV;
	insert_resource(&iomem_resource, &mk_pool_res);
	insert_resource(&iomem_resource, &mk_low_res);
	*res = mk_pool_res;
	return 0;
}

int arch_multikernel_low_slice(unsigned int slot, phys_addr_t *base,
			       size_t *size)
{
	if (!mk_low_res.end || slot >= MULTIKERNEL_MAX_INSTANCES)
		return -ENOMEM;
	*base = mk_low_res.start + (slot + 1) * MK_LOW_SLOT;
	*size = MK_LOW_SLOT;
	return 0;
}

void arch_multikernel_lend_cpus(bool lend)
{
	/* all-but-self shorthands would reach CPUs running another kernel */
	apic_ipi_shorthand_block(lend);
}

int arch_multikernel_cpu_ok(unsigned int cpu)
{
	u32 apicid = per_cpu(x86_cpu_to_apicid, cpu);

	if (apicid == BAD_APICID) {
		pr_info("cpu%u has no APIC id\n", cpu);
		return -EINVAL;
	}
	if (!x2apic_mode && apicid > 0xfe) {
		pr_info("cpu%u: APIC id %u cannot be targeted in xAPIC mode\n",
			cpu, apicid);
		return -EINVAL;
	}
	return 0;
}

/* A table page allocator over a fixed array of pages. */
struct mk_pt {
	void		*va;	/* kernel mapping of the first page */
	phys_addr_t	pa;	/* its physical address */
	unsigned int	used;
	unsigned int	max;
};

static u64 *mk_pt_next(struct mk_pt *pt, phys_addr_t *pa)
{
	void *page;

	if (pt->used == pt->max)
		return NULL;
	page = pt->va + pt->used * PAGE_SIZE;
	*pa = pt->pa + pt->used * PAGE_SIZE;
	pt->used++;
	memset(page, 0, PAGE_SIZE);
	return page;
}

static u64 *mk_pt_table(struct mk_pt *pt, u64 *entry)
{
	phys_addr_t pa;
	u64 *t;

	if (*entry & _PAGE_PRESENT)
		return pt->va + ((*entry & PTE_PFN_MASK) - pt->pa);
	t = mk_pt_next(pt, &pa);
	if (t)
		*entry = pa | _PAGE_PRESENT | _PAGE_RW;
	return t;
}

/* Identity-map [start, end) with 2 MiB pages. */
static int mk_pt_map(struct mk_pt *pt, u64 *pml4, phys_addr_t start,
		     phys_addr_t end)
{
	phys_addr_t a;

	for (a = ALIGN_DOWN(start, SZ_2M); a < end; a += SZ_2M) {
		u64 *pdpt, *pd;

		pdpt = mk_pt_table(pt, &pml4[(a >> 39) & 511]);
		if (!pdpt)
			return -E2BIG;
		pd = mk_pt_table(pt, &pdpt[(a >> 30) & 511]);
		if (!pd)
			return -E2BIG;
		pd[(a >> 21) & 511] = a | _PAGE_PRESENT | _PAGE_RW | _PAGE_PSE;
	}
	return 0;
}

/* Page tables that map the first 2 MiB and the instance's memory. */
static int mk_build_tables(struct mk_instance *inst, phys_addr_t *cr3)
{
	struct mk_pt pt = {
		.va = phys_to_virt(inst->base) + MK_PT_FIRST * PAGE_SIZE,
		.pa = inst->base + MK_PT_FIRST * PAGE_SIZE,
		.max = MK_PT_PAGES,
	};
	u64 *pml4 = mk_pt_next(&pt, cr3);
	int ret;

	ret = mk_pt_map(&pt, pml4, 0, SZ_2M);
	if (!ret)
		ret = mk_pt_map(&pt, pml4, inst->base, inst->base + inst->size);
	return ret;
}

/* The fixed identity map of the first 2 MiB, in low slot 0 after the code. */
static phys_addr_t mk_low_tables(void)
{
	struct mk_pt pt = {
		.va = phys_to_virt(mk_low_res.start) + PAGE_SIZE,
		.pa = mk_low_res.start + PAGE_SIZE,
		.max = 3,
	};
	phys_addr_t cr3;
	u64 *pml4;

	if (!mk_low_tables_ready) {
		pml4 = mk_pt_next(&pt, &cr3);
		mk_pt_map(&pt, pml4, 0, SZ_2M);
		mk_low_tables_ready = true;
	}
	return pt.pa;
}

static void mk_send_init(u32 apicid)
{
	unsigned long flags;

	local_irq_save(flags);
	apic_wait_icr_idle();
	apic_icr_write(APIC_INT_LEVELTRIG | APIC_INT_ASSERT | APIC_DM_INIT,
		       apicid);
	safe_apic_wait_icr_idle();
	local_irq_restore(flags);
	usleep_range(100, 200);
	local_irq_save(flags);
	apic_wait_icr_idle();
	apic_icr_write(APIC_INT_LEVELTRIG | APIC_DM_INIT, apicid);
	safe_apic_wait_icr_idle();
	local_irq_restore(flags);
}

static void mk_send_sipi(u32 apicid, phys_addr_t start)
{
	unsigned long flags;
	int i;

	for (i = 0; i < 2; i++) {
		local_irq_save(flags);
		apic_wait_icr_idle();
		apic_icr_write(APIC_DM_STARTUP | (start >> 12), apicid);
		safe_apic_wait_icr_idle();
		local_irq_restore(flags);
		usleep_range(200, 300);
	}
}

void arch_multikernel_fill_info(struct mk_instance *inst)
{
	struct setup_data *sd = phys_to_virt(inst->base);
	struct multikernel_boot_info *info = inst->info;
	unsigned int cpu, n = 0;

	sd->next = 0;
	sd->type = SETUP_MULTIKERNEL;
	sd->len = sizeof(*info);

	info->magic = MULTIKERNEL_BOOT_MAGIC;
	info->version = MULTIKERNEL_BOOT_VERSION;
	info->compat_version = MULTIKERNEL_BOOT_COMPAT;
	info->size = sizeof(*info);
	info->instance_id = inst->id;
	info->tsc_khz = tsc_khz;
	info->cpu_khz = cpu_khz;
	info->lapic_timer_period = lapic_timer_period;
	info->host_hz = HZ;
	info->uart_base = inst->uart;
	info->host_apicid = per_cpu(x86_cpu_to_apicid, 0);
	info->apic_ids[n++] = per_cpu(x86_cpu_to_apicid, inst->boot_cpu);
	for_each_cpu(cpu, inst->cpus)
		if (cpu != inst->boot_cpu)
			info->apic_ids[n++] = per_cpu(x86_cpu_to_apicid, cpu);
	info->nr_cpus = n;
	info->mem_base = inst->ram_base;
	info->mem_size = inst->ram_size;
	info->shared_base = inst->base;
	info->shared_size = MULTIKERNEL_SHARED_SIZE;
	info->guest_state = MK_GUEST_BOOTING;
}

int arch_multikernel_start(struct mk_instance *inst)
{
	const u32 *off = mk_trampoline_offsets;
	phys_addr_t tr = mk_low_res.start, cr3, stack;
	u8 *page = phys_to_virt(tr);
	u32 apicid = per_cpu(x86_cpu_to_apicid, inst->boot_cpu);
	unsigned long deadline;
	int ret;

	ret = mk_build_tables(inst, &cr3);
	if (ret) {
		pr_info("instance %d: memory too large for the start page tables\n",
			inst->id);
		return ret;
	}

	memcpy(page, mk_trampoline_start,
	       mk_trampoline_end - mk_trampoline_start);
	*(u32 *)(page + off[TR_GDT_DESC] + 2) = tr + off[TR_GDT];
	*(u32 *)(page + off[TR_PM_PTR]) = tr + off[TR_PM];
	*(u32 *)(page + off[TR_LM_PTR]) = tr + off[TR_LM];
	*(u64 *)(page + off[TR_CR3_LOW]) = mk_low_tables();
	*(u64 *)(page + off[TR_CR3]) = cr3;
	/*
	 * Initial stack: the top of the instance's shared area, with a zero
	 * "return address" on it (kexec purgatory reads one as its jump-back
	 * entry).
	 */
	stack = inst->base + MULTIKERNEL_SHARED_SIZE - 16;
	memset(phys_to_virt(stack), 0, 16);
	*(u64 *)(page + off[TR_STACK]) = stack;
	*(u64 *)(page + off[TR_BOOT_PARAMS]) = inst->boot_params;
	*(u64 *)(page + off[TR_ENTRY]) = inst->entry;
	WRITE_ONCE(*(u32 *)(page + off[TR_HANDOFF]), 0);
	/* the trampoline must be complete before the CPU can fetch it */
	wmb();

	mk_send_init(apicid);
	usleep_range(10000, 11000);
	mk_send_sipi(apicid, tr);

	deadline = jiffies + msecs_to_jiffies(MK_HANDOFF_TIMEOUT_MS);
	while (!READ_ONCE(*(u32 *)(page + off[TR_HANDOFF]))) {
		if (time_after(jiffies, deadline)) {
			mk_send_init(apicid);
			return -ETIMEDOUT;
		}
		usleep_range(200, 1000);
	}
	return 0;
}

void arch_multikernel_stop_cpus(struct mk_instance *inst)
{
	unsigned int cpu;

	for_each_cpu(cpu, inst->cpus)
		mk_send_init(per_cpu(x86_cpu_to_apicid, cpu));
}

/* Is [pa, pa + len) inside one of the instance's memory ranges? */
static bool mk_in_instance(struct mk_instance *inst, u64 pa, u64 len)
{
	if (pa + len < pa)
		return false;
	return (pa >= inst->ram_base &&
		pa + len <= inst->ram_base + inst->ram_size) ||
	       (pa >= inst->low_base && pa + len <= inst->low_base + inst->low_size);
}

int arch_multikernel_check_image(struct mk_instance *inst)
{
	struct boot_params *bp = NULL;
	unsigned int i;

	for (i = 0; i < inst->nr_segments; i++) {
		struct boot_params *c = inst->segment[i].buf;

		/* boot_flag is not checked: kexec-tools reuses its byte */
		if (inst->segment[i].bufsz >= sizeof(*c) &&
		    c->hdr.header == 0x53726448 && c->hdr.version >= 0x0200) {
			bp = c;
			inst->boot_params = inst->segment[i].mem;
			break;
		}
	}
	if (!bp) {
		pr_info("instance %d: no segment holds boot_params\n", inst->id);
		return -ENOEXEC;
	}
	if (bp->hdr.setup_data != inst->base) {
		pr_info("instance %d: boot_params must chain setup_data at %pa (the instance's boot information)\n",
			inst->id, &inst->base);
		return -EINVAL;
	}
	if (bp->e820_entries > ARRAY_SIZE(bp->e820_table)) {
		pr_info("instance %d: bad e820 table\n", inst->id);
		return -EINVAL;
	}
	for (i = 0; i < bp->e820_entries; i++) {
		struct boot_e820_entry *e = &bp->e820_table[i];

		if (!mk_in_instance(inst, e->addr, e->size)) {
			pr_info("instance %d: e820 entry %#llx+%#llx is outside the instance\n",
				inst->id, e->addr, e->size);
			return -EADDRNOTAVAIL;
		}
	}
	if (bp->efi_info.efi_systab || bp->efi_info.efi_systab_hi ||
	    bp->screen_info.orig_video_isVGA || bp->acpi_rsdp_addr) {
		pr_info("instance %d: boot_params hand over EFI, ACPI or framebuffer state\n",
			inst->id);
		return -EINVAL;
	}
	return 0;
}

static int mk_add_segment(struct mk_instance *inst, const void *src,
			  size_t len, phys_addr_t mem, size_t memsz)
{
	struct mk_segment *s = &inst->segment[inst->nr_segments];

	if (inst->nr_segments == KEXEC_SEGMENT_MAX)
		return -E2BIG;
	s->buf = kvmalloc(max_t(size_t, len, 1), GFP_KERNEL);
	if (!s->buf)
		return -ENOMEM;
	memcpy(s->buf, src, len);
	s->bufsz = len;
	s->mem = mem;
	s->memsz = PAGE_ALIGN(memsz);
	inst->nr_segments++;
	return 0;
}

int arch_multikernel_load_file(struct mk_instance *inst, const void *kernel,
			       size_t kernel_len, const void *initrd,
			       size_t initrd_len, const char *cmdline,
			       size_t cmdline_len)
{
	const struct setup_header *h = kernel + 0x1f1;
	phys_addr_t kaddr, bpaddr, cladr, iaddr = 0, end;
	size_t setup_size, hdr_len, payload;
	struct boot_params *bp;
	unsigned long align;
	int ret;

	if (kernel_len < 0x1000 || h->header != 0x53726448 ||
	    h->version < 0x020c || !(h->xloadflags & XLF_KERNEL_64) ||
	    !h->relocatable_kernel) {
		pr_info("instance %d: not a relocatable 64-bit bzImage\n",
			inst->id);
		return -ENOEXEC;
	}
	setup_size = ((h->setup_sects ?: 4) + 1) * 512;
	if (setup_size >= kernel_len)
		return -ENOEXEC;
	payload = kernel_len - setup_size;
	if (h->init_size < payload)
		return -ENOEXEC;
	align = max_t(unsigned long, h->kernel_alignment, SZ_2M);
	if (align & (align - 1))
		return -ENOEXEC;
	if (cmdline_len > h->cmdline_size + 1) {
		pr_info("instance %d: command line longer than %u\n", inst->id,
			h->cmdline_size);
		return -EINVAL;
	}

	end = inst->ram_base + inst->ram_size;
	kaddr = ALIGN(inst->ram_base, align);
	bpaddr = PAGE_ALIGN(kaddr + h->init_size);
	cladr = bpaddr + PAGE_SIZE;
	if (kaddr < LOAD_PHYSICAL_ADDR) {
		pr_info("instance %d: RAM below %#x cannot hold a kernel\n",
			inst->id, LOAD_PHYSICAL_ADDR);
		return -EADDRNOTAVAIL;
	}
	if (initrd_len > end - cladr) {
		pr_info("instance %d: %zuM of RAM cannot hold kernel and initrd\n",
			inst->id, inst->ram_size >> 20);
		return -ENOSPC;
	}
	if (initrd_len) {
		iaddr = ALIGN_DOWN(end - initrd_len, PAGE_SIZE);
		if (!(h->xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G) &&
		    iaddr + initrd_len > (u64)h->initrd_addr_max + 1) {
			pr_info("instance %d: initrd would be above its limit\n",
				inst->id);
			return -EADDRNOTAVAIL;
		}
	}
	if (cladr + PAGE_ALIGN(cmdline_len) > (initrd_len ? iaddr : end)) {
		pr_info("instance %d: %zuM of RAM cannot hold kernel and initrd\n",
			inst->id, inst->ram_size >> 20);
		return -ENOSPC;
	}

	bp = kzalloc(sizeof(*bp), GFP_KERNEL);
	if (!bp)
		return -ENOMEM;
	hdr_len = min_t(size_t, 0x202 + *((u8 *)kernel + 0x201) - 0x1f1,
			sizeof(bp->hdr));
	memcpy(&bp->hdr, h, hdr_len);
	bp->hdr.type_of_loader = 0xff;
	bp->hdr.loadflags |= LOADED_HIGH | KEEP_SEGMENTS;
	bp->hdr.loadflags &= ~QUIET_FLAG;
	bp->hdr.code32_start = kaddr;
	bp->hdr.cmd_line_ptr = lower_32_bits(cladr);
	bp->ext_cmd_line_ptr = upper_32_bits(cladr);
	bp->hdr.ramdisk_image = lower_32_bits(iaddr);
	bp->ext_ramdisk_image = upper_32_bits(iaddr);
	bp->hdr.ramdisk_size = lower_32_bits(initrd_len);
	bp->ext_ramdisk_size = upper_32_bits(initrd_len);
	bp->hdr.setup_data = inst->base;
	bp->hdr.hardware_subarch = X86_SUBARCH_PC;
	bp->e820_entries = 2;
	bp->e820_table[0].addr = inst->low_base;
	bp->e820_table[0].size = inst->low_size;
	bp->e820_table[0].type = E820_TYPE_RAM;
	bp->e820_table[1].addr = inst->ram_base;
	bp->e820_table[1].size = inst->ram_size;
	bp->e820_table[1].type = E820_TYPE_RAM;

	ret = mk_add_segment(inst, kernel + setup_size, payload, kaddr,
			     h->init_size);
	if (!ret)
		ret = mk_add_segment(inst, bp, sizeof(*bp), bpaddr, PAGE_SIZE);
	if (!ret)
		ret = mk_add_segment(inst, cmdline, cmdline_len, cladr,
				     cmdline_len);
	if (!ret && initrd_len)
		ret = mk_add_segment(inst, initrd, initrd_len, iaddr,
				     end - iaddr);
	kfree(bp);
	if (ret)
		return ret;
	inst->entry = kaddr + 0x200;
	inst->boot_params = bpaddr;
	return 0;
}

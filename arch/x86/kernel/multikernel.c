// SPDX-License-Identifier: GPL-2.0
/*
 * x86 host side of multikernel, resources: the boot-time reservation of
 * the pool (multikernel=SIZE[@ADDR]) and of the low memory below 1 MiB,
 * their accessors, and which CPUs can be handed to an instance.  Starting
 * and stopping an instance's CPUs is in multikernel_start.c, checks of
 * loaded images in multikernel_image.c.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/init.h>
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/kmemleak.h>
#include <linux/memblock.h>
#include <linux/multikernel.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/sizes.h>
#include <linux/smp.h>

#include <asm/apic.h>
#include <asm/e820/api.h>
#include <asm/realmode.h>

/*
 * Low memory: slot 0 holds the trampoline page and a fixed identity map of
 * the first 2 MiB, slots 1..MULTIKERNEL_MAX_INSTANCES are handed to the
 * instances for their own real-mode code.
 */
#define MK_LOW_SLOT		SZ_64K
#define MK_LOW_TOTAL		((MULTIKERNEL_MAX_INSTANCES + 1UL) * MK_LOW_SLOT)

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

static bool mk_off __initdata;

/* multikernel=SIZE[@ADDR] or multikernel=off */
static int __init parse_multikernel(char *arg)
{
	char *end;

	if (!arg)
		return -EINVAL;
	mk_off = !strcmp(arg, "off");
	if (mk_off) {
		mk_req_size = 0;
		return 0;
	}
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

/*
 * The low memory stays RAM to this kernel but is not RAM to the loaders of
 * later kernels, which read the e820 resources (/proc/iomem for
 * kexec-tools, the resource tree for kexec_file_load): a kdump kernel gets
 * the RAM below 1 MiB for its own trampoline and must not put it in slices
 * that running instances start their CPUs from.  Before
 * e820__reserve_resources() builds the resources.  The pool stays System
 * RAM: a kdump kernel gets no RAM outside its reservation anyway, and the
 * dump then includes the instances' memory.
 */
static void __init mk_low_hide_from_loaders(phys_addr_t low)
{
	e820__range_update(low, MK_LOW_TOTAL, E820_TYPE_RAM, E820_TYPE_RESERVED);
	e820__update_table(e820_table);
}

/*
 * The low slices, placed so that the host's own real-mode trampoline still
 * fits below 1 MiB: reserve_real_mode() runs next and allocates top-down in
 * [0, 1M).  A probe of its size is taken first, ours below it, and the probe
 * is given back; the trampoline's allocation then finds the probe's place
 * again (the highest fit before ours was taken is still free and still the
 * highest).  After reserve_real_mode() nothing is left to allocate: it
 * reserves all of the first 1 MiB.
 *
 * Return: the slices' base, or 0 (and why, logged) when they do not fit.
 */
static phys_addr_t __init mk_reserve_low(void)
{
	size_t tramp = real_mode_size_needed();
	phys_addr_t probe = 0, low;

	if (tramp) {
		probe = memblock_phys_alloc_range(tramp, PAGE_SIZE, 0, SZ_1M);
		if (!probe) {
			pr_warn("disabled: no room below 1M even for the host's %zuK real-mode trampoline\n",
				tramp >> 10);
			return 0;
		}
	}
	low = memblock_phys_alloc_range(MK_LOW_TOTAL, PAGE_SIZE, SZ_64K, SZ_1M);
	if (probe)
		memblock_phys_free(probe, tramp);
	if (low)
		return low;

	/* say whether it is the trampoline's share that makes it not fit */
	low = memblock_phys_alloc_range(MK_LOW_TOTAL, PAGE_SIZE, SZ_64K, SZ_1M);
	if (low) {
		memblock_phys_free(low, MK_LOW_TOTAL);
		pr_warn("disabled: %luK below 1M for trampolines would leave no room for the host's %zuK real-mode trampoline\n",
			MK_LOW_TOTAL >> 10, tramp >> 10);
	} else {
		pr_warn("disabled: no %luK below 1M for trampolines\n",
			MK_LOW_TOTAL >> 10);
	}
	return 0;
}

/**
 * multikernel_reserve - reserve the pool and low memory at boot
 *
 * Called from setup_arch() just before the real-mode trampoline is
 * reserved, so the sub-1MiB slices can still be allocated; they are placed
 * so that the trampoline still fits (mk_reserve_low()).  Without room for
 * both, multikernel is disabled: nothing is reserved and creating an
 * instance fails with ENODEV.  Without multikernel=SIZE only the low
 * memory is reserved, and instances get their memory from the running
 * host (kernel/multikernel/pool.c); multikernel=off, or a kernel that
 * was itself spawned, reserves nothing.
 */
void __init multikernel_reserve(void)
{
	phys_addr_t low, base;
	unsigned long long size = ALIGN(mk_req_size, SZ_2M);

	/* a spawned kernel never hosts instances of its own */
	if (multikernel_guest())
		return;
	if (mk_off) {
		pr_info("disabled on the command line\n");
		return;
	}

	low = mk_reserve_low();
	if (!low)
		return;
	kmemleak_ignore_phys(low);
	if (!size) {
		mk_low_res.start = low;
		mk_low_res.end = low + MK_LOW_TOTAL - 1;
		mk_low_hide_from_loaders(low);
		pr_info("no pool reserved, instance memory comes from the running host; low memory at %pa\n",
			&low);
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
		/* other kernels' memory: never scanned for host leaks */
		if (base)
			kmemleak_ignore_phys(base);
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
	mk_low_hide_from_loaders(low);
	pr_info("reserved %lluM at %pa for spawned kernels, low memory at %pa\n",
		size >> 20, &base, &low);
}

int arch_multikernel_pool(struct resource *res)
{
	if (mk_low_res.end)
		insert_resource(&iomem_resource, &mk_low_res);
	if (!mk_pool_res.end)
		return -ENODEV;
	insert_resource(&iomem_resource, &mk_pool_res);
	*res = mk_pool_res;
	return 0;
}

/**
 * multikernel_low_base - low memory slot 0, for the start trampoline
 *
 * Return: the physical start of the slot (page aligned, below 1 MiB), or 0
 * without a reservation.  The trampoline takes its first page, the fixed
 * identity map it starts with the pages after it.
 */
phys_addr_t multikernel_low_base(void)
{
	return mk_low_res.end ? mk_low_res.start : 0;
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

/*
 * The APIC id of each lent CPU, recorded when it is lent.  A CPU the host
 * hot-removed reads BAD_APICID in x86_cpu_to_apicid, and an INIT to that
 * is a broadcast in xAPIC mode; lent CPUs cannot be removed, and their
 * start and stop target this record only.
 */
static DEFINE_PER_CPU_READ_MOSTLY(u32, mk_lent_apicid) = BAD_APICID;

void arch_multikernel_cpu_lent(unsigned int cpu, bool lent)
{
	per_cpu(mk_lent_apicid, cpu) = lent ? per_cpu(x86_cpu_to_apicid, cpu) :
					      BAD_APICID;
}

/**
 * multikernel_cpu_apicid - the APIC id a lent CPU had when it was lent
 * @cpu: logical CPU number
 *
 * Return: that APIC id, BAD_APICID for a CPU that is not lent.
 */
u32 multikernel_cpu_apicid(unsigned int cpu)
{
	return per_cpu(mk_lent_apicid, cpu);
}

int arch_multikernel_cpu_ok(unsigned int cpu)
{
	u32 apicid = per_cpu(x86_cpu_to_apicid, cpu);

	if (apicid == BAD_APICID) {
		pr_info_ratelimited("cpu%u has no APIC id\n", cpu);
		return -EINVAL;
	}
	if (!x2apic_mode && apicid > 0xfe) {
		pr_info_ratelimited("cpu%u: APIC id %u cannot be targeted in xAPIC mode\n",
				    cpu, apicid);
		return -EINVAL;
	}
	/* instances start in real mode through INIT/SIPI */
	if (apic->wakeup_secondary_cpu || apic->wakeup_secondary_cpu_64) {
		pr_info_ratelimited("cpu%u: the %s APIC driver wakes CPUs by other means than INIT/SIPI\n",
				    cpu, apic->name);
		return -EINVAL;
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * x86 host side of multikernel, starting and stopping an instance: the
 * boot information the spawned kernel finds in its setup_data chain, the
 * page tables and the real-mode trampoline (multikernel_trampoline.S) its
 * first CPU starts in, the INIT/SIPI sequence of smpboot that starts it,
 * and the INIT/SIPI that parks its CPUs again when it stops.
 *
 * Taking CPUs back is verified: after INIT each CPU gets a STARTUP IPI
 * into the parking stub (multikernel_park.S), a host-owned page in low
 * memory where it acknowledges with its APIC id and halts with interrupts
 * off.  A CPU that does not acknowledge in time is reported to the caller,
 * which keeps it and the instance's memory out of use.
 *
 * With CONFIG_MULTIKERNEL_TEST_ABI, debugfs multikernel/boot_info_layout
 * makes the following starts write an older, an incompatible or a short
 * boot information layout, to test how a spawned kernel copes, and
 * multikernel/park_noack makes the CPUs it lists not acknowledge parking.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/build_bug.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/kexec.h>
#include <linux/minmax.h>
#include <linux/multikernel.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/sizes.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <asm/apic.h>
#include <asm/bootparam.h>
#include <asm/pgtable_types.h>
#include <asm/tsc.h>

/* The boot information is the data of the setup_data entry. */
static_assert(MULTIKERNEL_SETUP_DATA_OFFSET == MULTIKERNEL_BOOT_HDR_OFFSET);
static_assert(MULTIKERNEL_SETUP_DATA_OFFSET + sizeof(struct setup_data) ==
	      MULTIKERNEL_INFO_OFFSET);

/* How long a start waits for the CPU to leave the trampoline. */
#define MK_HANDOFF_TIMEOUT_MS	5000

/* Pages after the trampoline in low slot 0: the fixed map of the first 2M */
#define MK_LOW_PT_PAGES		3

/*
 * The parking stub (multikernel_park.S) and its mute copy for the fault
 * knob: the pages after those tables in low slot 0 (64K), never freed.
 */
#define MK_PARK_PAGE		(1 + MK_LOW_PT_PAGES)
#define MK_PARK_MUTE_PAGE	(MK_PARK_PAGE + 1)
#define MK_PARK_VECTORS		256

/* How long a stop waits for every CPU to acknowledge from the stub. */
#define MK_PARK_TIMEOUT_MS	2000

/* One trampoline for all instances: one start at a time. */
static DEFINE_MUTEX(mk_start_lock);
/* One parking stub for all instances: one stop at a time. */
static DEFINE_MUTEX(mk_park_lock);

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

/*
 * Page tables in the shared area that map the first 2 MiB (the
 * trampoline) and the instance's memory.
 */
static int mk_build_tables(struct mk_instance *inst, phys_addr_t *cr3)
{
	struct mk_pt pt = {
		.va = phys_to_virt(inst->base) + MULTIKERNEL_PT_OFFSET,
		.pa = inst->base + MULTIKERNEL_PT_OFFSET,
		.max = MULTIKERNEL_PT_PAGES,
	};
	u64 *pml4 = mk_pt_next(&pt, cr3);
	int ret;

	ret = mk_pt_map(&pt, pml4, 0, SZ_2M);
	if (!ret)
		ret = mk_pt_map(&pt, pml4, inst->base, inst->base + inst->size);
	return ret;
}

/*
 * The fixed identity map of the first 2 MiB, after the trampoline page;
 * built at the first start (under mk_start_lock).
 */
static phys_addr_t mk_low_tables(phys_addr_t low)
{
	static bool ready;
	struct mk_pt pt = {
		.va = phys_to_virt(low) + PAGE_SIZE,
		.pa = low + PAGE_SIZE,
		.max = MK_LOW_PT_PAGES,
	};
	phys_addr_t cr3;
	u64 *pml4;

	if (!ready) {
		pml4 = mk_pt_next(&pt, &cr3);
		mk_pt_map(&pt, pml4, 0, SZ_2M);
		ready = true;
	}
	return pt.pa;
}

/*
 * Put a CPU of an instance into wait-for-SIPI.  An IPI still in flight
 * from this CPU (a doorbell) must not swallow the INIT.
 */
static void mk_cpu_reset(u32 apicid)
{
	/* not a lent CPU: in xAPIC mode BAD_APICID would be a broadcast */
	if (WARN_ON_ONCE(apicid == BAD_APICID))
		return;
	preempt_disable();
	apic_wait_icr_idle();
	/* the x2APIC ICR write is not ordered after earlier stores */
	if (x2apic_mode)
		weak_wrmsr_fence();
	send_init_sequence(apicid);
	preempt_enable();
}

/* INIT, STARTUP, STARTUP into the trampoline at @tr, as smpboot does. */
static int mk_cpu_wakeup(u32 apicid, phys_addr_t tr)
{
	int ret;

	if (WARN_ON_ONCE(apicid == BAD_APICID))
		return -EINVAL;
	preempt_disable();
	apic_wait_icr_idle();
	/* the trampoline and boot information are visible before the SIPI */
	if (x2apic_mode)
		weak_wrmsr_fence();
	ret = wakeup_secondary_cpu_via_init(apicid, tr);
	preempt_enable();
	return ret;
}

#ifdef CONFIG_MULTIKERNEL_TEST_ABI
/*
 * Test layouts: "v1" is what a host of layout version 1 writes,
 * "incompatible" claims a compatible version no kernel knows yet, "short"
 * claims the current version in fewer bytes than it has.
 */
enum mk_test_layout {
	MK_LAYOUT_CURRENT,
	MK_LAYOUT_V1,
	MK_LAYOUT_INCOMPATIBLE,
	MK_LAYOUT_SHORT,
};

static const char * const mk_layout_names[] = {
	[MK_LAYOUT_CURRENT]	 = "current",
	[MK_LAYOUT_V1]		 = "v1",
	[MK_LAYOUT_INCOMPATIBLE] = "incompatible",
	[MK_LAYOUT_SHORT]	 = "short",
};

static int mk_test_layout;

static ssize_t mk_layout_read(struct file *file, char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	char buf[16];
	int len;

	len = scnprintf(buf, sizeof(buf), "%s\n",
			mk_layout_names[READ_ONCE(mk_test_layout)]);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static ssize_t mk_layout_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	char buf[16];
	int i;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	i = sysfs_match_string(mk_layout_names, buf);
	if (i < 0)
		return i;
	WRITE_ONCE(mk_test_layout, i);
	pr_warn("testing: instances start with %s boot information from now on\n",
		mk_layout_names[i]);
	return count;
}

static const struct file_operations mk_layout_fops = {
	.read	= mk_layout_read,
	.write	= mk_layout_write,
	.llseek	= default_llseek,
};

/*
 * park_noack: the CPUs listed get their STARTUP IPI of a stop pointed at
 * the mute copy of the parking stub, which halts without acknowledging,
 * as a CPU that blocks INIT would not acknowledge.  Under mk_park_lock.
 */
static struct cpumask mk_park_noack_cpus;

static bool mk_park_noack(unsigned int cpu)
{
	return cpumask_test_cpu(cpu, &mk_park_noack_cpus);
}

static ssize_t mk_noack_read(struct file *file, char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	char buf[64];
	int len;

	mutex_lock(&mk_park_lock);
	len = scnprintf(buf, sizeof(buf), "%*pbl\n",
			cpumask_pr_args(&mk_park_noack_cpus));
	mutex_unlock(&mk_park_lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static ssize_t mk_noack_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	cpumask_var_t new;
	char buf[64];
	int ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (!zalloc_cpumask_var(&new, GFP_KERNEL))
		return -ENOMEM;
	ret = cpulist_parse(buf, new);
	if (!ret) {
		mutex_lock(&mk_park_lock);
		cpumask_copy(&mk_park_noack_cpus, new);
		mutex_unlock(&mk_park_lock);
		pr_warn("testing: cpus '%*pbl' do not acknowledge parking from now on\n",
			cpumask_pr_args(new));
	}
	free_cpumask_var(new);
	return ret ? -EINVAL : count;
}

static const struct file_operations mk_noack_fops = {
	.read	= mk_noack_read,
	.write	= mk_noack_write,
	.llseek	= default_llseek,
};

/* After late_initcall: the directory may exist already (bench.c). */
static int __init mk_test_abi_init(void)
{
	struct dentry *dir = debugfs_lookup("multikernel", NULL);
	bool found = dir;

	if (!found)
		dir = debugfs_create_dir("multikernel", NULL);
	debugfs_create_file("boot_info_layout", 0600, dir, NULL,
			    &mk_layout_fops);
	debugfs_create_file("park_noack", 0600, dir, NULL, &mk_noack_fops);
	if (found)
		dput(dir);
	return 0;
}
late_initcall_sync(mk_test_abi_init);

/* Version, compatible version and size of the next start's boot info */
static void mk_boot_layout(u16 *version, u16 *compat, u32 *size)
{
	*version = MULTIKERNEL_BOOT_VERSION;
	*compat = MULTIKERNEL_BOOT_COMPAT;
	*size = sizeof(struct multikernel_boot_info);
	switch (READ_ONCE(mk_test_layout)) {
	case MK_LAYOUT_V1:
		*version = 1;
		*compat = 1;
		*size = MULTIKERNEL_BOOT_INFO_SIZE_V1;
		break;
	case MK_LAYOUT_INCOMPATIBLE:
		*version = MULTIKERNEL_BOOT_VERSION + 1;
		*compat = MULTIKERNEL_BOOT_VERSION + 1;
		break;
	case MK_LAYOUT_SHORT:
		*size = multikernel_boot_info_size(MULTIKERNEL_BOOT_VERSION - 1);
		break;
	}
	if (*version != MULTIKERNEL_BOOT_VERSION ||
	    *compat != MULTIKERNEL_BOOT_COMPAT ||
	    *size != sizeof(struct multikernel_boot_info))
		pr_warn("testing: boot information version %u, compatible %u, %u bytes\n",
			*version, *compat, *size);
}
#else
static void mk_boot_layout(u16 *version, u16 *compat, u32 *size)
{
	*version = MULTIKERNEL_BOOT_VERSION;
	*compat = MULTIKERNEL_BOOT_COMPAT;
	*size = sizeof(struct multikernel_boot_info);
}

static bool mk_park_noack(unsigned int cpu)
{
	return false;
}
#endif

/*
 * The host CPUs a running instance may be given later, in the order of
 * their numbers: every other CPU the host could lend (not its boot CPU, nor
 * the instance's doorbell CPU), with an APIC id the instance can target,
 * as many as fit beside the instance's own.
 */
static unsigned int mk_hotplug_ids(struct mk_instance *inst, u32 *ids,
				   unsigned int max)
{
	unsigned int cpu, n = 0;

	for_each_possible_cpu(cpu) {
		u32 apicid = multikernel_cpu_apicid(cpu);

		if (n == max)
			break;
		/* x86 never takes cpu0 offline: it cannot be lent */
		if (!cpu || cpu == inst->doorbell_cpu ||
		    cpumask_test_cpu(cpu, inst->cpus))
			continue;
		/* a CPU lent to another instance has its record */
		if (apicid == BAD_APICID)
			apicid = per_cpu(x86_cpu_to_apicid, cpu);
		if (apicid == BAD_APICID || (!x2apic_mode && apicid > 0xfe))
			continue;
		ids[n++] = apicid;
	}
	return n;
}

void arch_multikernel_fill_info(struct mk_instance *inst)
{
	struct setup_data *sd = phys_to_virt(inst->base) +
				MULTIKERNEL_SETUP_DATA_OFFSET;
	struct multikernel_boot_info *info = inst->info;
	unsigned int cpu, n = 0;
	u16 version, compat;
	u32 size;

	mk_boot_layout(&version, &compat, &size);
	memset(info, 0, sizeof(*info));
	info->magic = MULTIKERNEL_BOOT_MAGIC;
	info->version = version;
	info->compat_version = compat;
	info->size = size;
	/* version 1 */
	info->instance_id = inst->id;
	info->tsc_khz = tsc_khz;
	info->cpu_khz = cpu_khz;
	info->lapic_timer_period = lapic_timer_period;
	info->host_hz = HZ;
	info->uart_base = inst->uart;
	info->apic_ids[n++] = multikernel_cpu_apicid(inst->boot_cpu);
	for_each_cpu(cpu, inst->cpus) {
		if (cpu == inst->boot_cpu)
			continue;
		if (n == MULTIKERNEL_MAX_CPUS)
			break;
		info->apic_ids[n++] = multikernel_cpu_apicid(cpu);
	}
	info->nr_cpus = n;
	info->mem_base = inst->ram_base;
	info->mem_size = inst->ram_size;
	info->shared_base = inst->base;
	info->shared_size = MULTIKERNEL_SHARED_SIZE;
	info->guest_state = MK_GUEST_BOOTING;
	info->host_request = MK_HOST_REQ_NONE;
	/* version 2 */
	if (size >= MULTIKERNEL_BOOT_INFO_SIZE_V2)
		info->host_apicid = per_cpu(x86_cpu_to_apicid,
					    inst->doorbell_cpu);
	/* version 3 */
	if (size >= MULTIKERNEL_BOOT_INFO_SIZE_V3)
		info->nr_hotplug_cpus = mk_hotplug_ids(inst,
						       info->hotplug_apic_ids,
						       MULTIKERNEL_MAX_CPUS - n);

	sd->next = 0;
	sd->type = SETUP_MULTIKERNEL;
	sd->len = size;
}

/* Copy the trampoline to low slot 0 and fill in its parameters. */
static void mk_setup_trampoline(struct mk_instance *inst, phys_addr_t tr,
				phys_addr_t cr3)
{
	const u32 *off = mk_trampoline_offsets;
	u8 *page = phys_to_virt(tr);
	phys_addr_t stack;

	memcpy(page, mk_trampoline_start,
	       mk_trampoline_end - mk_trampoline_start);
	*(u32 *)(page + off[TR_GDT_DESC] + 2) = tr + off[TR_GDT];
	*(u32 *)(page + off[TR_PM_PTR]) = tr + off[TR_PM];
	*(u32 *)(page + off[TR_LM_PTR]) = tr + off[TR_LM];
	*(u64 *)(page + off[TR_CR3_LOW]) = mk_low_tables(tr);
	*(u64 *)(page + off[TR_CR3]) = cr3;
	/*
	 * Initial stack at the top of the shared area, with a zero "return
	 * address" on it (kexec purgatory reads one as its jump-back entry).
	 */
	stack = inst->base + MULTIKERNEL_STACK_TOP;
	memset(phys_to_virt(stack), 0,
	       MULTIKERNEL_SHARED_SIZE - MULTIKERNEL_STACK_TOP);
	*(u64 *)(page + off[TR_STACK]) = stack;
	*(u64 *)(page + off[TR_BOOT_PARAMS]) = inst->boot_params;
	*(u64 *)(page + off[TR_ENTRY]) = inst->entry;
	WRITE_ONCE(*(u32 *)(page + off[TR_HANDOFF]), 0);
	/* the trampoline must be complete before the CPU can fetch it */
	wmb();
}

int arch_multikernel_start(struct mk_instance *inst)
{
	u32 apicid = multikernel_cpu_apicid(inst->boot_cpu);
	phys_addr_t tr = multikernel_low_base(), cr3;
	u32 *handoff;
	unsigned long deadline;
	int ret;

	if (!tr || !inst->image)
		return -ENOEXEC;
	ret = mk_build_tables(inst, &cr3);
	if (ret) {
		pr_info_ratelimited("instance %u: memory too large for the start page tables\n",
				    inst->id);
		return ret;
	}

	mutex_lock(&mk_start_lock);
	mk_setup_trampoline(inst, tr, cr3);
	handoff = phys_to_virt(tr) + mk_trampoline_offsets[TR_HANDOFF];

	if (mk_cpu_wakeup(apicid, tr)) {
		mk_cpu_reset(apicid);
		ret = -EIO;
		goto out;
	}

	deadline = jiffies + msecs_to_jiffies(MK_HANDOFF_TIMEOUT_MS);
	while (!READ_ONCE(*handoff)) {
		if (time_after(jiffies, deadline)) {
			mk_cpu_reset(apicid);
			ret = -ETIMEDOUT;
			goto out;
		}
		usleep_range(200, 1000);
	}
out:
	mutex_unlock(&mk_start_lock);
	return ret;
}

/* ---- taking CPUs back: INIT, then STARTUP into the parking stub ---- */

static phys_addr_t mk_park_page(bool mute)
{
	return multikernel_low_base() +
	       (mute ? MK_PARK_MUTE_PAGE : MK_PARK_PAGE) * PAGE_SIZE;
}

/* Number of acknowledgment slots: they run to the end of the stub. */
static unsigned int mk_park_nr_acks(void)
{
	return (mk_park_end - mk_park_start - mk_park_offsets[PARK_ACKS]) /
	       sizeof(u32);
}

/* Copy the stub to @pa once; its interrupt table points at its halt loop. */
static void mk_park_install(phys_addr_t pa, bool mute)
{
	const u32 *off = mk_park_offsets;
	u8 *page = phys_to_virt(pa);
	u32 *ivt = (u32 *)(page + off[PARK_IVT]);
	int i;

	memcpy(page, mk_park_start, mk_park_end - mk_park_start);
	*(u32 *)(page + off[PARK_IDT_DESC] + 2) = pa + off[PARK_IVT];
	/* real-mode vectors are segment:offset, the segment in the high half */
	for (i = 0; i < MK_PARK_VECTORS; i++)
		ivt[i] = (u32)(pa >> 4) << 16 | off[PARK_TRAP];
	page[off[PARK_MUTE]] = mute;
}

/* Empty the acknowledgment slots of the stub.  With mk_park_lock held. */
static u32 *mk_park_prepare(void)
{
	static bool installed;
	u8 *page = phys_to_virt(mk_park_page(false));
	u32 *acks = (u32 *)(page + mk_park_offsets[PARK_ACKS]);

	if (!installed) {
		mk_park_install(mk_park_page(false), false);
		mk_park_install(mk_park_page(true), true);
		installed = true;
	}
	WRITE_ONCE(*(u32 *)(page + mk_park_offsets[PARK_COUNT]), 0);
	memset(acks, 0xff, mk_park_nr_acks() * sizeof(u32));
	/* the empty slots must be in memory before a CPU can write one */
	wmb();
	return acks;
}

static bool mk_park_acked(const u32 *acks, u32 apicid)
{
	unsigned int i;

	for (i = 0; i < mk_park_nr_acks(); i++)
		if (READ_ONCE(acks[i]) == apicid)
			return true;
	return false;
}

static u32 mk_cpu_apicid(struct mk_instance *inst, unsigned int cpu)
{
	return multikernel_cpu_apicid(cpu);
}

int arch_multikernel_stop_cpus(struct mk_instance *inst,
			       struct cpumask *unparked)
{
	unsigned long deadline;
	unsigned int cpu;
	u32 *acks;

	cpumask_copy(unparked, inst->cpus);
	/* the stub and its acknowledgment slots fit in their page */
	if (WARN_ON_ONCE(!multikernel_low_base() ||
			 mk_park_end - mk_park_start > PAGE_SIZE)) {
		for_each_cpu(cpu, inst->cpus)
			mk_cpu_reset(mk_cpu_apicid(inst, cpu));
		return -ENODEV;
	}

	mutex_lock(&mk_park_lock);
	acks = mk_park_prepare();
	for_each_cpu(cpu, inst->cpus) {
		u32 apicid = mk_cpu_apicid(inst, cpu);

		/* never a broadcast: such a CPU stays unacknowledged */
		if (apicid == BAD_APICID) {
			pr_err("instance %u: cpu%u has no APIC id\n", inst->id,
			       cpu);
			continue;
		}
		/* a failed send leaves the CPU without acknowledgment */
		if (mk_cpu_wakeup(apicid, mk_park_page(mk_park_noack(cpu))))
			pr_err("instance %u: cpu%u (APIC id %u): INIT/STARTUP not accepted\n",
			       inst->id, cpu, apicid);
	}
	deadline = jiffies + msecs_to_jiffies(MK_PARK_TIMEOUT_MS);
	for (;;) {
		for_each_cpu(cpu, unparked)
			if (mk_cpu_apicid(inst, cpu) != BAD_APICID &&
			    mk_park_acked(acks, mk_cpu_apicid(inst, cpu)))
				cpumask_clear_cpu(cpu, unparked);
		if (cpumask_empty(unparked) || time_after(jiffies, deadline))
			break;
		usleep_range(200, 1000);
	}
	mutex_unlock(&mk_park_lock);

	for_each_cpu(cpu, inst->cpus) {
		u32 apicid = mk_cpu_apicid(inst, cpu);

		if (cpumask_test_cpu(cpu, unparked))
			pr_err("instance %u: cpu%u (APIC id %u) did not acknowledge parking within %u ms\n",
			       inst->id, cpu, apicid, MK_PARK_TIMEOUT_MS);
		else
			pr_info("instance %u: cpu%u (APIC id %u) parked, acknowledged\n",
				inst->id, cpu, apicid);
	}
	return cpumask_empty(unparked) ? 0 : -ETIMEDOUT;
}

int arch_multikernel_park_cpu(struct mk_instance *inst, unsigned int cpu)
{
	u32 apicid = multikernel_cpu_apicid(cpu);
	unsigned long deadline;
	bool acked;
	u32 *acks;

	if (apicid == BAD_APICID || !multikernel_low_base() ||
	    WARN_ON_ONCE(mk_park_end - mk_park_start > PAGE_SIZE))
		return -ENODEV;

	mutex_lock(&mk_park_lock);
	acks = mk_park_prepare();
	if (mk_cpu_wakeup(apicid, mk_park_page(mk_park_noack(cpu))))
		pr_err("instance %u: cpu%u (APIC id %u): INIT/STARTUP not accepted\n",
		       inst->id, cpu, apicid);
	deadline = jiffies + msecs_to_jiffies(MK_PARK_TIMEOUT_MS);
	while (!(acked = mk_park_acked(acks, apicid)) &&
	       !time_after(jiffies, deadline))
		usleep_range(200, 1000);
	mutex_unlock(&mk_park_lock);

	if (!acked) {
		pr_err("instance %u: cpu%u (APIC id %u) did not acknowledge parking within %u ms\n",
		       inst->id, cpu, apicid, MK_PARK_TIMEOUT_MS);
		return -ETIMEDOUT;
	}
	pr_info("instance %u: cpu%u (APIC id %u) parked, acknowledged\n",
		inst->id, cpu, apicid);
	return 0;
}

u32 arch_multikernel_cpu_hwid(unsigned int cpu)
{
	return multikernel_cpu_apicid(cpu);
}

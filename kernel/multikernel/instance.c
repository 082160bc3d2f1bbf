// SPDX-License-Identifier: GPL-2.0
/*
 * Multikernel instances: lifecycle, the state machine, CPU ownership.
 *
 * This file owns struct mk_instance from creation to release: its id and
 * slot, its CPUs (claimed from the host, which may not online them while
 * they are lent), its region of the boot pool, and every transition of its
 * state.  It leaves the user interface to configfs.c and proc.c, image
 * loading to load.c (kexec's own machinery), the channel services to
 * host.c, and starting and stopping CPUs to the architecture.
 *
 * Locking:
 *  - mk_list_lock protects mk_slots[] (which instances exist, their ids).
 *  - inst->lock serialises configuration and transitions of one instance.
 *    It is never held across a wait for the spawned kernel, file reads or
 *    user copies: a CPU hand-over in progress is marked by inst->busy, a
 *    graceful stop waiting for the spawn by the state stopping.
 *  - inst->state_lock protects inst->state; channel handlers and the health
 *    check change the state under it alone, without inst->lock.
 *  - mk_cpus_lock and the CPU hotplug lock (written) protect mk_owned_cpus
 *    and the present mask of lent CPUs, so the hotplug callback that
 *    refuses owned CPUs sees a stable mask; device_hotplug_lock protects
 *    mk_hidden_cpus and the CPU devices' offline_disabled.
 * Lifetime: the configfs item's reference count; load syscalls hold a
 * reference (mk_instance_get()) for the duration of a load.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/bitmap.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/ioport.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>

#include "internal.h"

/* protects mk_slots[] */
DEFINE_MUTEX(mk_list_lock);
struct mk_instance *mk_slots[MULTIKERNEL_MAX_INSTANCES];

/* with the CPU hotplug lock write-held: protects mk_owned_cpus */
static DEFINE_MUTEX(mk_cpus_lock);
static struct cpumask mk_owned_cpus;
/*
 * CPUs that did not acknowledge parking: owned for good (they stay in
 * mk_owned_cpus), under the same locks.  mk_quarantine_lock protects the
 * quarantined slots and the memory they keep.
 */
static struct cpumask mk_quarantined_cpus;
static DEFINE_SPINLOCK(mk_quarantine_lock);
static DECLARE_BITMAP(mk_quarantined_slots, MULTIKERNEL_MAX_INSTANCES);
static struct {
	u32		id;
	phys_addr_t	base;
	size_t		size;
} mk_quarantined_mem[MULTIKERNEL_MAX_INSTANCES];
/* started instances whose doorbells interrupt this CPU: it is never lent */
static DEFINE_PER_CPU(atomic_t, mk_doorbell_users);
static DECLARE_WAIT_QUEUE_HEAD(mk_stop_wq);

/* How often a graceful stop looks whether the spawned kernel halted. */
#define MK_STOP_POLL_MS		20

/*
 * How long the host waits for a running spawned kernel to bring a CPU up
 * or take it down: longer than its own wait for a CPU to come up (10 s).
 */
#define MK_CPU_REQ_TIMEOUT_MS	15000

static const char * const mk_state_names[MK_ST_NR] = {
	[MK_ST_EMPTY]		= "empty",
	[MK_ST_LOADED]		= "loaded",
	[MK_ST_STARTING]	= "starting",
	[MK_ST_BOOTED]		= "booted",
	[MK_ST_RUNNING]		= "running",
	[MK_ST_UNRESPONSIVE]	= "unresponsive",
	[MK_ST_HALTED]		= "halted",
	[MK_ST_CRASHED]		= "crashed",
	[MK_ST_STOPPING]	= "stopping",
	[MK_ST_STOPPED]		= "stopped",
	[MK_ST_QUARANTINED]	= "quarantined",
};

#define B(s)	BIT(MK_ST_##s)
#define MK_ST_LIVE	(B(STARTING) | B(BOOTED) | B(RUNNING) | B(UNRESPONSIVE) | \
			 B(HALTED) | B(CRASHED))

/* The transitions mk_set_state() allows: mk_next[from] has bit "to". */
static const u16 mk_next[MK_ST_NR] = {
	[MK_ST_EMPTY]		= B(EMPTY) | B(LOADED),
	[MK_ST_LOADED]		= B(EMPTY) | B(STARTING),
	[MK_ST_STARTING]	= B(LOADED) | B(STOPPED) | B(BOOTED) | B(RUNNING) |
				  B(HALTED) | B(CRASHED) | B(STOPPING),
	[MK_ST_BOOTED]		= B(RUNNING) | B(HALTED) | B(CRASHED) | B(STOPPING),
	[MK_ST_RUNNING]		= B(UNRESPONSIVE) | B(HALTED) | B(CRASHED) |
				  B(STOPPING),
	[MK_ST_UNRESPONSIVE]	= B(RUNNING) | B(HALTED) | B(CRASHED) | B(STOPPING),
	[MK_ST_HALTED]		= B(CRASHED) | B(STOPPING),
	[MK_ST_CRASHED]		= B(STOPPING),
	[MK_ST_STOPPING]	= B(STOPPED) | B(QUARANTINED),
	[MK_ST_STOPPED]		= B(EMPTY) | B(STARTING),
	[MK_ST_QUARANTINED]	= 0,
};

/**
 * mk_state_name - the word user space sees for a state
 * @state: an enum mk_state value
 *
 * Return: a static string.
 */
const char *mk_state_name(enum mk_state state)
{
	return state < MK_ST_NR ? mk_state_names[state] : "invalid";
}

/**
 * mk_started - does this state mean the instance owns running CPUs
 * @state: an enum mk_state value
 *
 * Return: true from starting up to and including stopping.
 */
bool mk_started(enum mk_state state)
{
	return (MK_ST_LIVE | B(STOPPING)) & BIT(state);
}

/*
 * Time @mark of the current start, the first time it is reached.  With
 * inst->state_lock held.
 */
static void mk_start_mark(struct mk_instance *inst, enum mk_start_mark mark)
{
	s64 us = ktime_us_delta(ktime_get(), inst->start_ktime);

	if (!inst->start_us[mark])
		inst->start_us[mark] = max_t(s64, 1, us);
}

/**
 * mk_set_state - the one place an instance changes state
 * @inst:	instance
 * @to:		new state
 *
 * Entering crashed or halted lets the restart policy act (restart.c).
 *
 * Return: true if @to is reachable from the current state and was set;
 * false leaves the state alone (for example a late heartbeat while a stop
 * is in progress).
 */
bool mk_set_state(struct mk_instance *inst, enum mk_state to)
{
	unsigned int epoch = 0;
	bool ok;

	spin_lock(&inst->state_lock);
	ok = mk_next[inst->state] & BIT(to);
	if (ok) {
		bool was = mk_started(inst->state), now = mk_started(to);

		/* doorbell_cpu cannot change while started (inst->lock) */
		if (was != now)
			atomic_add(now ? 1 : -1,
				   per_cpu_ptr(&mk_doorbell_users,
					       inst->doorbell_cpu));
		WRITE_ONCE(inst->state, to);
		if (to == MK_ST_STARTING)
			inst->epoch++;
		epoch = inst->epoch;
		if (to == MK_ST_BOOTED)
			mk_start_mark(inst, MK_START_BOOTED);
		else if (to == MK_ST_RUNNING)
			mk_start_mark(inst, MK_START_RUNNING);
	}
	spin_unlock(&inst->state_lock);
	if (ok && (to == MK_ST_CRASHED || to == MK_ST_HALTED))
		mk_restart_event(inst, to, epoch);
	return ok;
}

/* A quarantined instance refuses all but rmdir.  With inst->lock held. */
static bool mk_refuse_quarantined(struct mk_instance *inst)
{
	if (READ_ONCE(inst->state) != MK_ST_QUARANTINED)
		return false;
	mk_inst_info(inst, "quarantined until reboot: cpus %*pbl did not acknowledge parking\n",
		     cpumask_pr_args(inst->unparked));
	return true;
}

/* ---- CPU ownership ---- */

/*
 * A lent CPU is not the host's.  It leaves cpu_present_mask, so cpu_up()
 * refuses it and hotplug tools (which online what is present) skip it, and
 * its device is made offline-disabled, which takes its "online" attribute
 * away and makes hot-removal (an ACPI eject offlines the device first)
 * fail with -EPERM: the CPU cannot be ejected under a running kernel.  The
 * device itself stays registered.  The architecture caches how to reach
 * the CPU when it is lent (arch_multikernel_cpu_lent()).
 *
 * Lock order: mk_cpus_lock, device_hotplug_lock, cpu_add_remove_lock, the
 * CPU hotplug lock (written: the present mask changes, as in ACPI CPU
 * hot-add and removal), and the device lock once the CPU hotplug locks
 * are dropped.
 */
static struct cpumask mk_hidden_cpus;	/* owned, "online" attribute removed */

static void mk_cpu_lend(unsigned int cpu)
{
	cpumask_set_cpu(cpu, &mk_owned_cpus);
	set_cpu_present(cpu, false);
	arch_multikernel_cpu_lent(cpu, true);
}

static void mk_cpu_give_back(unsigned int cpu)
{
	arch_multikernel_cpu_lent(cpu, false);
	set_cpu_present(cpu, true);
	cpumask_clear_cpu(cpu, &mk_owned_cpus);
}

/* Make the CPU devices match mk_owned_cpus.  With device_hotplug_lock. */
static void mk_sync_cpu_devices(void)
{
	struct device *dev;
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		bool owned = cpumask_test_cpu(cpu, &mk_owned_cpus);

		if (owned == cpumask_test_cpu(cpu, &mk_hidden_cpus))
			continue;
		dev = get_cpu_device(cpu);
		if (!dev)
			continue;
		if (owned) {
			/* a CPU that never had the attribute keeps its state */
			if (dev->offline_disabled)
				continue;
			device_set_offline_disabled(dev, true);
			cpumask_set_cpu(cpu, &mk_hidden_cpus);
		} else {
			if (device_set_offline_disabled(dev, false))
				pr_warn("cpu%u: its online attribute could not be restored\n",
					cpu);
			cpumask_clear_cpu(cpu, &mk_hidden_cpus);
		}
	}
}

/* Return: whether any CPU was lent before */
static bool mk_cpus_lock_all(void)
{
	mutex_lock(&mk_cpus_lock);
	lock_device_hotplug();
	cpu_maps_update_begin();
	cpus_write_lock();
	return !cpumask_empty(&mk_owned_cpus);
}

static void mk_cpus_unlock_all(bool was_lending)
{
	bool lending = !cpumask_empty(&mk_owned_cpus);

	cpus_write_unlock();
	cpu_maps_update_done();
	mk_sync_cpu_devices();
	unlock_device_hotplug();
	/* the first CPU lent, the last one back: calls balance */
	if (lending != was_lending)
		arch_multikernel_lend_cpus(lending);
	mutex_unlock(&mk_cpus_lock);
}

/* Can @cpu be lent?  With the locks of mk_cpus_lock_all(). */
static int mk_cpu_lendable(struct mk_instance *inst, unsigned int cpu)
{
	if (cpumask_test_cpu(cpu, &mk_quarantined_cpus)) {
		mk_inst_info(inst,
			     "cpu%u did not acknowledge parking at a stop; unusable until reboot\n",
			     cpu);
		return -EBUSY;
	}
	if (cpu_online(cpu)) {
		mk_inst_info(inst, "cpu%u is online; take it offline first\n", cpu);
		return -EBUSY;
	}
	if (atomic_read(per_cpu_ptr(&mk_doorbell_users, cpu))) {
		mk_inst_info(inst, "cpu%u takes a started instance's doorbells\n",
			     cpu);
		return -EBUSY;
	}
	if (cpumask_test_cpu(cpu, &mk_owned_cpus)) {
		mk_inst_info(inst, "cpu%u belongs to another instance\n", cpu);
		return -EBUSY;
	}
	/* hot-removed since mk_instance_set_cpus() looked */
	if (!cpu_present(cpu) || !get_cpu_device(cpu)) {
		mk_inst_info(inst, "cpu%u does not exist\n", cpu);
		return -EINVAL;
	}
	return arch_multikernel_cpu_ok(cpu);
}

/*
 * Make @new the CPUs @inst owns.  Every CPU must be offline, present and
 * not owned by another instance.  Called with inst->lock held.
 */
static int mk_own_cpus(struct mk_instance *inst, const struct cpumask *new)
{
	bool mine = inst->owns_cpus, was_lending;
	unsigned int cpu;
	int ret = 0;

	was_lending = mk_cpus_lock_all();
	for_each_cpu(cpu, new) {
		if (mine && cpumask_test_cpu(cpu, inst->cpus))
			continue;
		ret = mk_cpu_lendable(inst, cpu);
		if (ret)
			break;
	}
	if (!ret) {
		if (mine)
			for_each_cpu(cpu, inst->cpus)
				if (!cpumask_test_cpu(cpu, new))
					mk_cpu_give_back(cpu);
		/* the ones still owned now are this instance's */
		for_each_cpu(cpu, new)
			if (!cpumask_test_cpu(cpu, &mk_owned_cpus))
				mk_cpu_lend(cpu);
		cpumask_copy(inst->cpus, new);
		inst->owns_cpus = !cpumask_empty(new);
	}
	mk_cpus_unlock_all(was_lending);
	return ret;
}

static int mk_claim_cpus(struct mk_instance *inst)
{
	return inst->owns_cpus ? 0 : mk_own_cpus(inst, inst->cpus);
}

static void mk_release_cpus(struct mk_instance *inst)
{
	unsigned int cpu;
	bool was_lending;

	if (!inst->owns_cpus)
		return;
	was_lending = mk_cpus_lock_all();
	for_each_cpu(cpu, inst->cpus)
		/* they may still run the spawned kernel: never the host's again */
		if (!cpumask_test_cpu(cpu, &mk_quarantined_cpus))
			mk_cpu_give_back(cpu);
	inst->owns_cpus = false;
	mk_cpus_unlock_all(was_lending);
}

/*
 * CPU hotplug: an owned CPU runs another kernel and must not be onlined.
 * It is not present, so cpu_up() refuses it before this callback; should
 * anything mark it present again, it still does not come up.
 */
static int mk_cpu_prepare(unsigned int cpu)
{
	if (cpumask_test_cpu(cpu, &mk_quarantined_cpus)) {
		pr_info_ratelimited("cpu%u did not acknowledge parking at a stop; unusable until reboot\n",
				    cpu);
		return -EBUSY;
	}
	if (!cpumask_test_cpu(cpu, &mk_owned_cpus))
		return 0;
	pr_info_ratelimited("cpu%u is owned by a multikernel instance; stop it first\n",
			    cpu);
	return -EBUSY;
}

/**
 * mk_hotplug_init - refuse to online CPUs lent to instances
 *
 * Return: 0 or a negative errno.
 */
int __init mk_hotplug_init(void)
{
	int ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN,
					    "multikernel:prepare",
					    mk_cpu_prepare, NULL);

	return ret < 0 ? ret : 0;
}

/* ---- configuration ---- */

static int mk_resize_cpus(struct mk_instance *inst,
			  const struct cpumask *new);

/**
 * mk_instance_set_cpus - assign CPUs, claiming them from the host at once
 * @inst:	instance, not started or running
 * @list:	cpulist; empty releases the CPUs
 *
 * A running instance's spawned kernel is asked to bring up the CPUs added
 * and to take down those removed; see mk_resize_cpus().
 *
 * Return: 0 or -EINVAL, -E2BIG, -EBUSY with the reason logged; for a
 * running instance also the errors of mk_resize_cpus().
 */
int mk_instance_set_cpus(struct mk_instance *inst, const char *list)
{
	cpumask_var_t new;
	unsigned int cpu;
	int ret;

	if (!zalloc_cpumask_var(&new, GFP_KERNEL))
		return -ENOMEM;
	ret = cpulist_parse(list, new);
	if (ret) {
		/* ERANGE for a CPU beyond nr_cpumask_bits: still no such CPU */
		mk_inst_info(inst, "bad CPU list '%s'\n", list);
		ret = -EINVAL;
		goto out;
	}
	if (cpumask_weight(new) > MULTIKERNEL_MAX_CPUS) {
		mk_inst_info(inst, "at most %d CPUs per instance\n",
			     MULTIKERNEL_MAX_CPUS);
		ret = -E2BIG;
		goto out;
	}
	for_each_cpu(cpu, new) {
		/* a lent CPU is not present; mk_own_cpus() decides */
		if (!cpu_present(cpu) &&
		    !cpumask_test_cpu(cpu, &mk_owned_cpus)) {
			mk_inst_info(inst, "cpu%u does not exist\n", cpu);
			ret = -EINVAL;
			goto out;
		}
		ret = arch_multikernel_cpu_ok(cpu);
		if (ret)
			goto out;
	}

	mutex_lock(&inst->lock);
	if (mk_refuse_quarantined(inst)) {
		ret = -EBUSY;
	} else if (inst->busy) {
		mk_inst_info(inst, "a %s is in progress; try again\n",
			     inst->resizing ? "CPU change" : "start");
		ret = -EBUSY;
	} else if (READ_ONCE(inst->state) == MK_ST_RUNNING) {
		ret = mk_resize_cpus(inst, new);
	} else if (mk_started(READ_ONCE(inst->state))) {
		mk_inst_info(inst, "%s; its CPUs change only while it runs or is not started\n",
			     mk_state_name(READ_ONCE(inst->state)));
		ret = -EBUSY;
	} else {
		ret = mk_own_cpus(inst, new);
		if (!ret && !cpumask_empty(new))
			inst->boot_cpu = cpumask_first(new);
	}
	mutex_unlock(&inst->lock);
out:
	free_cpumask_var(new);
	return ret;
}

/**
 * mk_instance_set_memory - give the instance a region of memory
 * @inst:	instance without a loaded image
 * @spec:	"SIZE" or "SIZE@ADDR" (ADDR: start of the region, 2 MiB
 *		aligned); "0" gives the memory back
 *
 * The region starts with the host-owned shared area of
 * MULTIKERNEL_SHARED_SIZE bytes; the spawned kernel's RAM follows it.
 * It comes from the boot pool, or without one from the running host
 * (mk_pool_realloc()).
 *
 * Return: 0 or -EINVAL, -ENOSPC, -ENOMEM (no contiguous run-time memory),
 * -EBUSY with the reason logged.
 */
int mk_instance_set_memory(struct mk_instance *inst, const char *spec)
{
	unsigned long long size, want = 0;
	const char *num = spec;
	phys_addr_t base;
	char *end;
	int ret;

	size = memparse(num, &end);
	if (end != num && *end == '@') {
		num = end + 1;
		want = memparse(num, &end);
	}
	if (*end || end == num) {
		mk_inst_info(inst, "memory must be SIZE or SIZE@ADDR, not '%s'\n",
			     spec);
		return -EINVAL;
	}
	if (size && size < MK_MEM_MIN) {
		mk_inst_info(inst, "memory must be at least %luM\n",
			     MK_MEM_MIN >> 20);
		return -EINVAL;
	}
	if (!mk_pool_runtime() && size > mk_pool_size()) {
		mk_inst_info(inst, "the pool holds only %zuM\n",
			     mk_pool_size() >> 20);
		return -ENOSPC;
	}
	if (!IS_ALIGNED(want, SZ_2M)) {
		mk_inst_info(inst, "the address must be 2M aligned\n");
		return -EINVAL;
	}
	size = ALIGN(size, SZ_2M);

	mutex_lock(&inst->lock);
	if (mk_refuse_quarantined(inst)) {
		ret = -EBUSY;
		goto out;
	}
	if (inst->loading || READ_ONCE(inst->state) != MK_ST_EMPTY) {
		mk_inst_info(inst, "%s; unload it before changing its memory\n",
			     mk_state_name(READ_ONCE(inst->state)));
		ret = -EBUSY;
		goto out;
	}
	ret = mk_pool_realloc(inst->slot, size, want, &base);
	if (ret) {
		mk_inst_info(inst, "no free %lluM%s %s\n", size >> 20,
			     want ? " at that address" : "",
			     mk_pool_runtime() ? "in the host's memory" :
						 "in the pool");
		goto out;
	}
	inst->base = base;
	inst->size = size;
	inst->ram_base = size ? base + MULTIKERNEL_SHARED_SIZE : 0;
	inst->ram_size = size ? size - MULTIKERNEL_SHARED_SIZE : 0;
	inst->info = size ? phys_to_virt(base) + MULTIKERNEL_INFO_OFFSET : NULL;
out:
	mutex_unlock(&inst->lock);
	return ret;
}

/* A 16550's registers: eight I/O ports from its base. */
#define MK_UART_PORTS		8

/* Give the host back the UART lent to @inst.  With inst->lock held. */
static void mk_uart_release(struct mk_instance *inst)
{
	if (inst->uart)
		release_region(inst->uart, MK_UART_PORTS);
	inst->uart = 0;
}

/**
 * mk_instance_set_uart - hand a 16550 UART's I/O port to the instance
 * @inst:	instance, not started
 * @spec:	port number; "", "0" or "none" for no UART
 *
 * The UART's ports are requested on the host (request_region()) for as
 * long as the instance has it, so that no host driver can bind it; a new
 * port or none gives the old one back, and so does rmdir.
 *
 * Return: 0, -EINVAL, or -EBUSY while started or when a host driver or
 * another instance has the port.
 */
int mk_instance_set_uart(struct mk_instance *inst, const char *spec)
{
	u16 port = 0;
	int ret = 0;

	if ((*spec && strcmp(spec, "none") && kstrtou16(spec, 0, &port)) ||
	    port > U16_MAX - MK_UART_PORTS + 1) {
		mk_inst_info(inst, "bad UART port '%s'\n", spec);
		return -EINVAL;
	}
	mutex_lock(&inst->lock);
	if (mk_started(READ_ONCE(inst->state))) {
		mk_inst_info(inst, "started; stop it before changing its UART\n");
		ret = -EBUSY;
	} else if (port != inst->uart) {
		if (port && !request_region(port, MK_UART_PORTS,
					    "multikernel instance")) {
			mk_inst_info(inst, "UART ports %#x-%#x are in use (see /proc/ioports)\n",
				     port, port + MK_UART_PORTS - 1);
			ret = -EBUSY;
		} else {
			mk_uart_release(inst);
			inst->uart = port;
		}
	}
	mutex_unlock(&inst->lock);
	return ret;
}

/**
 * mk_instance_set_doorbell_cpu - choose the host CPU doorbells interrupt
 * @inst:	instance, not started
 * @spec:	decimal CPU number of an online host CPU (a CPU lent to an
 *		instance never is online)
 *
 * Takes effect at the next start, which checks again that it is online.
 *
 * Return: 0, -EINVAL or -EBUSY.
 */
int mk_instance_set_doorbell_cpu(struct mk_instance *inst, const char *spec)
{
	unsigned int cpu;
	int ret = 0;

	if (kstrtouint(spec, 10, &cpu) || cpu >= nr_cpu_ids ||
	    !cpu_online(cpu)) {
		mk_inst_info(inst,
			     "doorbell_cpu must be an online host CPU, not '%s'\n",
			     spec);
		return -EINVAL;
	}
	mutex_lock(&inst->lock);
	if (mk_started(READ_ONCE(inst->state))) {
		mk_inst_info(inst,
			     "started; stop it before changing its doorbell CPU\n");
		ret = -EBUSY;
	} else {
		WRITE_ONCE(inst->doorbell_cpu, cpu);
	}
	mutex_unlock(&inst->lock);
	return ret;
}

/* ---- start and stop ---- */

static void mk_quarantine(struct mk_instance *inst, const char *how);

/**
 * mk_instance_start - boot the loaded image on the instance's CPUs
 * @inst: instance
 *
 * Return: 0 once the boot CPU left the host's trampoline; -ENOEXEC with
 * nothing loaded, -EINVAL without CPUs or memory, with the doorbell CPU
 * offline or one of the CPUs hot-removed since the last stop, -EBUSY when
 * already started or being loaded, -ESHUTDOWN once the host is going down
 * (mk_host_going_down()), or the architecture's error.
 */
int mk_instance_start(struct mk_instance *inst)
{
	ktime_t t0 = ktime_get();
	enum mk_state prev;
	bool owned;
	int ret;

	mutex_lock(&inst->lock);
	prev = READ_ONCE(inst->state);
	if (inst->dead) {
		ret = -ENODEV;
		goto out;
	}
	if (mk_host_going_down()) {
		mk_inst_info(inst, "the host is going down; no new starts\n");
		ret = -ESHUTDOWN;
		goto out;
	}
	if (mk_refuse_quarantined(inst)) {
		ret = -EBUSY;
		goto out;
	}
	if (inst->loading || mk_started(prev)) {
		mk_inst_info(inst, "%s\n", inst->loading ? "being loaded" :
			     "already started");
		ret = -EBUSY;
		goto out;
	}
	if (prev == MK_ST_EMPTY) {
		mk_inst_info(inst, "nothing loaded\n");
		ret = -ENOEXEC;
		goto out;
	}
	if (cpumask_empty(inst->cpus) || !inst->base) {
		mk_inst_info(inst, "give it CPUs and memory first\n");
		ret = -EINVAL;
		goto out;
	}
	if (!cpu_online(inst->doorbell_cpu)) {
		mk_inst_info(inst, "doorbell cpu%u is offline\n",
			     inst->doorbell_cpu);
		ret = -EINVAL;
		goto out;
	}
	owned = inst->owns_cpus;
	ret = mk_claim_cpus(inst);
	if (ret)
		goto out;

	spin_lock(&inst->state_lock);
	inst->start_ktime = t0;
	memset(inst->start_us, 0, sizeof(inst->start_us));
	spin_unlock(&inst->state_lock);
	/* after a stop, mk_refresh_fn() has normally done this already */
	if (!inst->image_ready)
		mk_image_place(inst, NULL);
	inst->image_ready = false;
	memset(inst->info, 0, sizeof(*inst->info));
	arch_multikernel_fill_info(inst);
	mk_chan_reset_shared(phys_to_virt(inst->base));
	mk_chan_attach(&inst->chan, phys_to_virt(inst->base),
		       inst->info->apic_ids[0]);
	inst->panic_reason[0] = '\0';
	atomic64_set(&inst->heartbeats, 0);
	WRITE_ONCE(inst->last_heartbeat, jiffies);
	atomic64_set(&inst->sink_bytes, 0);
	mk_chan_activate(&inst->chan);
	mk_set_state(inst, MK_ST_STARTING);
	inst->busy = true;
	mutex_unlock(&inst->lock);

	/* busy keeps stops and rmdir out while the CPU is handed over */
	ret = arch_multikernel_start(inst);

	mutex_lock(&inst->lock);
	inst->busy = false;
	wake_up_all(&mk_stop_wq);
	if (ret) {
		mk_chan_deactivate(&inst->chan);
		pr_err("instance %u: cpu%u did not start: %d\n", inst->id,
		       inst->boot_cpu, ret);
		/* it may have got anywhere: park the CPUs as a stop does */
		if (arch_multikernel_stop_cpus(inst, inst->unparked) &&
		    mk_set_state(inst, MK_ST_STOPPING)) {
			mk_quarantine(inst, "failed start");
			goto out;
		}
		if (!owned)
			mk_release_cpus(inst);
		mk_set_state(inst, prev);
		goto out;
	}
	inst->starts++;
	inst->start_time = ktime_get_boottime_seconds();
	spin_lock(&inst->state_lock);
	mk_start_mark(inst, MK_START_HANDOFF);
	spin_unlock(&inst->state_lock);
	pr_info("instance %u: started on cpus %*pbl\n", inst->id,
		cpumask_pr_args(inst->cpus));
out:
	mutex_unlock(&inst->lock);
	return ret;
}

/*
 * Some CPUs did not acknowledge parking: they may still run the spawned
 * kernel, or come back to it.  They stay owned, the instance's memory and
 * slot stay taken (also after rmdir), until the host reboots.  Called
 * with inst->lock held, state stopping, @inst->unparked filled.
 */
static void mk_quarantine(struct mk_instance *inst, const char *how)
{
	mutex_lock(&mk_cpus_lock);
	cpus_read_lock();
	cpumask_or(&mk_quarantined_cpus, &mk_quarantined_cpus, inst->unparked);
	cpus_read_unlock();
	mutex_unlock(&mk_cpus_lock);
	/* the CPUs that did acknowledge are the host's again */
	mk_release_cpus(inst);

	spin_lock(&mk_quarantine_lock);
	mk_quarantined_mem[inst->slot].id = inst->id;
	mk_quarantined_mem[inst->slot].base = inst->base;
	mk_quarantined_mem[inst->slot].size = inst->size;
	set_bit(inst->slot, mk_quarantined_slots);
	spin_unlock(&mk_quarantine_lock);

	mk_set_state(inst, MK_ST_QUARANTINED);
	pr_err("instance %u: quarantined until reboot (stop: %s): cpus %*pbl did not acknowledge parking; they and its memory %pa+%#zx stay out of use\n",
	       inst->id, how, cpumask_pr_args(inst->unparked), &inst->base,
	       inst->size);
}

/**
 * mk_quarantine_show - what is out of use until reboot, for /proc
 * @m:		the seq_file
 * @priv:	the reader may see physical addresses
 */
void mk_quarantine_show(struct seq_file *m, bool priv)
{
	struct { u32 id; phys_addr_t base; size_t size; } q;
	int i;

	if (cpumask_empty(&mk_quarantined_cpus))
		return;
	seq_printf(m, "# quarantined until reboot: cpus %*pbl (did not acknowledge parking)\n",
		   cpumask_pr_args(&mk_quarantined_cpus));
	for (i = 0; i < MULTIKERNEL_MAX_INSTANCES; i++) {
		spin_lock(&mk_quarantine_lock);
		q.size = 0;
		if (test_bit(i, mk_quarantined_slots)) {
			q.id = mk_quarantined_mem[i].id;
			q.base = mk_quarantined_mem[i].base;
			q.size = mk_quarantined_mem[i].size;
		}
		spin_unlock(&mk_quarantine_lock);
		if (!q.size)
			continue;
		if (priv)
			seq_printf(m, "# quarantined until reboot: memory %pa+%#zx of instance %u\n",
				   &q.base, q.size, q.id);
		else
			seq_printf(m, "# quarantined until reboot: memory of instance %u\n",
				   q.id);
	}
}

/*
 * After a stop, the image is written back into the instance's RAM in the
 * background, so that the next start finds it in place.  The pending work
 * holds a reference; rmdir cancels it, and rmdir or a load ends one that
 * runs early (@inst->refresh_abort).  A start that comes first places the
 * image itself, or waits for the running refresh (inst->lock).
 */
static void mk_refresh_fn(struct work_struct *work)
{
	struct mk_instance *inst = container_of(work, struct mk_instance,
						refresh_work);
	ktime_t t0 = ktime_get();

	mutex_lock(&inst->lock);
	if (!inst->dead && !inst->loading && inst->image &&
	    !inst->image_ready && READ_ONCE(inst->state) == MK_ST_STOPPED &&
	    mk_image_place(inst, &inst->refresh_abort)) {
		inst->image_ready = true;
		inst->refresh_us = max_t(s64, 1, ktime_us_delta(ktime_get(), t0));
	}
	mutex_unlock(&inst->lock);
	config_item_put(&inst->group.cg_item);
}

/* Queue the refresh after a stop.  With inst->lock held. */
static void mk_refresh_queue(struct mk_instance *inst)
{
	if (inst->dead || !inst->image || mk_host_going_down())
		return;
	WRITE_ONCE(inst->refresh_abort, false);
	inst->refresh_us = 0;
	config_item_get(&inst->group.cg_item);
	if (!queue_work(system_unbound_wq, &inst->refresh_work))
		config_item_put(&inst->group.cg_item);
}

/* No refresh from now on (rmdir); @inst->lock not held.  Waits for one. */
static void mk_refresh_cancel(struct mk_instance *inst)
{
	WRITE_ONCE(inst->refresh_abort, true);
	if (cancel_work_sync(&inst->refresh_work))
		config_item_put(&inst->group.cg_item);
}

/*
 * Take the CPUs back.  Called with inst->lock held, state stopping; ends
 * stopped, or quarantined with -ETIMEDOUT when a CPU did not acknowledge
 * parking.
 */
static int mk_take_back(struct mk_instance *inst, const char *how)
{
	int ret;

	mk_chan_deactivate(&inst->chan);
	ret = arch_multikernel_stop_cpus(inst, inst->unparked);
	if (ret) {
		mk_quarantine(inst, how);
		ret = -ETIMEDOUT;
	} else {
		mk_release_cpus(inst);
		mk_set_state(inst, MK_ST_STOPPED);
		pr_info("instance %u: stopped (%s)\n", inst->id, how);
		mk_refresh_queue(inst);
	}
	wake_up_all(&mk_stop_wq);
	return ret;
}

static bool mk_halted(struct mk_instance *inst)
{
	return READ_ONCE(inst->info->guest_state) == MK_GUEST_HALTED;
}

/**
 * mk_instance_stop - stop a started instance
 * @inst:	instance
 * @timeout_ms:	how long to wait for the spawned kernel to halt; 0 forces
 *		its CPUs into reset at once (kill)
 *
 * A graceful stop asks the spawned kernel to halt and waits without any
 * lock held, in state stopping.  A kill while a graceful stop waits ends
 * the wait.
 *
 * Return: 0, -EINVAL when not started, -EBUSY while a start is in progress,
 * -ETIMEDOUT when a CPU did not acknowledge parking (the instance is then
 * quarantined).
 */
int mk_instance_stop(struct mk_instance *inst, unsigned int timeout_ms)
{
	const char *how = "forced";
	unsigned long deadline;
	enum mk_state prev;
	int ret = 0;

	mutex_lock(&inst->lock);
	prev = READ_ONCE(inst->state);
	if (prev == MK_ST_STOPPING && !timeout_ms) {
		WRITE_ONCE(inst->kill_now, true);
		goto out;
	}
	if (inst->resizing) {
		/* its request ends now; its CPU is parked, then we go on */
		WRITE_ONCE(inst->resize_cancel, true);
		mk_chan_cancel_calls(&inst->chan);
		mutex_unlock(&inst->lock);
		wait_event(mk_stop_wq, !READ_ONCE(inst->busy));
		mutex_lock(&inst->lock);
		prev = READ_ONCE(inst->state);
	}
	if (inst->busy || prev == MK_ST_STOPPING) {
		mk_inst_info(inst, "a %s is in progress\n",
			     inst->busy ? "start" : "stop");
		ret = -EBUSY;
		goto out;
	}
	if (!(MK_ST_LIVE & BIT(prev)) || !mk_set_state(inst, MK_ST_STOPPING)) {
		mk_inst_info(inst, "%s: not started\n", mk_state_name(prev));
		ret = -EINVAL;
		goto out;
	}
	WRITE_ONCE(inst->kill_now, false);
	if (mk_halted(inst))
		how = "had halted by itself";
	if (timeout_ms && prev != MK_ST_CRASHED && !mk_halted(inst) &&
	    READ_ONCE(inst->info->guest_state) != MK_GUEST_PANIC) {
		struct mk_lifecycle lc = { .event = MK_LC_STOP };

		/* over the channel, and in the shared page if that is broken */
		mk_chan_send(&inst->chan, MK_MSG_LIFECYCLE, &lc, sizeof(lc), 0);
		WRITE_ONCE(inst->info->host_request, MK_HOST_REQ_STOP);
		mutex_unlock(&inst->lock);

		deadline = jiffies + msecs_to_jiffies(timeout_ms);
		while (!mk_halted(inst) && time_before(jiffies, deadline) &&
		       !READ_ONCE(inst->kill_now) && !fatal_signal_pending(current))
			msleep(MK_STOP_POLL_MS);

		mutex_lock(&inst->lock);
		if (mk_halted(inst))
			how = "halted on request";
	}
	ret = mk_take_back(inst, how);
out:
	mutex_unlock(&inst->lock);
	return ret;
}

/**
 * mk_instance_restart - start an instance that ended by itself again
 * @inst:	instance
 * @epoch:	the run that ended (@inst->epoch when it crashed or halted)
 *
 * Takes the CPUs back as a kill does, counts the restart in
 * @inst->restarts with its reason, and starts the loaded image again.
 * Does nothing when that run is over already: stopped, killed or started
 * again by the operator, the instance is being destroyed or the host is
 * going down.
 *
 * Return: 0 once started again, -ECANCELED when there was nothing to do,
 * -EAGAIN while a CPU change of that run still ends (cancelled here), or
 * the error of taking the CPUs back or of mk_instance_start().
 */
int mk_instance_restart(struct mk_instance *inst, unsigned int epoch)
{
	enum mk_state st;
	int ret;

	mutex_lock(&inst->lock);
	st = READ_ONCE(inst->state);
	if (inst->resizing && !inst->dead && READ_ONCE(inst->epoch) == epoch &&
	    (st == MK_ST_CRASHED || st == MK_ST_HALTED)) {
		/* that run's CPU change ends now, its CPU parked: then again */
		WRITE_ONCE(inst->resize_cancel, true);
		mk_chan_cancel_calls(&inst->chan);
		mutex_unlock(&inst->lock);
		return -EAGAIN;
	}
	if (inst->dead || inst->busy || mk_host_going_down() ||
	    READ_ONCE(inst->epoch) != epoch ||
	    (st != MK_ST_CRASHED && st != MK_ST_HALTED) ||
	    !mk_set_state(inst, MK_ST_STOPPING)) {
		mutex_unlock(&inst->lock);
		return -ECANCELED;
	}
	if (st == MK_ST_CRASHED)
		scnprintf(inst->restart_reason, sizeof(inst->restart_reason),
			  "crashed: %s", inst->panic_reason);
	else
		strscpy(inst->restart_reason, "halted by itself",
			sizeof(inst->restart_reason));
	inst->restarts++;
	ret = mk_take_back(inst, "to restart it");
	mutex_unlock(&inst->lock);
	return ret ?: mk_instance_start(inst);
}

/* ---- CPUs of a running instance ---- */

/*
 * Ask the spawned kernel to bring up (MK_LC_CPU_ADD) or take down
 * (MK_LC_CPU_REMOVE) one CPU and wait, bounded, for its answer.  Called
 * without inst->lock.
 *
 * Return: 0; the errno it answered with, among those it may give (any
 * other becomes -EIO); -ETIMEDOUT; -ECANCELED when a stop or rmdir ended
 * the change; or a channel error.
 */
static int mk_cpu_request(struct mk_instance *inst, u32 event,
			  unsigned int cpu)
{
	struct mk_lifecycle req = {
		.event = event, .arg = arch_multikernel_cpu_hwid(cpu),
	};
	struct mk_lifecycle ans;
	u32 len = sizeof(ans);
	int ret;

	if (READ_ONCE(inst->resize_cancel))
		return -ECANCELED;
	ret = mk_chan_call(&inst->chan, MK_MSG_LIFECYCLE, &req, sizeof(req),
			   &ans, &len, msecs_to_jiffies(MK_CPU_REQ_TIMEOUT_MS));
	if (ret)
		return ret;
	if (len != sizeof(ans) || ans.event != event) {
		atomic64_inc(&inst->chan.errors);
		return -EIO;
	}
	switch (ans.arg) {
	case 0:
		return 0;
	case EINVAL:
	case EBUSY:
	case ENODEV:
	case ENOSPC:
	case EOPNOTSUPP:
	case EIO:
		return -(int)ans.arg;
	}
	return -EIO;
}

static void mk_cpu_request_failed(struct mk_instance *inst, unsigned int cpu,
				  bool add, int err)
{
	const char *what = add ? "bring up" : "take down";

	if (err == -ETIMEDOUT)
		mk_inst_info(inst, "cpu%u: its kernel did not %s the CPU within %u ms\n",
			     cpu, what, MK_CPU_REQ_TIMEOUT_MS);
	else if (err == -ECANCELED)
		mk_inst_info(inst, "cpu%u: the CPU change was cancelled by a stop, rmdir or crash\n",
			     cpu);
	else
		mk_inst_info(inst, "cpu%u: its kernel could not %s the CPU: %d\n",
			     cpu, what, err);
}

/* Give one CPU that is lent but none of @inst's back to the host. */
static void mk_cpu_release_one(unsigned int cpu)
{
	bool was_lending = mk_cpus_lock_all();

	mk_cpu_give_back(cpu);
	mk_cpus_unlock_all(was_lending);
}

/*
 * @cpu, which the spawned kernel gave up or may have got hold of, back to
 * the host: parked, verified as at a stop, and released.  A CPU that does
 * not acknowledge parking may still run the spawned kernel: it stays the
 * instance's, and the instance's stop parks it again (or quarantines it).
 * Called without inst->lock.
 *
 * Return: 0 or -ETIMEDOUT.
 */
static int mk_cpu_take_back_one(struct mk_instance *inst, unsigned int cpu)
{
	int ret = arch_multikernel_park_cpu(inst, cpu);

	mutex_lock(&inst->lock);
	if (ret) {
		cpumask_set_cpu(cpu, inst->cpus);
		pr_err("instance %u: cpu%u did not acknowledge parking; it stays with the instance until the instance stops\n",
		       inst->id, cpu);
	} else {
		cpumask_clear_cpu(cpu, inst->cpus);
		mk_cpu_release_one(cpu);
	}
	mutex_unlock(&inst->lock);
	return ret ? -ETIMEDOUT : 0;
}

/*
 * Make @new the CPUs of a running instance.  The CPUs added are claimed at
 * once with the checks of a create: if one fails, nothing changes.  Then,
 * one CPU at a time, removals first, the spawned kernel takes each removed
 * CPU down, which the host then parks and releases, and brings each added
 * CPU up; one it did not bring up is parked and released too.  While it
 * waits for the spawned kernel the instance is busy, without inst->lock:
 * a stop or rmdir ends the change at its current CPU.  Called and returns
 * with inst->lock held, the instance running and not busy.
 *
 * Return: 0; -EBUSY (the first CPU removed, or a CPU cannot be lent);
 * -EOPNOTSUPP (the spawned kernel takes no CPUs while running); or
 * the first error of mk_cpu_request(), or -ETIMEDOUT when a CPU did not
 * acknowledge parking.  The CPUs changed before an error stay changed.
 */
static int mk_resize_cpus(struct mk_instance *inst, const struct cpumask *new)
{
	cpumask_var_t add, del;
	unsigned int cpu;
	bool was_lending;
	int ret = 0;

	if (!cpumask_test_cpu(inst->boot_cpu, new)) {
		mk_inst_info(inst, "cpu%u is the CPU its kernel booted on; stop it before removing that CPU\n",
			     inst->boot_cpu);
		return -EBUSY;
	}
	if (!(READ_ONCE(inst->info->guest_features) & MK_GUEST_F_CPUS)) {
		mk_inst_info(inst, "its kernel takes no CPUs while running (no CPU hotplug, or an older boot information layout); stop it first\n");
		return -EOPNOTSUPP;
	}
	if (!zalloc_cpumask_var(&add, GFP_KERNEL))
		return -ENOMEM;
	if (!zalloc_cpumask_var(&del, GFP_KERNEL)) {
		free_cpumask_var(add);
		return -ENOMEM;
	}
	cpumask_andnot(add, new, inst->cpus);
	cpumask_andnot(del, inst->cpus, new);

	was_lending = mk_cpus_lock_all();
	for_each_cpu(cpu, add) {
		ret = mk_cpu_lendable(inst, cpu);
		if (ret)
			break;
	}
	if (!ret)
		for_each_cpu(cpu, add)
			mk_cpu_lend(cpu);
	mk_cpus_unlock_all(was_lending);
	if (ret || (cpumask_empty(add) && cpumask_empty(del)))
		goto out;

	inst->busy = true;
	inst->resizing = true;
	WRITE_ONCE(inst->resize_cancel, false);
	mutex_unlock(&inst->lock);

	for_each_cpu(cpu, del) {
		ret = mk_cpu_request(inst, MK_LC_CPU_REMOVE, cpu);
		if (ret) {
			/* it may still run there: the instance keeps it */
			mk_cpu_request_failed(inst, cpu, false, ret);
			break;
		}
		ret = mk_cpu_take_back_one(inst, cpu);
		if (ret)
			break;
		pr_info("instance %u: cpu%u given back while running\n",
			inst->id, cpu);
	}
	for_each_cpu(cpu, add) {
		int err;

		if (ret) {
			/* never asked for: still where the host left it */
			mk_cpu_release_one(cpu);
			continue;
		}
		ret = mk_cpu_request(inst, MK_LC_CPU_ADD, cpu);
		if (!ret) {
			mutex_lock(&inst->lock);
			cpumask_set_cpu(cpu, inst->cpus);
			mutex_unlock(&inst->lock);
			pr_info("instance %u: cpu%u added while running\n",
				inst->id, cpu);
			continue;
		}
		mk_cpu_request_failed(inst, cpu, true, ret);
		/* it may have got anywhere: parked as at a stop */
		err = mk_cpu_take_back_one(inst, cpu);
		if (err)
			ret = err;
	}

	mutex_lock(&inst->lock);
	inst->resizing = false;
	inst->busy = false;
	wake_up_all(&mk_stop_wq);
out:
	free_cpumask_var(del);
	free_cpumask_var(add);
	return ret;
}

/* ---- loads (called by load.c around kexec's own loaders) ---- */

/**
 * mk_instance_get - find an instance by id and take a reference
 * @id: instance id
 *
 * Return: the instance, or NULL if none has @id.
 */
struct mk_instance *mk_instance_get(u32 id)
{
	struct mk_instance *inst = NULL;
	int i;

	mutex_lock(&mk_list_lock);
	for (i = 0; i < MULTIKERNEL_MAX_INSTANCES; i++) {
		if (mk_slots[i] && mk_slots[i]->id == id) {
			inst = mk_slots[i];
			config_item_get(&inst->group.cg_item);
			break;
		}
	}
	mutex_unlock(&mk_list_lock);
	return inst;
}

/**
 * mk_instance_put - drop a reference from mk_instance_get()
 * @inst: instance
 */
void mk_instance_put(struct mk_instance *inst)
{
	config_item_put(&inst->group.cg_item);
}

/**
 * mk_instance_load_begin - make an instance ready to be loaded into
 * @inst: instance, referenced
 *
 * Drops the previous image (its memory is about to be overwritten) and
 * marks the instance as being loaded, which keeps starts out.
 *
 * Return: 0, -ENODEV once removed, -EBUSY while started or being loaded,
 * -EINVAL without memory.
 */
int mk_instance_load_begin(struct mk_instance *inst)
{
	enum mk_state st;
	int ret = 0;

	/* the load writes the memory: a refresh running now is not wanted */
	WRITE_ONCE(inst->refresh_abort, true);
	mutex_lock(&inst->lock);
	st = READ_ONCE(inst->state);
	if (inst->dead) {
		ret = -ENODEV;
	} else if (mk_refuse_quarantined(inst)) {
		ret = -EBUSY;
	} else if (inst->loading || mk_started(st)) {
		mk_inst_info(inst, "%s; stop it before loading\n",
			     inst->loading ? "being loaded" : mk_state_name(st));
		ret = -EBUSY;
	} else if (!inst->base) {
		mk_inst_info(inst, "no memory; write its memory attribute first\n");
		ret = -EINVAL;
	} else {
		mk_image_free(inst);
		inst->image_ready = false;
		inst->entry = 0;
		inst->boot_params = 0;
		mk_set_state(inst, MK_ST_EMPTY);
		inst->loading = true;
	}
	mutex_unlock(&inst->lock);
	return ret;
}

static void mk_instance_release(struct mk_instance *inst);

/**
 * mk_instance_load_end - a load begun with mk_instance_load_begin() ended
 * @inst:	instance
 * @loaded:	@inst->image holds a new, saved image
 * @file:	it came from kexec_file_load()
 */
void mk_instance_load_end(struct mk_instance *inst, bool loaded, bool file)
{
	mutex_lock(&inst->lock);
	inst->loading = false;
	if (inst->dead) {
		mk_instance_release(inst);
	} else if (loaded && mk_set_state(inst, MK_ST_LOADED)) {
		inst->loads++;
		/* the load wrote the image as mk_image_place() does */
		inst->image_ready = true;
		pr_info("instance %u: loaded %lu segments via %s, entry %pa\n",
			inst->id, inst->image->nr_segments,
			file ? "kexec_file_load" : "kexec_load", &inst->entry);
	}
	mutex_unlock(&inst->lock);
}

/* ---- creation and destruction ---- */

static int mk_alloc_id(const char *name, u32 *id)
{
	u32 want = 0, i;
	int j;

	if (!kstrtou32(name, 10, &want) && want >= 1 &&
	    want <= MULTIKERNEL_MAX_ID && name[0] != '0') {
		for (j = 0; j < MULTIKERNEL_MAX_INSTANCES; j++)
			if (mk_slots[j] && mk_slots[j]->id == want) {
				pr_info_ratelimited("id %u is taken by instance '%s'\n",
						    want,
						    config_item_name(&mk_slots[j]->group.cg_item));
				return -EBUSY;
			}
		*id = want;
		return 0;
	}
	for (i = 1; i <= MULTIKERNEL_MAX_ID; i++) {
		for (j = 0; j < MULTIKERNEL_MAX_INSTANCES; j++)
			if (mk_slots[j] && mk_slots[j]->id == i)
				break;
		if (j == MULTIKERNEL_MAX_INSTANCES) {
			*id = i;
			return 0;
		}
	}
	return -ENOSPC;
}

/**
 * mk_instance_create - a new instance without CPUs, memory or image
 * @name: its configfs name; a decimal number is also its id
 * @type: configfs type of its directory
 *
 * The instance is visible to mk_instance_get() as soon as this returns.
 *
 * Return: the instance or an ERR_PTR(): -ENODEV without a boot pool,
 * -ENOSPC when all slots are used, -EBUSY when a numeric name's id is
 * taken.
 */
struct mk_instance *mk_instance_create(const char *name,
				       const struct config_item_type *type)
{
	struct mk_instance *inst;
	int slot, ret;

	if (!mk_pool_size() && !mk_pool_runtime()) {
		pr_info_ratelimited("multikernel is disabled: see why in the boot log (multikernel=off, or no room below 1M)\n");
		return ERR_PTR(-ENODEV);
	}
	inst = kzalloc(sizeof(*inst), GFP_KERNEL);
	if (!inst)
		return ERR_PTR(-ENOMEM);
	if (!zalloc_cpumask_var(&inst->cpus, GFP_KERNEL) ||
	    !zalloc_cpumask_var(&inst->unparked, GFP_KERNEL)) {
		free_cpumask_var(inst->cpus);
		kfree(inst);
		return ERR_PTR(-ENOMEM);
	}
	config_group_init_type_name(&inst->group, name, type);
	mutex_init(&inst->lock);
	spin_lock_init(&inst->state_lock);
	inst->state = MK_ST_EMPTY;
	inst->stop_timeout_ms = MK_STOP_TIMEOUT_MS;
	mk_restart_init(inst);
	INIT_WORK(&inst->refresh_work, mk_refresh_fn);

	mutex_lock(&mk_list_lock);
	/* a quarantined slot keeps its memory and low slice until reboot */
	for (slot = 0; slot < MULTIKERNEL_MAX_INSTANCES; slot++)
		if (!mk_slots[slot] && !test_bit(slot, mk_quarantined_slots))
			break;
	if (slot == MULTIKERNEL_MAX_INSTANCES) {
		pr_info_ratelimited("all %d instance slots are in use\n",
				    MULTIKERNEL_MAX_INSTANCES);
		ret = -ENOSPC;
		goto err;
	}
	ret = mk_alloc_id(name, &inst->id);
	if (ret)
		goto err;
	ret = arch_multikernel_low_slice(slot, &inst->low_base,
					 &inst->low_size);
	if (ret)
		goto err;
	inst->slot = slot;
	mk_chan_init(&inst->chan, true, inst->id, inst);
	inst->cdev = mk_cdev_create(&inst->chan, inst->id);
	if (IS_ERR(inst->cdev)) {
		ret = PTR_ERR(inst->cdev);
		goto err;
	}
	mk_slots[slot] = inst;
	mutex_unlock(&mk_list_lock);
	pr_info("instance %u (%s): created\n", inst->id, name);
	return inst;
err:
	mutex_unlock(&mk_list_lock);
	free_cpumask_var(inst->unparked);
	free_cpumask_var(inst->cpus);
	kfree(inst);
	return ERR_PTR(ret);
}

/* Give back memory and image.  Called with inst->lock held, nothing loading. */
static void mk_instance_release(struct mk_instance *inst)
{
	phys_addr_t none;

	mk_image_free(inst);
	if (!test_bit(inst->slot, mk_quarantined_slots))
		mk_pool_realloc(inst->slot, 0, 0, &none);
	inst->base = 0;
	inst->size = 0;
	inst->info = NULL;
}

/**
 * mk_instance_destroy - rmdir: kill the instance and release what it owns
 * @inst: instance; its configfs reference is dropped by the caller
 *
 * Never fails.  An open /dev/mkchanN gets -ENODEV from then on; a load in
 * progress keeps the memory until it ends.
 */
void mk_instance_destroy(struct mk_instance *inst)
{
	enum mk_state st;

	mutex_lock(&inst->lock);
	inst->dead = true;
	if (inst->resizing) {
		/* a CPU change in progress ends at its current CPU */
		WRITE_ONCE(inst->resize_cancel, true);
		mk_chan_cancel_calls(&inst->chan);
	}
	mutex_unlock(&inst->lock);
	/* no automatic restart from now on, and none in progress */
	mk_restart_cancel(inst);
	mk_refresh_cancel(inst);
	/* an open /dev/mkchanN fails from now on, also a writer woken below */
	mk_cdev_hangup(inst->cdev);
	/* a CPU hand-over in progress finishes first: the arch bounds it */
	wait_event(mk_stop_wq, !READ_ONCE(inst->busy));

	mutex_lock(&inst->lock);
	if (READ_ONCE(inst->state) == MK_ST_STOPPING) {
		/* a graceful stop waits without the lock: end it now */
		WRITE_ONCE(inst->kill_now, true);
		mutex_unlock(&inst->lock);
		wait_event(mk_stop_wq, READ_ONCE(inst->state) != MK_ST_STOPPING);
		mutex_lock(&inst->lock);
	}
	st = READ_ONCE(inst->state);
	if (MK_ST_LIVE & BIT(st) && mk_set_state(inst, MK_ST_STOPPING))
		mk_take_back(inst, "forced");
	mk_release_cpus(inst);
	mk_uart_release(inst);
	mutex_unlock(&inst->lock);

	mutex_lock(&mk_list_lock);
	mk_slots[inst->slot] = NULL;
	mutex_unlock(&mk_list_lock);

	/* file operations drain, then a kick they queued late is cancelled */
	mk_cdev_destroy(inst->cdev);
	inst->cdev = NULL;
	mk_chan_deactivate(&inst->chan);

	mutex_lock(&inst->lock);
	if (!inst->loading)
		mk_instance_release(inst);
	mutex_unlock(&inst->lock);
	pr_info("instance %u (%s): destroyed\n", inst->id,
		config_item_name(&inst->group.cg_item));
}

/**
 * mk_instance_free - the last reference is gone
 * @inst: destroyed instance
 */
void mk_instance_free(struct mk_instance *inst)
{
	free_cpumask_var(inst->unparked);
	free_cpumask_var(inst->cpus);
	kfree(inst);
}

static int __init multikernel_init(void)
{
	int ret;

	ret = mk_proc_init();
	if (!ret && !mk_pool_init()) {
		ret = mk_hotplug_init();
		if (!ret)
			ret = mk_host_services_init();
		if (!ret)
			ret = mk_lifecycle_init();
	}
	if (!ret)
		ret = mk_configfs_init();
	if (ret)
		pr_err("initialisation failed: %d\n", ret);
	return ret;
}
late_initcall(multikernel_init);

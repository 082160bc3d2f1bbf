/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multikernel: boot further kernels on CPUs the running kernel has taken
 * offline and on memory it reserved at boot.
 *
 * The generic part (kernel/multikernel/) owns instances, their CPUs and
 * memory, the load hooks behind kexec_load()/kexec_file_load() and the
 * user interfaces.  The architecture provides the boot reservation, the
 * boot parameters of an image and the code that starts and stops an
 * instance's CPUs.  The layout shared with a spawned kernel is uapi:
 * <uapi/linux/multikernel.h> and <asm/multikernel.h>.
 */
#ifndef _LINUX_MULTIKERNEL_H
#define _LINUX_MULTIKERNEL_H

#include <linux/configfs.h>
#include <linux/cpumask.h>
#include <linux/kexec.h>
#include <linux/multikernel_chan.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <uapi/linux/multikernel.h>

#include <asm/multikernel.h>

/* Maximum number of instances that can exist at once. */
#define MULTIKERNEL_MAX_INSTANCES	4

/* Largest instance id; ids are 1..MULTIKERNEL_MAX_ID. */
#define MULTIKERNEL_MAX_ID		65535

/**
 * enum mk_start_mark - points of a start, timed from its beginning
 * @MK_START_HANDOFF:	the boot CPU left the host's trampoline
 * @MK_START_BOOTED:	the spawned kernel finished its initialisation
 * @MK_START_RUNNING:	its init (pid 1) runs user code
 * @MK_START_NR:	number of marks
 */
enum mk_start_mark {
	MK_START_HANDOFF,
	MK_START_BOOTED,
	MK_START_RUNNING,
	MK_START_NR,
};

/**
 * enum mk_state - lifecycle of an instance, the one authoritative state
 * @MK_ST_EMPTY:	no image loaded
 * @MK_ST_LOADED:	image loaded, not started since the load
 * @MK_ST_STARTING:	CPUs handed over, the spawned kernel is booting
 * @MK_ST_BOOTED:	the spawned kernel finished its initialisation
 * @MK_ST_RUNNING:	its init runs and it sends heartbeats
 * @MK_ST_UNRESPONSIVE:	running, but heartbeats stopped arriving
 * @MK_ST_HALTED:	it halted, on request or by itself
 * @MK_ST_CRASHED:	it panicked
 * @MK_ST_STOPPING:	a stop is waiting for it to halt
 * @MK_ST_STOPPED:	CPUs taken back; it can be started again
 * @MK_ST_QUARANTINED:	a CPU did not acknowledge parking at a stop; that
 *			CPU and the instance's memory stay out of use
 *			until the host reboots
 * @MK_ST_NR:		number of states
 *
 * Only mk_set_state() changes the state (kernel/multikernel/instance.c),
 * and only along the transitions it allows.
 */
enum mk_state {
	MK_ST_EMPTY,
	MK_ST_LOADED,
	MK_ST_STARTING,
	MK_ST_BOOTED,
	MK_ST_RUNNING,
	MK_ST_UNRESPONSIVE,
	MK_ST_HALTED,
	MK_ST_CRASHED,
	MK_ST_STOPPING,
	MK_ST_STOPPED,
	MK_ST_QUARANTINED,
	MK_ST_NR,
};

/**
 * enum mk_restart_policy - what the host does when an instance ends by itself
 * @MK_RESTART_NEVER:	nothing; it stays crashed or halted
 * @MK_RESTART_ON_CRASH: start it again after it panicked
 * @MK_RESTART_ALWAYS:	start it again after it panicked or halted
 *
 * Instances stopped or killed by the operator, or by the host going down,
 * are never restarted.
 */
enum mk_restart_policy {
	MK_RESTART_NEVER,
	MK_RESTART_ON_CRASH,
	MK_RESTART_ALWAYS,
};

struct mk_cdev;
struct mk_image_copy;

/**
 * struct mk_instance - one spawned kernel and the resources it owns
 * @group:	configfs directory /sys/kernel/config/multikernel/<name>;
 *		its item's reference count keeps the instance alive
 * @node:	entry in the list of instances
 * @id:		instance number, as used by the load syscalls and /proc
 * @slot:	index of the instance's low-memory slice, -1 without memory
 * @lock:	serialises configuration and transitions (never held
 *		across waits, file reads or user copies)
 * @state_lock:	protects @state
 * @state:	lifecycle state, see enum mk_state
 * @loading:	a load syscall is filling the instance (under @lock)
 * @busy:	a start is handing the CPU over, or a CPU change of a running
 *		instance waits for the spawned kernel, without @lock (under
 *		@lock)
 * @resizing:	that CPU change is what makes it @busy (under @lock)
 * @resize_cancel: a stop or rmdir ends that CPU change at its current CPU
 * @dead:	rmdir'ed; resources are released once @loading is clear
 * @kill_now:	a kill arrived while a graceful stop waits
 * @cpus:	CPUs assigned; the first one boots
 * @boot_cpu:	first CPU of @cpus when they were written while not
 *		started; CPUs added while running never replace it
 * @owns_cpus:	@cpus are claimed (the host cannot online them)
 * @unparked:	CPUs that did not acknowledge parking at the last stop
 * @base:	physical start of the instance's memory (shared area first),
 *		0 without memory
 * @size:	size of the instance's memory including the shared area
 * @ram_base:	physical start of the spawned kernel's RAM
 * @ram_size:	size of the spawned kernel's RAM
 * @low_base:	physical start of the instance's sub-1MiB slice
 * @low_size:	size of that slice
 * @uart:	I/O port of the UART handed to the instance, 0 for none
 * @doorbell_cpu: host CPU the spawned kernel's doorbells interrupt
 * @stop_timeout_ms: how long a graceful stop waits
 * @image:	loaded image (KEXEC_TYPE_MULTIKERNEL), NULL when empty
 * @image_copy:	host copy of @image's segments, placed again before every
 *		start
 * @image_ready: the instance's RAM holds @image as mk_image_place() writes
 *		it: after the load, and after a stop once @refresh_work ran
 * @refresh_abort: the refresh in progress is no longer wanted (rmdir, load)
 * @refresh_us:	how long the last refresh took, in microseconds
 * @refresh_work: places @image again after a stop, off the next start's
 *		path
 * @entry:	physical address the boot CPU jumps to: the image's entry,
 *		or for a kexec_file_load() image the kernel's own
 *		(arch_multikernel_file_entry())
 * @boot_params: physical address of the image's boot_params for a
 *		direct 64-bit entry (passed in %rsi), 0 when the image
 *		enters through purgatory
 * @loads:	number of successful loads
 * @starts:	number of successful starts
 * @start_time:	seconds since boot (CLOCK_BOOTTIME) of the last start
 * @start_ktime: ktime_get() when the last start began
 * @start_us:	microseconds from @start_ktime to each enum mk_start_mark of
 *		that start, 0 until reached (under @state_lock)
 * @epoch:	incremented at every start (under @state_lock): a restart
 *		scheduled for one run never acts on a later one
 * @restart:	restart policy, enum mk_restart_policy
 * @restart_limit: automatic restarts allowed after an operator's start
 * @restart_delay_ms: delay before the first automatic restart; doubled
 *		for each further one
 * @restarts:	automatic restarts since the operator's last start
 * @restart_reason: why the last automatic restart happened (escaped text)
 * @restart_work: the pending automatic restart
 * @restart_epoch: the run @restart_work restarts
 * @info:	kernel mapping of the shared boot information
 * @chan:	channel to the spawned kernel
 * @panic_reason: what the spawned kernel reported when it panicked
 * @last_heartbeat: jiffies of the last heartbeat
 * @heartbeats:	heartbeats received since the last start
 * @sink_bytes:	bytes received as MK_MSG_SINK (benchmark)
 * @cdev:	/dev/mkchan<id>
 */
struct mk_instance {
	struct config_group	group;
	struct list_head	node;
	u32			id;
	int			slot;
	struct mutex		lock;		/* see kernel-doc above */
	spinlock_t		state_lock;	/* protects @state */
	enum mk_state		state;
	bool			loading;
	bool			busy;
	bool			resizing;
	bool			resize_cancel;
	bool			dead;
	bool			kill_now;
	cpumask_var_t		cpus;
	unsigned int		boot_cpu;
	bool			owns_cpus;
	cpumask_var_t		unparked;
	phys_addr_t		base;
	size_t			size;
	phys_addr_t		ram_base;
	size_t			ram_size;
	phys_addr_t		low_base;
	size_t			low_size;
	u16			uart;
	unsigned int		doorbell_cpu;
	unsigned int		stop_timeout_ms;
	struct kimage		*image;
	struct mk_image_copy	*image_copy;
	bool			image_ready;
	bool			refresh_abort;
	u32			refresh_us;
	struct work_struct	refresh_work;
	phys_addr_t		entry;
	phys_addr_t		boot_params;
	unsigned int		loads;
	unsigned int		starts;
	time64_t		start_time;
	ktime_t			start_ktime;
	u32			start_us[MK_START_NR];
	unsigned int		epoch;
	enum mk_restart_policy	restart;
	unsigned int		restart_limit;
	unsigned int		restart_delay_ms;
	unsigned int		restarts;
	char			restart_reason[160];
	struct delayed_work	restart_work;
	unsigned int		restart_epoch;
	struct multikernel_boot_info *info;
	struct mk_chan		chan;
	char			panic_reason[128];
	unsigned long		last_heartbeat;
	atomic64_t		heartbeats;
	atomic64_t		sink_bytes;
	struct mk_cdev		*cdev;
};

#ifdef CONFIG_MULTIKERNEL

/* Instance side of a load, kernel/multikernel/instance.c */
struct mk_instance *mk_instance_get(u32 id);
void mk_instance_put(struct mk_instance *inst);
int mk_instance_load_begin(struct mk_instance *inst);
void mk_instance_load_end(struct mk_instance *inst, bool loaded, bool file);

/* The loaded image, kernel/multikernel/load.c */
bool mk_image_place(struct mk_instance *inst, const bool *abort);
void mk_image_free(struct mk_instance *inst);

/* Provided by the architecture. */

/**
 * arch_multikernel_pool - the boot-time memory reservation
 * @res: filled with the reserved range
 *
 * Return: 0 and @res filled, or -ENODEV when nothing was reserved.
 */
int arch_multikernel_pool(struct resource *res);

/**
 * arch_multikernel_low_slice - sub-1MiB memory for one instance
 * @slot: instance slot, 0..MULTIKERNEL_MAX_INSTANCES-1
 * @base: filled with the physical start
 * @size: filled with the size
 *
 * Return: 0, or -ENOMEM when no low memory was reserved at boot.
 */
int arch_multikernel_low_slice(unsigned int slot, phys_addr_t *base,
			       size_t *size);

/* Checks the boot_params of a kexec_load() image, multikernel_image.c */
int arch_multikernel_check_image(struct mk_instance *inst);

#ifdef CONFIG_KEXEC_FILE
int arch_multikernel_file_entry(struct mk_instance *inst, unsigned long *seg,
				size_t *len);
#else
static inline int arch_multikernel_file_entry(struct mk_instance *inst,
					      unsigned long *seg, size_t *len)
{
	return -ENOEXEC;	/* no kexec_file_load() images */
}
#endif

/**
 * arch_multikernel_start - boot the instance's first CPU
 * @inst: loaded instance whose image has been placed in its RAM
 *
 * Enters @inst->image->start with %rsi = @inst->boot_params.
 *
 * Return: 0 once the CPU has left the host's trampoline, or a negative
 * errno; on error the CPU has been put back into wait-for-SIPI.
 */
int arch_multikernel_start(struct mk_instance *inst);

/**
 * arch_multikernel_stop_cpus - take the instance's CPUs back, verified
 * @inst: instance whose CPUs are to be stopped
 * @unparked: filled with the CPUs that did not acknowledge
 *
 * Forces every CPU of @inst out of the spawned kernel (INIT) into a
 * host-owned parking stub that acknowledges, and waits, bounded, for
 * every acknowledgment.  A CPU that did not acknowledge may still run
 * code of the spawned kernel.  Sleeps.
 *
 * Return: 0 when every CPU acknowledged, or -ETIMEDOUT (or -ENODEV
 * without the host's low memory) with @unparked not empty.
 */
int arch_multikernel_stop_cpus(struct mk_instance *inst,
			       struct cpumask *unparked);

/**
 * arch_multikernel_park_cpu - take one CPU of a running instance back
 * @inst: instance, running
 * @cpu: a CPU lent to @inst that its spawned kernel gave up or did not
 *	 bring up
 *
 * As arch_multikernel_stop_cpus() does for every CPU of an instance:
 * INIT, then the parking stub, and a bounded wait for its
 * acknowledgment.  Sleeps.
 *
 * Return: 0 when it acknowledged, -ETIMEDOUT (or -ENODEV without the
 * host's low memory or an id for @cpu) when it did not: it may still run
 * code of the spawned kernel.
 */
int arch_multikernel_park_cpu(struct mk_instance *inst, unsigned int cpu);

/**
 * arch_multikernel_cpu_hwid - how a spawned kernel names a lent CPU
 * @cpu: logical CPU number of a CPU lent to an instance
 *
 * Return: the id the spawned kernel knows it by in the boot information
 * (x86: its APIC id), as recorded when it was lent.
 */
u32 arch_multikernel_cpu_hwid(unsigned int cpu);

/**
 * arch_multikernel_fill_info - write the boot information for a start
 * @inst: instance about to start; @inst->info is mapped
 */
void arch_multikernel_fill_info(struct mk_instance *inst);

/**
 * arch_multikernel_lend_cpus - CPUs are (no longer) lent to instances
 * @lend: true when the first CPU is lent, false when the last one is back
 *
 * Calls balance.  While any CPU is lent the architecture must not send
 * broadcast IPIs that would reach it.  Called without the CPU hotplug
 * locks.
 */
void arch_multikernel_lend_cpus(bool lend);

/**
 * arch_multikernel_cpu_ok - can this CPU be handed to an instance
 * @cpu: logical CPU number
 *
 * Return: 0 or a negative errno with the reason logged.
 */
int arch_multikernel_cpu_ok(unsigned int cpu);

/**
 * arch_multikernel_cpu_lent - one CPU is lent to an instance or given back
 * @cpu:	logical CPU number, offline
 * @lent:	true when lent, false when given back
 *
 * When lent, the architecture records how to reach the CPU (on x86 its
 * APIC id): starting and stopping the instance use that record, never the
 * host's per-CPU data of a CPU it no longer has.  Called with the CPU
 * hotplug lock write-held, after arch_multikernel_cpu_ok() accepted @cpu.
 */
void arch_multikernel_cpu_lent(unsigned int cpu, bool lent);

#endif /* CONFIG_MULTIKERNEL */

#endif /* _LINUX_MULTIKERNEL_H */

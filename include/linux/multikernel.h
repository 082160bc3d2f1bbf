/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multikernel: boot further kernels on CPUs the running kernel has taken
 * offline and on memory it reserved at boot.
 *
 * The generic part (kernel/multikernel/) owns instances, their CPUs and
 * memory, the load paths behind kexec_load()/kexec_file_load() and the
 * user interfaces.  The architecture provides the boot reservation, image
 * parsing and the code that starts and stops an instance's CPUs.
 */
#ifndef _LINUX_MULTIKERNEL_H
#define _LINUX_MULTIKERNEL_H

#include <linux/cpumask.h>
#include <linux/kexec.h>
#include <linux/multikernel_chan.h>
#include <linux/sysfs.h>
#include <linux/types.h>

/*
 * Shared boot information.  The first page of an instance's memory belongs
 * to the host and holds, at MULTIKERNEL_INFO_OFFSET, one struct
 * multikernel_boot_info that both kernels read and write.  The layout is
 * versioned: a reader accepts any @version whose @compat_version it knows.
 */
#define MULTIKERNEL_BOOT_MAGIC		0x4d4b424fU	/* "MKBO" */
#define MULTIKERNEL_BOOT_VERSION	1
#define MULTIKERNEL_BOOT_COMPAT		1

/* Maximum number of CPUs handed to one instance. */
#define MULTIKERNEL_MAX_CPUS		64

/* Size of the host-owned shared area at the start of an instance. */
#define MULTIKERNEL_SHARED_SIZE		0x200000UL

/* Offset of the boot information in the shared area (room for a header). */
#define MULTIKERNEL_INFO_OFFSET		16

/* Values of multikernel_boot_info.guest_state, written by the spawn. */
#define MK_GUEST_BOOTING	0	/* host handed over the CPU */
#define MK_GUEST_EARLY		1	/* platform code ran */
#define MK_GUEST_BOOTED		2	/* kernel initialisation finished */
#define MK_GUEST_RUNNING	3	/* init (pid 1) is running user code */
#define MK_GUEST_HALTED		4	/* halted on request or by itself */
#define MK_GUEST_PANIC		5	/* panicked; reason in panic_msg */

/* Values of multikernel_boot_info.host_request, written by the host. */
#define MK_HOST_REQ_NONE	0
#define MK_HOST_REQ_STOP	1	/* orderly halt requested */

/**
 * struct multikernel_boot_info - what a spawned kernel learns from its host
 * @magic:		MULTIKERNEL_BOOT_MAGIC
 * @version:		layout version written by the host
 * @compat_version:	oldest layout version a reader must understand
 * @size:		bytes of this structure the host wrote
 * @instance_id:	instance number as shown in /proc/multikernel
 * @tsc_khz:		TSC frequency measured by the host
 * @cpu_khz:		CPU frequency measured by the host
 * @lapic_timer_period:	local APIC timer ticks per host jiffy
 * @host_hz:		HZ of the host, to rescale @lapic_timer_period
 * @uart_base:		I/O port of a 16550 UART handed over, 0 for none
 * @nr_cpus:		number of valid entries in @apic_ids
 * @apic_ids:		APIC ids of the instance's CPUs, boot CPU first
 * @mem_base:		physical start of the instance's RAM
 * @mem_size:		size of the instance's RAM
 * @shared_base:	physical start of the shared area (this page)
 * @shared_size:	size of the shared area
 * @guest_state:	MK_GUEST_*, written by the spawned kernel
 * @host_request:	MK_HOST_REQ_*, written by the host
 * @heartbeat:		incremented by the spawned kernel while it runs
 * @panic_msg:		NUL-terminated panic reason from the spawned kernel
 * @host_apicid:	APIC id of the host CPU that takes channel doorbells
 *
 * Fields are only ever appended; @size tells a reader how much was written.
 */
struct multikernel_boot_info {
	__u32	magic;
	__u16	version;
	__u16	compat_version;
	__u32	size;
	__u32	instance_id;
	__u32	tsc_khz;
	__u32	cpu_khz;
	__u32	lapic_timer_period;
	__u32	host_hz;
	__u16	uart_base;
	__u16	nr_cpus;
	__u32	apic_ids[MULTIKERNEL_MAX_CPUS];
	__u64	mem_base;
	__u64	mem_size;
	__u64	shared_base;
	__u64	shared_size;
	__u32	guest_state;
	__u32	host_request;
	__u64	heartbeat;
	char	panic_msg[128];
	__u32	host_apicid;
} __packed;

/* Maximum number of instances that can exist at once. */
#define MULTIKERNEL_MAX_INSTANCES	4

/**
 * enum mk_host_state - lifecycle of an instance as driven by the host
 * @MK_EMPTY:		created: CPUs and memory assigned, no image
 * @MK_LOADED:		image loaded, never started or stopped since load
 * @MK_STARTED:		CPUs handed to the spawned kernel
 * @MK_STOPPING:	stop requested, waiting for the spawned kernel
 * @MK_STOPPED:		CPUs taken back; can be started again
 */
enum mk_host_state {
	MK_EMPTY,
	MK_LOADED,
	MK_STARTED,
	MK_STOPPING,
	MK_STOPPED,
};

/**
 * struct mk_segment - one piece of a loaded image
 * @buf:	host copy of the contents, copied to @mem at every start
 * @bufsz:	bytes in @buf
 * @mem:	physical destination inside the instance's RAM
 * @memsz:	bytes at @mem; the part beyond @bufsz is zeroed
 */
struct mk_segment {
	void		*buf;
	size_t		bufsz;
	phys_addr_t	mem;
	size_t		memsz;
};

struct mk_cdev;

/**
 * struct mk_instance - one spawned kernel and the resources it owns
 * @id:		instance number (1..255), as used by the control interface
 * @state:	host side lifecycle state
 * @cpus:	CPUs assigned at create time; the first one boots
 * @boot_cpu:	first CPU of @cpus
 * @owns_cpus:	whether @cpus are currently claimed (host cannot online them)
 * @base:	physical start of the instance's memory (shared area first)
 * @size:	size of the instance's memory including the shared area
 * @ram_base:	physical start of the spawned kernel's RAM
 * @ram_size:	size of the spawned kernel's RAM
 * @low_base:	physical start of the instance's sub-1MiB slice
 * @low_size:	size of that slice
 * @uart:	I/O port of the UART handed to the instance, 0 for none
 * @entry:	physical entry point of the loaded image
 * @boot_params: physical address of the image's boot parameters
 * @nr_segments: number of entries in @segment
 * @segment:	the loaded image
 * @file_loaded: image came from kexec_file_load()
 * @loads:	number of successful loads
 * @starts:	number of successful starts
 * @start_time:	seconds since boot (CLOCK_BOOTTIME) of the last start
 * @info:	kernel mapping of the shared boot information
 * @chan:	channel to the spawned kernel
 * @lc_event:	last lifecycle event received (enum mk_lifecycle_event)
 * @crashed:	the spawned kernel reported a panic
 * @panic_reason: what it reported
 * @last_heartbeat: jiffies of the last heartbeat
 * @heartbeats:	heartbeats received since the last start
 * @sink_bytes:	bytes received as MK_MSG_SINK (benchmark)
 * @kobj:	/sys/kernel/multikernel/<id>
 * @console_attr: /sys/kernel/multikernel/<id>/console
 * @cdev:	/dev/mkchan<id>
 */
struct mk_instance {
	int			id;
	enum mk_host_state	state;
	cpumask_var_t		cpus;
	unsigned int		boot_cpu;
	bool			owns_cpus;
	phys_addr_t		base;
	size_t			size;
	phys_addr_t		ram_base;
	size_t			ram_size;
	phys_addr_t		low_base;
	size_t			low_size;
	u16			uart;
	unsigned long		entry;
	phys_addr_t		boot_params;
	unsigned int		nr_segments;
	struct mk_segment	segment[KEXEC_SEGMENT_MAX];
	bool			file_loaded;
	unsigned int		loads;
	unsigned int		starts;
	time64_t		start_time;
	struct multikernel_boot_info *info;
	struct mk_chan		chan;
	u32			lc_event;
	bool			crashed;
	char			panic_reason[128];
	unsigned long		last_heartbeat;
	u64			heartbeats;
	atomic64_t		sink_bytes;
	struct kobject		*kobj;
	struct bin_attribute	console_attr;
	struct mk_cdev		*cdev;
};

#ifdef CONFIG_MULTIKERNEL
/* kexec_load() flags accepted in addition to KEXEC_FLAGS */
#define MULTIKERNEL_KEXEC_FLAGS		KEXEC_MULTIKERNEL

long multikernel_kexec_load(unsigned long entry, unsigned long nr_segments,
			    struct kexec_segment *ks, unsigned long flags);
long multikernel_kexec_file_load(int kernel_fd, int initrd_fd,
				 unsigned long cmdline_len,
				 const char __user *cmdline_ptr,
				 unsigned long flags);

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

/**
 * arch_multikernel_load_file - place a kernel file into an instance
 * @inst:	instance with empty segment list
 * @kernel:	kernel file contents
 * @kernel_len:	its length
 * @initrd:	initramfs contents or NULL
 * @initrd_len:	its length
 * @cmdline:	NUL-terminated command line
 * @cmdline_len: its length including the NUL
 *
 * Fills @inst->segment, @inst->entry and @inst->boot_params.
 *
 * Return: 0 or a negative errno.
 */
int arch_multikernel_load_file(struct mk_instance *inst, const void *kernel,
			       size_t kernel_len, const void *initrd,
			       size_t initrd_len, const char *cmdline,
			       size_t cmdline_len);

/**
 * arch_multikernel_check_image - validate an image loaded by kexec_load()
 * @inst: instance whose segments were copied from user space
 *
 * Finds the boot parameters among the segments, records them in
 * @inst->boot_params and checks that they only describe the instance.
 *
 * Return: 0 or a negative errno.
 */
int arch_multikernel_check_image(struct mk_instance *inst);

/**
 * arch_multikernel_start - boot the instance's first CPU
 * @inst: loaded instance whose segments have been copied into place
 *
 * Return: 0 once the CPU has left the host's trampoline, or a negative
 * errno; on error the CPU has been put back into wait-for-SIPI.
 */
int arch_multikernel_start(struct mk_instance *inst);

/**
 * arch_multikernel_stop_cpus - force the instance's CPUs into reset
 * @inst: instance whose CPUs are to be stopped
 */
void arch_multikernel_stop_cpus(struct mk_instance *inst);

/**
 * arch_multikernel_fill_info - write the boot information for a start
 * @inst: instance about to start; @inst->info is mapped
 */
void arch_multikernel_fill_info(struct mk_instance *inst);

/**
 * arch_multikernel_lend_cpus - CPUs are (no longer) lent to an instance
 * @lend: true when an instance claimed CPUs, false when it released them
 *
 * Calls balance.  While any CPU is lent the architecture must not send
 * broadcast IPIs that would reach it.  Called without hotplug locks.
 */
void arch_multikernel_lend_cpus(bool lend);

/**
 * arch_multikernel_cpu_ok - can this CPU be handed to an instance
 * @cpu: logical CPU number
 *
 * Return: 0 or a negative errno with the reason logged.
 */
int arch_multikernel_cpu_ok(unsigned int cpu);
#else
#define MULTIKERNEL_KEXEC_FLAGS		0

static inline long multikernel_kexec_load(unsigned long entry,
					  unsigned long nr_segments,
					  struct kexec_segment *ks,
					  unsigned long flags)
{
	return -EINVAL;
}

static inline long multikernel_kexec_file_load(int kernel_fd, int initrd_fd,
					       unsigned long cmdline_len,
					       const char __user *cmdline_ptr,
					       unsigned long flags)
{
	return -EINVAL;
}
#endif

#endif /* _LINUX_MULTIKERNEL_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multikernel boot data shared between a host kernel and the kernels it
 * spawns on CPUs it has taken offline.
 *
 * The host writes one struct multikernel_boot_info into the first page of
 * an instance's shared area and links it into the spawned kernel's
 * boot_params setup_data chain as a SETUP_MULTIKERNEL entry.  The layout is
 * versioned: a reader accepts any @version whose @compat_version it knows.
 */
#ifndef _ASM_X86_MULTIKERNEL_H
#define _ASM_X86_MULTIKERNEL_H

#include <linux/types.h>

#define MULTIKERNEL_BOOT_MAGIC		0x4d4b424fU	/* "MKBO" */
#define MULTIKERNEL_BOOT_VERSION	1
#define MULTIKERNEL_BOOT_COMPAT		1

/* Maximum number of CPUs handed to one instance. */
#define MULTIKERNEL_MAX_CPUS		64

/* Size of the host-owned shared area at the start of an instance. */
#define MULTIKERNEL_SHARED_SIZE		0x200000UL

/* Size of the sub-1MiB slice each instance gets for its real-mode code. */
#define MULTIKERNEL_LOW_SLICE		0x10000UL

/* Values of multikernel_boot_info.guest_state, written by the spawn. */
#define MK_GUEST_BOOTING	0	/* host handed over the CPU */
#define MK_GUEST_EARLY		1	/* platform code ran */
#define MK_GUEST_RUNNING	2	/* late initcalls done, init started */
#define MK_GUEST_HALTED		3	/* halted on request or by itself */
#define MK_GUEST_PANIC		4	/* panicked; reason in panic_msg */

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
} __packed;

#ifdef CONFIG_MULTIKERNEL_GUEST
bool multikernel_guest(void);
#else
static inline bool multikernel_guest(void) { return false; }
#endif

#endif /* _ASM_X86_MULTIKERNEL_H */

/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * x86 part of the memory a multikernel host shares with a spawned kernel:
 * the boot information.  The layout of the whole area is in
 * <linux/multikernel.h>.
 */
#ifndef _UAPI_ASM_X86_MULTIKERNEL_H
#define _UAPI_ASM_X86_MULTIKERNEL_H

#include <linux/types.h>

/*
 * The shared area starts with a struct setup_data of type SETUP_MULTIKERNEL
 * (<asm/setup_data.h>) whose data is the boot information, so the area's
 * physical start is what boot_params.hdr.setup_data of a spawned kernel
 * holds: its instance's memory start plus MULTIKERNEL_SETUP_DATA_OFFSET.
 * The host writes the entry (next = 0, len = the boot information's size)
 * at every start.
 */
#define MULTIKERNEL_SETUP_DATA_OFFSET	0x0UL

/* Most CPUs one instance can have: the length of apic_ids[]. */
#define MULTIKERNEL_MAX_CPUS		64

#define MULTIKERNEL_BOOT_MAGIC		0x4d4b424fU	/* "MKBO" */

/* Newest layout version defined here, and the oldest a reader must know. */
#define MULTIKERNEL_BOOT_VERSION	3
#define MULTIKERNEL_BOOT_COMPAT		1

/* Bytes a host writes at least, per layout version */
#define MULTIKERNEL_BOOT_INFO_SIZE_V1	472
#define MULTIKERNEL_BOOT_INFO_SIZE_V2	480
#define MULTIKERNEL_BOOT_INFO_SIZE_V3	744

/* Oldest layout version a spawned kernel built with this header boots on */
#define MULTIKERNEL_BOOT_OLDEST		1

/* Magic of the boot ABI chunk in a bzImage's kernel_info */
#define MULTIKERNEL_IMAGE_ABI_MAGIC	"MKBA"

#ifndef __ASSEMBLY__

/**
 * struct multikernel_image_abi - boot ABI a kernel image speaks
 * @magic:		MULTIKERNEL_IMAGE_ABI_MAGIC, not NUL-terminated
 * @size:		bytes of the chunk, this header included (at least 12)
 * @boot_oldest:	oldest boot information layout version it boots on
 * @boot_newest:	newest boot information layout version it knows
 *
 * A bzImage built to run as a spawned kernel (CONFIG_MULTIKERNEL_GUEST)
 * carries this chunk in the variable-length part of its kernel_info (boot
 * protocol 2.15, Documentation/arch/x86/boot.rst), which is not
 * compressed: a host reads it from the file.  A host that writes layout
 * version V with compatible version C serves the image only if
 * 1 <= @boot_oldest <= V, @boot_oldest <= @boot_newest and
 * C <= @boot_newest; @boot_newest is the K of the reading rules below.
 * Fields are only appended; a reader ignores bytes beyond the ones it
 * knows.
 */
struct multikernel_image_abi {
	char	magic[4];
	__u32	size;
	__u16	boot_oldest;
	__u16	boot_newest;
};

/**
 * struct multikernel_boot_info - what a spawned kernel learns from its host
 * @magic:		MULTIKERNEL_BOOT_MAGIC
 * @version:		layout version the host wrote
 * @compat_version:	oldest layout version whose reader can use this one
 * @size:		bytes the host wrote, the setup_data length
 * @instance_id:	instance number, as the host's load syscalls name it
 * @tsc_khz:		TSC frequency measured by the host
 * @cpu_khz:		CPU frequency measured by the host, 0 for @tsc_khz
 * @lapic_timer_period:	local APIC timer ticks per host jiffy
 * @host_hz:		HZ of the host, to rescale @lapic_timer_period
 * @uart_base:		I/O port of a 16550 UART handed over, 0 for none
 * @nr_cpus:		number of valid entries in @apic_ids
 * @reserved0:		zero
 * @apic_ids:		APIC ids of the instance's CPUs, the started one first
 * @mem_base:		physical start of the instance's RAM
 * @mem_size:		size of the instance's RAM
 * @shared_base:	physical start of the shared area
 * @shared_size:	size of the shared area, MULTIKERNEL_SHARED_SIZE
 * @guest_state:	MK_GUEST_*, written by the spawned kernel (release)
 * @host_request:	MK_HOST_REQ_*, written by the host
 * @heartbeat:		incremented by the spawned kernel about every 100 ms
 *			once it has booted
 * @panic_msg:		NUL-terminated panic reason from the spawned kernel,
 *			written before MK_GUEST_PANIC
 * @host_apicid:	(version 2) APIC id of the host CPU that takes the
 *			channel's doorbells; version 1: 0
 * @reserved1:		(version 2) zero
 * @nr_hotplug_cpus:	(version 3) number of valid entries in
 *			@hotplug_apic_ids; version 1 and 2: 0
 * @reserved2:		(version 3) zero
 * @guest_features:	(version 3) MK_GUEST_F_*, what the spawned kernel
 *			can do, written by it (release) once it can; 0 until
 *			then
 * @hotplug_apic_ids:	(version 3) APIC ids of host CPUs the instance may
 *			be given while it runs (none of @apic_ids); at most
 *			MULTIKERNEL_MAX_CPUS - @nr_cpus
 *
 * Every field is naturally aligned and the structure has no implicit
 * padding, so each offset follows from the definition; <asm/multikernel.h>
 * pins every one of them with static_assert.  Versions only append fields:
 * version 1 ends after @panic_msg
 * (MULTIKERNEL_BOOT_INFO_SIZE_V1 bytes), version 2 after @reserved1
 * (MULTIKERNEL_BOOT_INFO_SIZE_V2), version 3 after @hotplug_apic_ids
 * (MULTIKERNEL_BOOT_INFO_SIZE_V3).  The host zeroes the structure and
 * fills it in at every start, with @version = the layout it writes,
 * @compat_version = the oldest version that describes the fields as the
 * host means them (1 as long as fields are only appended) and @size = the
 * bytes it wrote.  After that the host writes only @host_request and the
 * spawned kernel only @guest_state, @heartbeat, @panic_msg and, when the
 * host wrote version 3 or later, @guest_features.
 *
 * A spawned kernel that knows layout version K reads the structure if
 * @magic matches, 1 <= @compat_version <= K, @compat_version <= @version,
 * @version is at least the oldest it boots on (MULTIKERNEL_BOOT_OLDEST when
 * it was built) and @size covers every field of version min(@version, K);
 * fields of later versions than @version take the defaults listed above.
 * It refuses anything else, with a message, before it touches any
 * hardware.
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
	__u32	reserved0;
	__u32	apic_ids[MULTIKERNEL_MAX_CPUS];
	__u64	mem_base;
	__u64	mem_size;
	__u64	shared_base;
	__u64	shared_size;
	__u32	guest_state;
	__u32	host_request;
	__u64	heartbeat;
	char	panic_msg[128];
	/* version 2 */
	__u32	host_apicid;
	__u32	reserved1;
	/* version 3 */
	__u16	nr_hotplug_cpus;
	__u16	reserved2;
	__u32	guest_features;
	__u32	hotplug_apic_ids[MULTIKERNEL_MAX_CPUS];
};

#endif /* __ASSEMBLY__ */

#endif /* _UAPI_ASM_X86_MULTIKERNEL_H */

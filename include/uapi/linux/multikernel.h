/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Multikernel: the memory a host shares with each kernel it spawns.
 *
 * This is a protocol between two kernels that may be different builds, so
 * everything in it is little-endian, fixed-size, naturally aligned and
 * versioned.  The boot information at MULTIKERNEL_INFO_OFFSET is defined
 * by the architecture, in <asm/multikernel.h>.  User space needs only the
 * layout constants (a kexec_load() caller points its boot parameters at the
 * shared area); it talks to a spawned kernel through /dev/mkchanN.
 */
#ifndef _UAPI_LINUX_MULTIKERNEL_H
#define _UAPI_LINUX_MULTIKERNEL_H

#include <linux/types.h>

/**
 * DOC: Shared area layout
 *
 * An instance's memory starts with MULTIKERNEL_SHARED_SIZE bytes that the
 * host owns and both kernels map; the spawned kernel's RAM follows, and the
 * shared area is not part of the spawned kernel's memory map.  The host
 * initialises every header in it before each start.  Offsets are from the
 * start of the area:
 *
 * =====================  ===================================================
 * Offset                 Contents
 * =====================  ===================================================
 * 0x000000 - 0x00000f    Architecture boot header; x86: struct setup_data of
 *                        type SETUP_MULTIKERNEL at
 *                        MULTIKERNEL_SETUP_DATA_OFFSET
 * 0x000010 - 0x000fff    Boot information (struct multikernel_boot_info in
 *                        <asm/multikernel.h>) at MULTIKERNEL_INFO_OFFSET, at
 *                        most MULTIKERNEL_INFO_MAX_SIZE bytes
 * 0x001000 - 0x020fff    Start page tables built by the host,
 *                        MULTIKERNEL_PT_PAGES pages at MULTIKERNEL_PT_OFFSET
 * 0x021000 - 0x03ffff    Reserved
 * 0x040000 - 0x143fff    Channel at MK_CHAN_OFFSET: MK_NR_RINGS rings of
 *                        MK_RING_STRIDE bytes, each a MK_RING_HDR_SIZE
 *                        header (struct mk_ring_shared) followed by
 *                        MK_RING_DATA_SIZE bytes of records; ring n (enum
 *                        mk_ring_id) at MK_CHAN_OFFSET + n * MK_RING_STRIDE
 * 0x144000 - 0x144fff    Console header (struct mk_console_shared) at
 *                        MK_CONSOLE_OFFSET, MK_CONSOLE_HDR_SIZE bytes
 * 0x145000 - 0x184fff    Console bytes, MK_CONSOLE_SIZE, written by the
 *                        spawned kernel
 * 0x185000 - 0x1effff    Reserved
 * 0x1f0000 - 0x1fffff    Initial stack of the first CPU
 *                        (MULTIKERNEL_STACK_OFFSET, MULTIKERNEL_STACK_SIZE),
 *                        its top at MULTIKERNEL_STACK_TOP; the 16 bytes
 *                        above the top are zeroed at every start
 * =====================  ===================================================
 */
#define MULTIKERNEL_SHARED_SIZE		0x200000UL
/* the architecture's boot header; x86: MULTIKERNEL_SETUP_DATA_OFFSET */
#define MULTIKERNEL_BOOT_HDR_OFFSET	0x0UL
#define MULTIKERNEL_INFO_OFFSET		0x10UL
#define MULTIKERNEL_INFO_MAX_SIZE	0xff0UL
#define MULTIKERNEL_PT_OFFSET		0x1000UL
#define MULTIKERNEL_PT_PAGES		32
#define MULTIKERNEL_STACK_OFFSET	0x1f0000UL
#define MULTIKERNEL_STACK_SIZE		0x10000UL
#define MULTIKERNEL_STACK_TOP		0x1ffff0UL

#define MK_CHAN_OFFSET			0x40000UL
#define MK_NR_RINGS			4
#define MK_RING_HDR_SIZE		0x1000UL
#define MK_RING_DATA_SIZE		0x40000UL	/* power of two */
#define MK_RING_STRIDE			0x41000UL
#define MK_CONSOLE_OFFSET		0x144000UL
#define MK_CONSOLE_HDR_SIZE		0x1000UL
#define MK_CONSOLE_SIZE			0x40000UL	/* power of two */

/* Values of multikernel_boot_info.guest_state, written by the spawned kernel */
#define MK_GUEST_BOOTING	0	/* host handed over the CPU */
#define MK_GUEST_EARLY		1	/* platform code ran */
#define MK_GUEST_BOOTED		2	/* kernel initialisation finished */
#define MK_GUEST_RUNNING	3	/* init (pid 1) is running user code */
#define MK_GUEST_HALTED		4	/* halted on request or by itself */
#define MK_GUEST_PANIC		5	/* panicked; reason in panic_msg */

/* Values of multikernel_boot_info.host_request, written by the host */
#define MK_HOST_REQ_NONE	0
#define MK_HOST_REQ_STOP	1	/* orderly halt requested */

/*
 * Bits of multikernel_boot_info.guest_features (boot information version
 * 3), written by the spawned kernel
 */
#define MK_GUEST_F_CPUS		0x1	/* takes MK_LC_CPU_ADD, MK_LC_CPU_REMOVE */

/**
 * enum mk_ring_id - the rings of the channel, in the order they are laid out
 * @MK_RING_CTL_H2G:	control class, host to spawned kernel, produced by the
 *			host: MK_MSG_LIFECYCLE (the stop request, CPU
 *			requests) and MK_MSG_ECHO requests
 * @MK_RING_CTL_G2H:	control class, spawned kernel to host, produced by the
 *			spawned kernel: MK_MSG_LIFECYCLE (events and the
 *			replies to CPU requests), MK_MSG_PANIC and
 *			MK_MSG_ECHO replies
 * @MK_RING_DATA_H2G:	data class, host to spawned kernel, produced by the
 *			host: MK_MSG_USER and MK_MSG_SINK
 * @MK_RING_DATA_G2H:	data class, spawned kernel to host, produced by the
 *			spawned kernel: MK_MSG_USER and MK_MSG_SINK replies
 *
 * Ring n starts at MK_CHAN_OFFSET + n * MK_RING_STRIDE.  Each ring has one
 * producing and one consuming kernel.  The class of a message follows from
 * its type (enum mk_msg_type), and a reply travels in the class of its
 * request.  Control messages (lifecycle, panic, echo) and data (user
 * space, bulk) travel on separate rings so that a reader that stops taking
 * data cannot hold up heartbeats.
 */
enum mk_ring_id {
	MK_RING_CTL_H2G = 0,
	MK_RING_CTL_G2H = 1,
	MK_RING_DATA_H2G = 2,
	MK_RING_DATA_G2H = 3
};

#define MK_RING_MAGIC		0x4d4b5247U	/* "MKRG" */
#define MK_RING_VERSION		1

/**
 * struct mk_ring_shared - header of one ring of the channel
 * @magic:		MK_RING_MAGIC
 * @version:		MK_RING_VERSION: format of this header and the records
 * @size:		bytes of record space after the header,
 *			MK_RING_DATA_SIZE
 * @reserved0:		zero; gives @head a cache line of its own
 * @head:		producer index: bytes ever produced, free running
 *			(modulo 2^32); written by the producer only
 * @reserved1:		zero
 * @tail:		consumer index: bytes ever consumed, free running;
 *			written by the consumer only
 * @reserved2:		zero
 * @consumer_sleeping:	the consumer stopped polling and wants a doorbell
 *			(MULTIKERNEL_VECTOR) for the next record; set by the
 *			consumer, cleared by the producer that rings it
 * @reserved3:		zero
 * @producer_waiting:	a producer found the ring full and wants a
 *			doorbell once space is freed; set by the producer,
 *			cleared by the consumer that rings it
 * @reserved4:		zero
 *
 * @head, @tail, @consumer_sleeping and @producer_waiting each have a
 * 64-byte cache line of their own, so that the two kernels never write the
 * same line.  The host writes @magic, @version and @size, zeroes the rest
 * and sets @consumer_sleeping (so that the first record rings the
 * doorbell) before each start; a kernel that does not know @version must
 * not use the ring.  The offset of a record in the ring is its index
 * modulo @size, a power of two, and @head - @tail is the number of bytes
 * in use.
 * The ring holds records (struct mk_record_header and its payload) in
 * [@tail, @head).  Neither side trusts an index written by the other: each
 * keeps its own copy of the index it owns and checks the peer's against
 * @size.
 */
struct mk_ring_shared {
	__u32	magic;
	__u32	version;
	__u32	size;
	__u32	reserved0[13];
	__u32	head;
	__u32	reserved1[15];
	__u32	tail;
	__u32	reserved2[15];
	__u32	consumer_sleeping;
	__u32	reserved3[15];
	__u32	producer_waiting;
	__u32	reserved4[15];
};

/**
 * struct mk_record_header - header of one record in a ring
 * @type:	enum mk_msg_type
 * @flags:	MK_MSG_F_*
 * @len:	payload bytes following the header, at most MK_MSG_MAX
 * @seq:	request/reply matching
 * @reserved:	zero
 *
 * A record takes the header plus @len bytes, rounded up to
 * MK_RECORD_ALIGN.  Records never wrap around the end of a ring: an
 * MK_MSG_PAD record fills the rest of it instead.  The producer publishes
 * @head with release semantics after the whole record is written.
 */
struct mk_record_header {
	__u16	type;
	__u16	flags;
	__u32	len;
	__u32	seq;
	__u32	reserved;
};

#define MK_RECORD_ALIGN		16
#define MK_MSG_MAX		8192	/* largest payload */

/**
 * enum mk_msg_type - what a record carries
 * @MK_MSG_PAD:		no class: filler up to the end of the ring; never
 *			delivered, cannot be sent
 * @MK_MSG_LIFECYCLE:	control: struct mk_lifecycle
 * @MK_MSG_PANIC:	control: the spawned kernel's panic reason, at most
 *			127 bytes, not NUL-terminated
 * @MK_MSG_ECHO:	control: a request is answered with the same payload
 *			(round-trip measurement)
 * @MK_MSG_SINK:	data: payload counted (host) or ignored (spawned
 *			kernel); a request is answered, which throughput
 *			tests use as a fence after a burst
 * @MK_MSG_USER:	data: a datagram of /dev/mkchanN
 *
 * Control-class types travel on the control rings; MK_MSG_SINK and
 * MK_MSG_USER on the data rings.
 */
enum mk_msg_type {
	MK_MSG_PAD = 0,
	MK_MSG_LIFECYCLE = 1,
	MK_MSG_PANIC = 2,
	MK_MSG_ECHO = 3,
	MK_MSG_SINK = 4,
	MK_MSG_USER = 5
};

/* mk_record_header.flags */
#define MK_MSG_F_REQUEST	0x1	/* sender waits for a reply with @seq */
#define MK_MSG_F_REPLY		0x2	/* answers the request with @seq */

/**
 * enum mk_lifecycle_event - events of an MK_MSG_LIFECYCLE message
 * @MK_LC_BOOTED:	to the host: the spawned kernel finished its
 *			initcalls; the host's state becomes booted
 * @MK_LC_INIT_STARTED:	to the host: its pid 1 runs its program; state
 *			running
 * @MK_LC_HEARTBEAT:	to the host: it is alive (every 500 ms)
 * @MK_LC_STOP:		to the spawned kernel: the host asks it to power off
 * @MK_LC_HALTING:	to the host: it is halting; state halted
 * @MK_LC_CPU_ADD:	to the spawned kernel, a request (MK_MSG_F_REQUEST):
 *			bring up the CPU whose APIC id is @arg, one of the
 *			boot information's hotplug_apic_ids or a CPU it gave
 *			back; answered with a reply of the same event
 * @MK_LC_CPU_REMOVE:	to the spawned kernel, a request: take the CPU whose
 *			APIC id is @arg offline and forget it, so that the
 *			host can park it; answered with a reply of the same
 *			event
 *
 * Every event from the spawned kernel counts as a heartbeat, except the
 * replies (MK_MSG_F_REPLY), whose @arg is 0 or a positive errno.  The
 * host sends CPU requests only to a spawned kernel that set
 * MK_GUEST_F_CPUS in its boot information.
 */
enum mk_lifecycle_event {
	MK_LC_BOOTED = 1,
	MK_LC_INIT_STARTED = 2,
	MK_LC_HEARTBEAT = 3,
	MK_LC_STOP = 4,
	MK_LC_HALTING = 5,
	MK_LC_CPU_ADD = 6,
	MK_LC_CPU_REMOVE = 7
};

/**
 * struct mk_lifecycle - payload of MK_MSG_LIFECYCLE
 * @event:	enum mk_lifecycle_event
 * @arg:	the APIC id of a CPU request, the result of its reply; zero
 *		for the other events
 */
struct mk_lifecycle {
	__u32	event;
	__u32	arg;
};

#define MK_CONSOLE_MAGIC	0x4d4b434eU	/* "MKCN" */
#define MK_CONSOLE_VERSION	1

/**
 * struct mk_console_shared - header of the spawned kernel's console log
 * @magic:	MK_CONSOLE_MAGIC
 * @version:	MK_CONSOLE_VERSION
 * @size:	bytes of the log after the header, MK_CONSOLE_SIZE
 * @reserved:	zero
 * @head:	total bytes ever written; byte n of the output is at
 *		n % @size after the header
 *
 * The host writes @magic, @version and @size and zeroes @head before each
 * start; a spawned kernel that does not know @version does not write the
 * log.  The spawned kernel publishes @head with release semantics after the
 * bytes it covers; the host uses it only modulo @size.
 */
struct mk_console_shared {
	__u32	magic;
	__u32	version;
	__u32	size;
	__u32	reserved[13];
	__u64	head;
};

#endif /* _UAPI_LINUX_MULTIKERNEL_H */

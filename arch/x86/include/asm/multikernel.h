/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 side of the multikernel boot protocol.
 *
 * The host links the shared boot information (struct multikernel_boot_info,
 * preceded by a struct setup_data header) into the spawned kernel's
 * boot_params setup_data chain as a SETUP_MULTIKERNEL entry.  The spawned
 * kernel finds it there and runs as a "multikernel guest" platform.
 */
#ifndef _ASM_X86_MULTIKERNEL_H
#define _ASM_X86_MULTIKERNEL_H

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <uapi/linux/multikernel.h>
#include <uapi/asm/multikernel.h>

/* The documented layout of the boot information, version by version. */
static_assert(offsetof(struct multikernel_boot_info, magic) == 0);
static_assert(offsetof(struct multikernel_boot_info, version) == 4);
static_assert(offsetof(struct multikernel_boot_info, compat_version) == 6);
static_assert(offsetof(struct multikernel_boot_info, size) == 8);
static_assert(offsetof(struct multikernel_boot_info, instance_id) == 12);
static_assert(offsetof(struct multikernel_boot_info, tsc_khz) == 16);
static_assert(offsetof(struct multikernel_boot_info, cpu_khz) == 20);
static_assert(offsetof(struct multikernel_boot_info, lapic_timer_period) == 24);
static_assert(offsetof(struct multikernel_boot_info, host_hz) == 28);
static_assert(offsetof(struct multikernel_boot_info, uart_base) == 32);
static_assert(offsetof(struct multikernel_boot_info, nr_cpus) == 34);
static_assert(offsetof(struct multikernel_boot_info, apic_ids) == 40);
static_assert(offsetof(struct multikernel_boot_info, mem_base) == 296);
static_assert(offsetof(struct multikernel_boot_info, mem_size) == 304);
static_assert(offsetof(struct multikernel_boot_info, shared_base) == 312);
static_assert(offsetof(struct multikernel_boot_info, shared_size) == 320);
static_assert(offsetof(struct multikernel_boot_info, guest_state) == 328);
static_assert(offsetof(struct multikernel_boot_info, host_request) == 332);
static_assert(offsetof(struct multikernel_boot_info, heartbeat) == 336);
static_assert(offsetof(struct multikernel_boot_info, panic_msg) == 344);
static_assert(offsetofend(struct multikernel_boot_info, panic_msg) ==
	      MULTIKERNEL_BOOT_INFO_SIZE_V1);
static_assert(offsetof(struct multikernel_boot_info, host_apicid) ==
	      MULTIKERNEL_BOOT_INFO_SIZE_V1);
static_assert(offsetofend(struct multikernel_boot_info, reserved1) ==
	      MULTIKERNEL_BOOT_INFO_SIZE_V2);
static_assert(offsetof(struct multikernel_boot_info, nr_hotplug_cpus) == 480);
static_assert(offsetof(struct multikernel_boot_info, reserved2) == 482);
static_assert(offsetof(struct multikernel_boot_info, guest_features) == 484);
static_assert(offsetof(struct multikernel_boot_info, hotplug_apic_ids) == 488);
static_assert(sizeof(struct multikernel_boot_info) ==
	      MULTIKERNEL_BOOT_INFO_SIZE_V3);
static_assert(MULTIKERNEL_BOOT_VERSION == 3);
static_assert(sizeof(struct multikernel_boot_info) <= MULTIKERNEL_INFO_MAX_SIZE);

/**
 * multikernel_boot_info_size - bytes a layout version has at least
 * @version: layout version, 1..MULTIKERNEL_BOOT_VERSION
 *
 * Return: the size of @version, or 0 for a version this kernel does not know.
 */
static inline u32 multikernel_boot_info_size(unsigned int version)
{
	switch (version) {
	case 1:
		return MULTIKERNEL_BOOT_INFO_SIZE_V1;
	case 2:
		return MULTIKERNEL_BOOT_INFO_SIZE_V2;
	case 3:
		return MULTIKERNEL_BOOT_INFO_SIZE_V3;
	}
	return 0;
}

#ifdef CONFIG_MULTIKERNEL
/* Offsets into the start trampoline, see multikernel_trampoline.S. */
enum {
	TR_GDT_DESC, TR_GDT, TR_PM_PTR, TR_PM, TR_LM_PTR, TR_LM, TR_CR3_LOW,
	TR_CR3, TR_STACK, TR_BOOT_PARAMS, TR_ENTRY, TR_HANDOFF, TR_NR
};

extern const u8 mk_trampoline_start[], mk_trampoline_end[];
extern const u32 mk_trampoline_offsets[TR_NR];

/* Offsets into the parking stub, see multikernel_park.S. */
enum {
	PARK_IDT_DESC, PARK_COUNT, PARK_MUTE, PARK_IVT, PARK_TRAP, PARK_ACKS,
	PARK_NR
};

extern const u8 mk_park_start[], mk_park_end[];
extern const u32 mk_park_offsets[PARK_NR];

void multikernel_reserve(void);
/* Low slot 0 (multikernel.c): the trampoline page and its page tables */
phys_addr_t multikernel_low_base(void);
/* The APIC id of a lent CPU, recorded when lent (multikernel.c) */
u32 multikernel_cpu_apicid(unsigned int cpu);
#else
static inline void multikernel_reserve(void) { }
#endif

#ifdef CONFIG_MULTIKERNEL_GUEST
bool multikernel_guest(void);
void multikernel_guest_init(void *shared, u32 instance_id, u32 host_apicid);
void multikernel_guest_halted(void);
int multikernel_guest_cpu_add(u32 apicid);
int multikernel_guest_cpu_remove(u32 apicid);
u32 multikernel_guest_features(void);
#else
static inline bool multikernel_guest(void) { return false; }
#endif

#endif /* _ASM_X86_MULTIKERNEL_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 side of the multikernel boot protocol.
 *
 * The host links the shared boot information page (struct
 * multikernel_boot_info, preceded by a struct setup_data header) into the
 * spawned kernel's boot_params setup_data chain as a SETUP_MULTIKERNEL
 * entry.  The spawned kernel finds it there and runs as a "multikernel
 * guest" platform.
 */
#ifndef _ASM_X86_MULTIKERNEL_H
#define _ASM_X86_MULTIKERNEL_H

#include <linux/multikernel.h>

#ifdef CONFIG_MULTIKERNEL
/* Offsets into the start trampoline, see multikernel_trampoline.S. */
enum {
	TR_GDT_DESC, TR_GDT, TR_PM_PTR, TR_PM, TR_LM_PTR, TR_LM, TR_CR3_LOW,
	TR_CR3, TR_STACK, TR_BOOT_PARAMS, TR_ENTRY, TR_HANDOFF, TR_NR
};

extern const u8 mk_trampoline_start[], mk_trampoline_end[];
extern const u32 mk_trampoline_offsets[TR_NR];

void multikernel_reserve(void);
#else
static inline void multikernel_reserve(void) { }
#endif

#ifdef CONFIG_MULTIKERNEL_GUEST
bool multikernel_guest(void);
void multikernel_guest_init(struct multikernel_boot_info *info);
void multikernel_guest_halted(void);
#else
static inline bool multikernel_guest(void) { return false; }
#endif

#endif /* _ASM_X86_MULTIKERNEL_H */

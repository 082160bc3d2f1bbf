/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multikernel start trampoline.
 *
 * This blob is never executed where it is linked.  The host copies it to a
 * page below 1 MiB that was reserved at boot, fills in the parameter
 * fields and sends INIT/SIPI to the first CPU of an instance.  The CPU
 * starts in real mode at the copy, switches to protected mode and long
 * mode through a fixed identity map of the first 2 MiB, loads the
 * instance's own page tables (which also map the instance's memory),
 * reports that it left the trampoline and jumps to the image entry with
 * %rsi pointing to boot_params, as the 64-bit boot protocol requires.
 *
 * The CPU comes out of INIT, so CR4.CET and all other control state are
 * in their reset values; no ENDBR is needed at the entry.
 */

#include <linux/linkage.h>
#include <asm/msr-index.h>
#include <asm/page_types.h>
#include <asm/processor-flags.h>

#define MK_CS32		0x08
#define MK_CS64		0x10	/* __BOOT_CS of the 64-bit boot protocol */
#define MK_DS		0x18	/* __BOOT_DS */

#define OFF(x)		((x) - mk_trampoline_start)

	.section ".rodata", "a"
	.balign	PAGE_SIZE
SYM_DATA_START(mk_trampoline_start)
	.code16
	cli
	cld
	movw	%cs, %si
	movw	%si, %ds
	movzwl	%si, %esi
	shll	$4, %esi		/* linear address of this copy */
	lgdtl	OFF(mk_tr_gdt_desc)
	/* explicit values: INIT leaves CR0.CD and CR0.NW set */
	movl	$(CR0_STATE & ~X86_CR0_PG), %eax
	movl	%eax, %cr0
	ljmpl	*OFF(mk_tr_pm_ptr)

	.code32
mk_tr_pm:
	movl	$MK_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%cr4, %eax
	orl	$X86_CR4_PAE, %eax
	movl	%eax, %cr4
	movl	OFF(mk_tr_cr3_low)(%esi), %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	$CR0_STATE, %eax
	movl	%eax, %cr0
	ljmpl	*OFF(mk_tr_lm_ptr)(%esi)

	.code64
mk_tr_lm:
	movq	mk_tr_cr3(%rip), %rax
	movq	%rax, %cr3
	movq	mk_tr_stack(%rip), %rsp
	movq	mk_tr_boot_params(%rip), %rsi
	movq	mk_tr_entry(%rip), %rax
	movl	$1, mk_tr_handoff(%rip)
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	jmpq	*%rax

	.balign	8
mk_tr_gdt:
	.quad	0
	.quad	0x00cf9b000000ffff	/* MK_CS32: 4 GiB flat 32-bit code */
	.quad	0x00af9b000000ffff	/* MK_CS64: 64-bit code */
	.quad	0x00cf93000000ffff	/* MK_DS: 4 GiB flat data */
mk_tr_gdt_end:

/* Fields filled in by the host (see arch/x86/kernel/multikernel_start.c). */
	.balign	8
SYM_DATA_LOCAL(mk_tr_gdt_desc,	.word mk_tr_gdt_end - mk_tr_gdt - 1; .long 0)
	.balign	8
SYM_DATA_LOCAL(mk_tr_pm_ptr,	.long 0; .word MK_CS32)
	.balign	8
SYM_DATA_LOCAL(mk_tr_lm_ptr,	.long 0; .word MK_CS64)
	.balign	8
SYM_DATA_LOCAL(mk_tr_cr3_low,	.quad 0)
SYM_DATA_LOCAL(mk_tr_cr3,	.quad 0)
SYM_DATA_LOCAL(mk_tr_stack,	.quad 0)
SYM_DATA_LOCAL(mk_tr_boot_params, .quad 0)
SYM_DATA_LOCAL(mk_tr_entry,	.quad 0)
SYM_DATA_LOCAL(mk_tr_handoff,	.long 0)
SYM_DATA_END_LABEL(mk_trampoline_start, SYM_L_GLOBAL, mk_trampoline_end)

/* Offsets of the fields, for the C side. */
	.section ".rodata", "a"
	.balign	4
SYM_DATA_START(mk_trampoline_offsets)
	.long	OFF(mk_tr_gdt_desc)
	.long	OFF(mk_tr_gdt)
	.long	OFF(mk_tr_pm_ptr)
	.long	OFF(mk_tr_pm)
	.long	OFF(mk_tr_lm_ptr)
	.long	OFF(mk_tr_lm)
	.long	OFF(mk_tr_cr3_low)
	.long	OFF(mk_tr_cr3)
	.long	OFF(mk_tr_stack)
	.long	OFF(mk_tr_boot_params)
	.long	OFF(mk_tr_entry)
	.long	OFF(mk_tr_handoff)
SYM_DATA_END(mk_trampoline_offsets)

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multikernel parking stub.
 *
 * This blob is never executed where it is linked.  The host copies it to
 * a page of its low memory (slot 0, after the start trampoline and its
 * page tables) and, to take back a CPU of an instance, sends INIT and then
 * a STARTUP IPI pointing at the copy.  Only a CPU that really went through
 * INIT into wait-for-SIPI runs it: a CPU that blocks INIT (VMX root
 * operation, SVM with GIF clear, SMM) ignores the STARTUP IPI.  The stub
 * disables interrupts, turns the caches on that INIT left disabled,
 * points the real-mode interrupt table at its own halt loop (an NMI or
 * machine check only halts the CPU again), writes its APIC id into the
 * next free acknowledgment slot and halts for good.  The host hands the
 * CPU back only when it finds that APIC id among the acknowledgments
 * (multikernel_start.c).
 *
 * The APIC id comes from CPUID: leaf 0xb (the x2APIC id) where the CPU
 * has it, else the initial APIC id of leaf 1, the ids the host's
 * topology code records for its CPUs.
 *
 * A copy with mk_park_mute set halts without acknowledging: the
 * CONFIG_MULTIKERNEL_TEST_ABI fault knob points a CPU's STARTUP IPI at it
 * to test what the host does with a CPU that never acknowledges.
 */

#include <linux/linkage.h>
#include <asm/page_types.h>
#include <asm/processor-flags.h>

/* Acknowledgment slots: more than the CPUs of one instance */
#define MK_PARK_ACKS	256
#define MK_PARK_STACK	64

#define OFF(x)		((x) - mk_park_start)

	.section ".rodata", "a"
	.balign	PAGE_SIZE
SYM_DATA_START(mk_park_start)
	.code16
	cli
	cld
	/* INIT leaves CR0.CD and CR0.NW set: the ack must reach memory */
	movl	$X86_CR0_ET, %eax
	movl	%eax, %cr0
	movw	%cs, %ax
	movw	%ax, %ds
	movw	%ax, %ss
	movw	$OFF(mk_park_stack_top), %sp
	lidtl	OFF(mk_park_idt_desc)
	cmpb	$0, OFF(mk_park_mute)
	jne	mk_park_halt

	xorl	%eax, %eax
	cpuid
	cmpl	$0xb, %eax
	jb	1f
	movl	$0xb, %eax
	xorl	%ecx, %ecx
	cpuid
	testl	%ebx, %ebx
	jz	1f
	movl	%edx, %esi		/* x2APIC id */
	jmp	2f
1:	movl	$1, %eax
	cpuid
	shrl	$24, %ebx
	movl	%ebx, %esi		/* initial APIC id */
2:	movl	$1, %eax
	lock xaddl %eax, OFF(mk_park_count)
	cmpl	$MK_PARK_ACKS, %eax
	jae	mk_park_halt
	movl	%esi, OFF(mk_park_acks)(,%eax,4)

mk_park_halt:
	hlt
	jmp	mk_park_halt

/* Every vector of the interrupt table: a fresh stack, then halt again. */
mk_park_trap:
	movw	$OFF(mk_park_stack_top), %sp
	jmp	mk_park_halt
	.code64

/* Fields filled in by the host (see arch/x86/kernel/multikernel_start.c). */
	.balign	8
SYM_DATA_LOCAL(mk_park_idt_desc, .word 256 * 4 - 1; .long 0)
	.balign	4
SYM_DATA_LOCAL(mk_park_count,	.long 0)
SYM_DATA_LOCAL(mk_park_mute,	.byte 0)
	.balign	4
SYM_DATA_LOCAL(mk_park_ivt,	.fill 256, 4, 0)
SYM_DATA_LOCAL(mk_park_stack,	.fill MK_PARK_STACK, 1, 0)
mk_park_stack_top:
SYM_DATA_LOCAL(mk_park_acks,	.fill MK_PARK_ACKS, 4, 0xffffffff)
SYM_DATA_END_LABEL(mk_park_start, SYM_L_GLOBAL, mk_park_end)

/* Offsets of the fields, for the C side; the acks run to mk_park_end. */
	.section ".rodata", "a"
	.balign	4
SYM_DATA_START(mk_park_offsets)
	.long	OFF(mk_park_idt_desc)
	.long	OFF(mk_park_count)
	.long	OFF(mk_park_mute)
	.long	OFF(mk_park_ivt)
	.long	OFF(mk_park_trap)
	.long	OFF(mk_park_acks)
SYM_DATA_END(mk_park_offsets)

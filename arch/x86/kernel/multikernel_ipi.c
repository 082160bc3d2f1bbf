// SPDX-License-Identifier: GPL-2.0
/*
 * MULTIKERNEL_VECTOR: the doorbell between a multikernel host and the
 * kernels it spawned.  Both sides run the same vector number; an IPI on it
 * only says "look at your channels".
 */

#include <linux/irqflags.h>
#include <linux/multikernel_chan.h>
#include <linux/processor.h>

#include <asm/apic.h>
#include <asm/idtentry.h>
#include <asm/irq_vectors.h>

DEFINE_IDTENTRY_SYSVEC(sysvec_multikernel)
{
	apic_eoi();
	multikernel_chan_irq();
}

/**
 * arch_multikernel_send_ipi - ring the doorbell of a CPU of another kernel
 * @apicid: physical APIC id of the target CPU
 *
 * The target is not a CPU of this kernel, so the normal IPI paths (which
 * take logical CPU numbers) cannot be used.
 */
void arch_multikernel_send_ipi(u32 apicid)
{
	unsigned long flags;

	local_irq_save(flags);
	/* an IPI still in flight from this CPU would swallow the doorbell */
	apic_wait_icr_idle();
	/*
	 * The x2APIC ICR is an MSR, and on Intel such a WRMSR is not ordered
	 * after earlier stores: without the fence the IPI may overtake the
	 * ring write it announces.
	 */
	if (x2apic_mode)
		weak_wrmsr_fence();
	apic_icr_write(APIC_DM_FIXED | MULTIKERNEL_VECTOR, apicid);
	local_irq_restore(flags);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Spawned-kernel internals shared by guest.c and its hostile-peer test
 * modes, guest_hostile.c (CONFIG_MULTIKERNEL_TEST_HOSTILE).
 */
#ifndef _KERNEL_MULTIKERNEL_GUEST_H
#define _KERNEL_MULTIKERNEL_GUEST_H

#include <linux/types.h>

struct mk_chan;

#ifdef CONFIG_MULTIKERNEL_TEST_HOSTILE
void mk_guest_hostile_poll(struct mk_chan *ch, void *shared, bool started);
#else
static inline void mk_guest_hostile_poll(struct mk_chan *ch, void *shared,
					 bool started)
{
}
#endif

#endif /* _KERNEL_MULTIKERNEL_GUEST_H */

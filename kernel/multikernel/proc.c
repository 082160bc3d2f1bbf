// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/multikernel: a human summary of every instance, one line each.
 *
 * Generated from the same data as the configfs attributes, which are the
 * interface for programs; this table may change.  Physical addresses are
 * shown to CAP_SYS_ADMIN readers only.  Readers never wait for a start or
 * stop: nothing here takes an instance's lock.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/capability.h>
#include <linux/jiffies.h>
#include <linux/proc_fs.h>
#include <linux/security.h>
#include <linux/seq_file.h>

#include "internal.h"

/**
 * mk_heartbeat_age_ms - time since the spawned kernel's last heartbeat
 * @inst: instance
 *
 * Return: milliseconds, or -1 when it is not started or sent none yet.
 */
long mk_heartbeat_age_ms(struct mk_instance *inst)
{
	enum mk_state st = READ_ONCE(inst->state);

	if (!mk_started(st) || !atomic64_read(&inst->heartbeats))
		return -1;
	return jiffies_to_msecs(jiffies - READ_ONCE(inst->last_heartbeat));
}

/*
 * How long the last start took to reach each of its marks, and the image's
 * refresh after the stop.
 */
static void mk_proc_start_times(struct seq_file *m, struct mk_instance *inst)
{
	static const char * const what[MK_START_NR] = {
		[MK_START_HANDOFF]	= "handoff",
		[MK_START_BOOTED]	= "booted",
		[MK_START_RUNNING]	= "init",
	};
	u32 us[MK_START_NR];
	int i;

	spin_lock(&inst->state_lock);
	memcpy(us, inst->start_us, sizeof(us));
	spin_unlock(&inst->state_lock);
	if (!us[MK_START_HANDOFF])
		return;
	seq_printf(m, "# %u last start:", inst->id);
	for (i = 0; i < MK_START_NR && us[i]; i++)
		seq_printf(m, "%s %s %u us", i ? "," : "", what[i], us[i]);
	seq_putc(m, '\n');
	if (READ_ONCE(inst->state) == MK_ST_STOPPED && READ_ONCE(inst->refresh_us))
		seq_printf(m, "# %u image back in place for the next start, in %u us\n",
			   inst->id, READ_ONCE(inst->refresh_us));
}

static void mk_proc_row(struct seq_file *m, struct mk_instance *inst,
			bool priv)
{
	long age = mk_heartbeat_age_ms(inst);
	char cpus[32];

	scnprintf(cpus, sizeof(cpus), "%*pbl", cpumask_pr_args(inst->cpus));
	seq_printf(m, "%-5u %-12s %-12s %-8s %6zuM %#6x %5u %6u %9lld ",
		   inst->id, config_item_name(&inst->group.cg_item),
		   mk_state_name(READ_ONCE(inst->state)),
		   cpus, READ_ONCE(inst->size) >> 20,
		   READ_ONCE(inst->uart), READ_ONCE(inst->loads),
		   READ_ONCE(inst->starts), atomic64_read(&inst->heartbeats));
	if (age >= 0)
		seq_printf(m, "%9ld ", age);
	else
		seq_printf(m, "%9s ", "-");
	seq_printf(m, "%8lld %8lld %6lld", atomic64_read(&inst->chan.tx_msgs),
		   atomic64_read(&inst->chan.rx_msgs),
		   atomic64_read(&inst->chan.errors));
	if (priv && READ_ONCE(inst->size))
		seq_printf(m, "  ram %pa+%#zx low %pa+%#zx",
			   &inst->ram_base, inst->ram_size,
			   &inst->low_base, inst->low_size);
	seq_putc(m, '\n');
	mk_proc_start_times(m, inst);
	if (READ_ONCE(inst->chan.broken))
		seq_printf(m, "# %u channel broken: %.*s\n", inst->id,
			   (int)sizeof(inst->chan.broken_reason),
			   inst->chan.broken_reason);
	if (READ_ONCE(inst->state) == MK_ST_QUARANTINED)
		seq_printf(m, "# %u quarantined: cpus %*pbl did not acknowledge parking at its stop\n",
			   inst->id, cpumask_pr_args(inst->unparked));
	if (READ_ONCE(inst->restarts))
		seq_printf(m, "# %u restarts: %u of %u (%s), the last after it %.*s\n",
			   inst->id, READ_ONCE(inst->restarts),
			   READ_ONCE(inst->restart_limit),
			   mk_restart_policy_name(READ_ONCE(inst->restart)),
			   (int)sizeof(inst->restart_reason),
			   inst->restart_reason);
	if (READ_ONCE(inst->state) == MK_ST_CRASHED) {
		/* pairs with mk_host_crashed(): the reason is complete */
		smp_rmb();
		/* stored escaped already; %pE keeps this line one line anyway */
		seq_printf(m, "# %u panic: %*pE\n", inst->id,
			   (int)strnlen(inst->panic_reason,
					sizeof(inst->panic_reason)),
			   inst->panic_reason);
	}
}

static int mk_proc_show(struct seq_file *m, void *v)
{
	bool priv = security_capable(m->file->f_cred, &init_user_ns,
				     CAP_SYS_ADMIN, CAP_OPT_NOAUDIT) == 0;
	struct resource pool;
	int i;

	if (priv && mk_pool_range(&pool))
		seq_printf(m, "# pool %pa-%pa\n", &pool.start, &pool.end);
	else if (mk_pool_runtime())
		seq_puts(m, "# pool none: instance memory is allocated at run time\n");
	seq_puts(m, "id    name         state        cpus     memory   uart loads starts heartbeats hb_age_ms  tx_msgs  rx_msgs errors\n");
	mutex_lock(&mk_list_lock);
	for (i = 0; i < MULTIKERNEL_MAX_INSTANCES; i++)
		if (mk_slots[i])
			mk_proc_row(m, mk_slots[i], priv);
	mutex_unlock(&mk_list_lock);
	mk_quarantine_show(m, priv);
	return 0;
}

/**
 * mk_proc_init - create /proc/multikernel
 *
 * Return: 0 or -ENOMEM.
 */
int __init mk_proc_init(void)
{
	return proc_create_single("multikernel", 0444, NULL, mk_proc_show) ?
	       0 : -ENOMEM;
}

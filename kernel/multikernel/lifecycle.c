// SPDX-License-Identifier: GPL-2.0
/*
 * Multikernel host lifecycle: what the host's own restart, halt, power
 * off, kexec and system sleep do to its instances.
 *
 * No spawned kernel outlives the host kernel that started it: the next
 * kernel (after kexec -e, or firmware after a reboot) would bring the
 * lent CPUs up under it and take its memory as free RAM.  Restart, halt,
 * power off and kexec -e all run the reboot notifier chain
 * (kernel_restart_prepare(), kernel_shutdown_prepare()), so one notifier
 * covers them: it asks every started instance to halt at once, waits for
 * all of them up to MK_LC_STOP_MS in total, forces the ones still running
 * and logs each.  From then on no instance starts (-ESHUTDOWN).
 *
 * Suspend and hibernation are refused (-EBUSY) while an instance owns
 * CPUs: the host cannot take such a CPU down and bring it back, and a
 * frozen host leaves a running spawn without its services.
 *
 * This file owns the two notifiers and the "host going down" flag; the
 * stops themselves are instance.c's (mk_instance_stop()).
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/delay.h>
#include <linux/init.h>
#include <linux/kexec.h>
#include <linux/ktime.h>
#include <linux/notifier.h>
#include <linux/reboot.h>
#include <linux/slab.h>
#include <linux/suspend.h>
#include <linux/workqueue.h>

#include "internal.h"

/* Total time the instances get to halt on request when the host goes. */
#define MK_LC_STOP_MS		5000
/* Extra time for forced stops and hand-overs in progress after that. */
#define MK_LC_FORCE_MS		2000
/* How often a stop that found a start or stop in progress tries again. */
#define MK_LC_RETRY_MS		20

/* set once by the reboot notifier; never cleared */
static bool mk_lc_down;

/**
 * mk_host_going_down - the host is restarting, halting, powering off or
 * kexec-rebooting
 *
 * Read under inst->lock by starts; the reboot notifier sets it before it
 * takes any instance's lock, so a start either is seen by the notifier or
 * sees the flag.
 *
 * Return: true once no instance may be started any more.
 */
bool mk_host_going_down(void)
{
	return READ_ONCE(mk_lc_down);
}

struct mk_lc_stop {
	struct work_struct	work;
	struct mk_instance	*inst;
	enum mk_state		prev;
	unsigned long		deadline;	/* jiffies: graceful budget */
};

/*
 * Stop one instance within the shared deadline: gracefully while time is
 * left, forced after.  A start in hand-over or a user's stop in progress
 * makes mk_instance_stop() return -EBUSY: try again (a kill ends a user's
 * graceful wait), bounded by MK_LC_FORCE_MS past the deadline.
 */
static void mk_lc_stop_work(struct work_struct *work)
{
	struct mk_lc_stop *s = container_of(work, struct mk_lc_stop, work);
	unsigned long give_up = s->deadline + msecs_to_jiffies(MK_LC_FORCE_MS);

	for (;;) {
		long left = (long)(s->deadline - jiffies);

		mk_instance_stop(s->inst, left > 0 ? jiffies_to_msecs(left) : 0);
		if (!mk_started(READ_ONCE(s->inst->state)) ||
		    time_after(jiffies, give_up))
			break;
		msleep(MK_LC_RETRY_MS);
	}
}

static const char *mk_lc_how(struct mk_lc_stop *s)
{
	struct multikernel_boot_info *info = s->inst->info;

	if (s->prev == MK_ST_HALTED)
		return "had halted by itself";
	if (info && READ_ONCE(info->guest_state) == MK_GUEST_HALTED)
		return "halted on request";
	return "forced";
}

/* Which started instances there are; their lock orders them after the flag. */
static int mk_lc_collect(struct mk_lc_stop *stops, unsigned long deadline)
{
	struct mk_instance *inst;
	int i, n = 0;

	mutex_lock(&mk_list_lock);
	for (i = 0; i < MULTIKERNEL_MAX_INSTANCES; i++) {
		inst = mk_slots[i];
		if (!inst)
			continue;
		/* a start that held the lock has marked itself by now */
		mutex_lock(&inst->lock);
		stops[n].prev = READ_ONCE(inst->state);
		if (mk_started(stops[n].prev) || inst->busy) {
			config_item_get(&inst->group.cg_item);
			stops[n].inst = inst;
			stops[n].deadline = deadline;
			INIT_WORK(&stops[n].work, mk_lc_stop_work);
			n++;
		}
		mutex_unlock(&inst->lock);
	}
	mutex_unlock(&mk_list_lock);
	return n;
}

static int mk_lc_reboot(struct notifier_block *nb, unsigned long action,
			void *data)
{
	const char *what = kexec_in_progress ? "kexec" :
			   action == SYS_POWER_OFF ? "power off" :
			   action == SYS_HALT ? "halt" : "restart";
	struct mk_lc_stop *stops;
	ktime_t t0 = ktime_get();
	int i, n;

	WRITE_ONCE(mk_lc_down, true);
	stops = kcalloc(MULTIKERNEL_MAX_INSTANCES, sizeof(*stops), GFP_KERNEL);
	if (!stops) {
		pr_err("no memory to stop the instances before host %s\n", what);
		return NOTIFY_DONE;
	}
	n = mk_lc_collect(stops, jiffies + msecs_to_jiffies(MK_LC_STOP_MS));
	/* all asked at once: each waits for its own, under one deadline */
	for (i = 0; i < n; i++)
		queue_work(system_unbound_wq, &stops[i].work);
	for (i = 0; i < n; i++) {
		struct mk_instance *inst = stops[i].inst;
		enum mk_state st;

		flush_work(&stops[i].work);
		st = READ_ONCE(inst->state);
		if (mk_started(st))
			pr_err("instance %u: still %s at host %s\n", inst->id,
			       mk_state_name(st), what);
		else
			pr_notice("instance %u: stopped (%s) before host %s\n",
				  inst->id, mk_lc_how(&stops[i]), what);
		mk_instance_put(inst);
	}
	if (n)
		pr_notice("%d instance(s) stopped in %lld ms before host %s\n",
			  n, ktime_ms_delta(ktime_get(), t0), what);
	kfree(stops);
	return NOTIFY_DONE;
}

static struct notifier_block mk_lc_reboot_nb = {
	.notifier_call = mk_lc_reboot,
};

/* Suspend and hibernation: refused while any instance owns CPUs. */
static int mk_lc_pm(struct notifier_block *nb, unsigned long action,
		    void *data)
{
	struct mk_instance *inst = NULL;
	int i;

	if (action != PM_SUSPEND_PREPARE && action != PM_HIBERNATION_PREPARE)
		return NOTIFY_DONE;
	mutex_lock(&mk_list_lock);
	for (i = 0; i < MULTIKERNEL_MAX_INSTANCES && !inst; i++)
		if (mk_slots[i] && READ_ONCE(mk_slots[i]->owns_cpus))
			inst = mk_slots[i];
	if (inst)
		pr_warn_ratelimited("instance %u (%s) owns cpus %*pbl: %s refused\n",
				    inst->id,
				    config_item_name(&inst->group.cg_item),
				    cpumask_pr_args(inst->cpus),
				    action == PM_SUSPEND_PREPARE ? "suspend" :
				    "hibernation");
	mutex_unlock(&mk_list_lock);
	return inst ? notifier_from_errno(-EBUSY) : NOTIFY_DONE;
}

static struct notifier_block mk_lc_pm_nb = {
	.notifier_call = mk_lc_pm,
};

/**
 * mk_lifecycle_init - stop instances before the host goes, refuse sleep
 *
 * Return: 0 or a negative errno.
 */
int __init mk_lifecycle_init(void)
{
	int ret = register_reboot_notifier(&mk_lc_reboot_nb);

	if (ret)
		return ret;
	ret = register_pm_notifier(&mk_lc_pm_nb);
	if (ret)
		unregister_reboot_notifier(&mk_lc_reboot_nb);
	return ret;
}

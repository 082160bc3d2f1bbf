// SPDX-License-Identifier: GPL-2.0
/*
 * Multikernel restart policy: an instance whose spawned kernel panicked
 * (policy "on-crash") or also halted by itself (policy "always") is
 * started again from its loaded image, without an operator.
 *
 * A restart waits restart_delay_ms, doubled for each further restart
 * since the operator's last start, and at most restart_limit of them
 * happen; then the instance stays crashed or halted.  What was asked for
 * by someone (a stop or kill, rmdir, the host going down) is never undone
 * by a restart: each restart names the run it is for (its epoch) and
 * mk_instance_restart() does nothing once that run is over.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/string.h>
#include <linux/workqueue.h>

#include "internal.h"

static const char * const mk_restart_names[] = {
	[MK_RESTART_NEVER]	= "never",
	[MK_RESTART_ON_CRASH]	= "on-crash",
	[MK_RESTART_ALWAYS]	= "always",
};

/**
 * mk_restart_policy_name - the word user space sees for a policy
 * @policy: an enum mk_restart_policy value
 *
 * Return: a static string.
 */
const char *mk_restart_policy_name(enum mk_restart_policy policy)
{
	return policy < ARRAY_SIZE(mk_restart_names) ?
	       mk_restart_names[policy] : "invalid";
}

static void mk_restart_fn(struct work_struct *work)
{
	struct mk_instance *inst = container_of(to_delayed_work(work),
						struct mk_instance,
						restart_work);
	int ret;

	ret = mk_instance_restart(inst, READ_ONCE(inst->restart_epoch));
	if (ret == -EAGAIN) {
		/* keeps the reference; a cancel in rmdir makes this fail */
		if (queue_delayed_work(system_unbound_wq, &inst->restart_work,
				       msecs_to_jiffies(MK_RESTART_RETRY_MS)))
			return;
		goto out;
	}
	if (ret == -ECANCELED) {
		pr_info("instance %u: no restart: it was stopped, started or removed meanwhile\n",
			inst->id);
		goto out;
	}
	mutex_lock(&inst->lock);
	if (ret)
		pr_err("instance %u: automatic restart %u failed: %d\n",
		       inst->id, inst->restarts, ret);
	else
		pr_info("instance %u: restarted (%u of %u) after it %s\n",
			inst->id, inst->restarts, inst->restart_limit,
			inst->restart_reason);
	mutex_unlock(&inst->lock);
out:
	config_item_put(&inst->group.cg_item);
}

/**
 * mk_restart_init - an instance starts with restarts off
 * @inst: instance being created
 */
void mk_restart_init(struct mk_instance *inst)
{
	inst->restart = MK_RESTART_NEVER;
	inst->restart_limit = MK_RESTART_LIMIT;
	inst->restart_delay_ms = MK_RESTART_DELAY_MS;
	INIT_DELAYED_WORK(&inst->restart_work, mk_restart_fn);
}

/**
 * mk_restart_event - the spawned kernel crashed or halted by itself
 * @inst:	instance
 * @to:		MK_ST_CRASHED or MK_ST_HALTED, just entered
 * @epoch:	the run that ended
 *
 * Called by mk_set_state() in any context, without locks.  Schedules a
 * restart when the policy asks for one and the limit allows it.
 */
void mk_restart_event(struct mk_instance *inst, enum mk_state to,
		      unsigned int epoch)
{
	enum mk_restart_policy policy = READ_ONCE(inst->restart);
	unsigned int n = READ_ONCE(inst->restarts);
	unsigned int limit = READ_ONCE(inst->restart_limit);
	unsigned long delay;

	if (policy == MK_RESTART_NEVER ||
	    (to == MK_ST_HALTED && policy != MK_RESTART_ALWAYS) ||
	    READ_ONCE(inst->dead) || mk_host_going_down())
		return;
	if (n >= limit) {
		pr_warn_ratelimited("instance %u: %s; its restart limit (%u) is reached, it stays %s\n",
				    inst->id, mk_state_name(to), limit,
				    mk_state_name(to));
		return;
	}
	/* restart_delay_ms, doubled for each restart already made, capped */
	delay = READ_ONCE(inst->restart_delay_ms);
	delay = min_t(unsigned long, delay << min(n, 16U),
		      MK_RESTART_DELAY_MAX_MS);
	WRITE_ONCE(inst->restart_epoch, epoch);
	/* the pending work holds a reference: rmdir cancels it or waits */
	config_item_get(&inst->group.cg_item);
	if (!queue_delayed_work(system_unbound_wq, &inst->restart_work,
				msecs_to_jiffies(delay))) {
		config_item_put(&inst->group.cg_item);
		return;
	}
	pr_info_ratelimited("instance %u: %s; restart %u of %u in %lu ms\n",
			    inst->id, mk_state_name(to), n + 1, limit, delay);
}

/**
 * mk_restart_cancel - no automatic restart from now on (rmdir)
 * @inst: instance marked dead, @inst->lock not held
 *
 * Waits for a restart in progress.
 */
void mk_restart_cancel(struct mk_instance *inst)
{
	if (cancel_delayed_work_sync(&inst->restart_work))
		config_item_put(&inst->group.cg_item);
}

/**
 * mk_restart_reset - the operator started the instance: count from zero
 * @inst: instance
 */
void mk_restart_reset(struct mk_instance *inst)
{
	mutex_lock(&inst->lock);
	inst->restarts = 0;
	mutex_unlock(&inst->lock);
}

/**
 * mk_restart_set_policy - write the restart attribute
 * @inst:	instance
 * @arg:	"never", "on-crash" or "always"
 *
 * Return: 0, or -EINVAL for another word.
 */
int mk_restart_set_policy(struct mk_instance *inst, const char *arg)
{
	int i = match_string(mk_restart_names, ARRAY_SIZE(mk_restart_names),
			     arg);

	if (i < 0) {
		mk_inst_info(inst, "restart takes never, on-crash or always, not '%s'\n",
			     arg);
		return -EINVAL;
	}
	WRITE_ONCE(inst->restart, i);
	return 0;
}

/**
 * mk_restart_set_limit - write the restart_limit attribute
 * @inst:	instance
 * @arg:	0..MK_RESTART_LIMIT_MAX
 *
 * Return: 0, or -EINVAL out of range.
 */
int mk_restart_set_limit(struct mk_instance *inst, const char *arg)
{
	unsigned int n;

	if (kstrtouint(arg, 0, &n) || n > MK_RESTART_LIMIT_MAX) {
		mk_inst_info(inst, "restart_limit must be 0..%u\n",
			     MK_RESTART_LIMIT_MAX);
		return -EINVAL;
	}
	WRITE_ONCE(inst->restart_limit, n);
	return 0;
}

/**
 * mk_restart_set_delay - write the restart_delay_ms attribute
 * @inst:	instance
 * @arg:	0..MK_RESTART_DELAY_MAX_MS
 *
 * Return: 0, or -EINVAL out of range.
 */
int mk_restart_set_delay(struct mk_instance *inst, const char *arg)
{
	unsigned int ms;

	if (kstrtouint(arg, 0, &ms) || ms > MK_RESTART_DELAY_MAX_MS) {
		mk_inst_info(inst, "restart_delay_ms must be 0..%u\n",
			     MK_RESTART_DELAY_MAX_MS);
		return -EINVAL;
	}
	WRITE_ONCE(inst->restart_delay_ms, ms);
	return 0;
}

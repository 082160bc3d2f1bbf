// SPDX-License-Identifier: GPL-2.0
/*
 * Multikernel host channel services: what the host does with the messages
 * a spawned kernel sends (lifecycle events, heartbeats, panic reports,
 * benchmark traffic) and the periodic health check that backs them up
 * through the shared page.
 *
 * Everything a spawn sends is untrusted: events only move the state along
 * the transitions instance.c allows, and panic text is bounded, escaped
 * and rate-limited before it reaches the log.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/jiffies.h>
#include <linux/string.h>
#include <linux/string_helpers.h>
#include <linux/workqueue.h>

#include "internal.h"

/* Period of the host's health check. */
#define MK_HEALTH_PERIOD_MS	250

/**
 * mk_host_note_heartbeat - the spawned kernel showed a sign of life
 * @inst: instance
 */
void mk_host_note_heartbeat(struct mk_instance *inst)
{
	WRITE_ONCE(inst->last_heartbeat, jiffies);
	atomic64_inc(&inst->heartbeats);
	if (READ_ONCE(inst->state) == MK_ST_UNRESPONSIVE)
		mk_set_state(inst, MK_ST_RUNNING);
}

static int mk_host_lifecycle(struct mk_chan *ch, const struct mk_msg *msg)
{
	struct mk_instance *inst = ch->priv;
	const struct mk_lifecycle *lc = msg->data;

	if (msg->len != sizeof(*lc)) {
		atomic64_inc(&ch->errors);
		return 0;
	}
	switch (lc->event) {
	case MK_LC_BOOTED:
		mk_set_state(inst, MK_ST_BOOTED);
		break;
	case MK_LC_INIT_STARTED:
		mk_set_state(inst, MK_ST_RUNNING);
		break;
	case MK_LC_HALTING:
		mk_set_state(inst, MK_ST_HALTED);
		break;
	case MK_LC_HEARTBEAT:
		break;
	default:
		atomic64_inc(&ch->errors);
		return 0;
	}
	mk_host_note_heartbeat(inst);
	return 0;
}

/* Record a panic reason; the text is the peer's, so escape it for the log. */
static void mk_host_crashed(struct mk_instance *inst, const char *text,
			    size_t len)
{
	static DEFINE_RATELIMIT_STATE(rs, 5 * HZ, 5);
	char *reason = inst->panic_reason;
	size_t n = min(len, sizeof(inst->panic_reason) - 1);

	if (!mk_set_state(inst, MK_ST_CRASHED))
		return;
	memcpy(reason, text, n);
	reason[n] = '\0';
	n = strnlen(reason, n);
	reason[n] = '\0';
	if (__ratelimit(&rs))
		pr_err("instance %u crashed: %*pE\n", inst->id, (int)n, reason);
}

static int mk_host_panic(struct mk_chan *ch, const struct mk_msg *msg)
{
	mk_host_crashed(ch->priv, msg->data, msg->len);
	return 0;
}

static int mk_host_sink(struct mk_chan *ch, const struct mk_msg *msg)
{
	struct mk_instance *inst = ch->priv;

	atomic64_add(msg->len, &inst->sink_bytes);
	if (msg->flags & MK_MSG_F_REQUEST)
		mk_chan_reply(ch, msg, NULL, 0);
	return 0;
}

/**
 * mk_host_health_check - look at one instance through its shared page
 * @inst: instance, referenced
 *
 * Backs up the channel: a spawn whose channel is broken still reports
 * running, halted and panicked in the shared page.  Marks a running
 * instance unresponsive when heartbeats stop, and pokes the rings as a
 * backstop for a lost doorbell.
 */
void mk_host_health_check(struct mk_instance *inst)
{
	const struct multikernel_boot_info *info = inst->info;
	enum mk_state st = READ_ONCE(inst->state);
	u32 gs;

	if (!mk_started(st) || st == MK_ST_STOPPING || !info)
		return;
	gs = READ_ONCE(info->guest_state);
	if (gs == MK_GUEST_PANIC && st != MK_ST_CRASHED) {
		char msg[sizeof(info->panic_msg)];

		memcpy(msg, info->panic_msg, sizeof(msg));
		mk_host_crashed(inst, msg, sizeof(msg));
	} else if (gs == MK_GUEST_HALTED) {
		mk_set_state(inst, MK_ST_HALTED);
	} else if (gs == MK_GUEST_RUNNING &&
		   (st == MK_ST_STARTING || st == MK_ST_BOOTED)) {
		mk_set_state(inst, MK_ST_RUNNING);
	} else if (st == MK_ST_RUNNING && atomic64_read(&inst->heartbeats) &&
		   time_after(jiffies, READ_ONCE(inst->last_heartbeat) +
			      msecs_to_jiffies(MK_HEARTBEAT_LATE_MS))) {
		mk_set_state(inst, MK_ST_UNRESPONSIVE);
	}
	if (mk_chan_ring_check(&inst->chan))
		mk_chan_poke(&inst->chan);
}

static void mk_health_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(mk_health_work, mk_health_fn);

static void mk_health_fn(struct work_struct *work)
{
	int i;

	mutex_lock(&mk_list_lock);
	for (i = 0; i < MULTIKERNEL_MAX_INSTANCES; i++)
		if (mk_slots[i])
			mk_host_health_check(mk_slots[i]);
	mutex_unlock(&mk_list_lock);
	schedule_delayed_work(&mk_health_work,
			      msecs_to_jiffies(MK_HEALTH_PERIOD_MS));
}

/**
 * mk_host_services_init - register the host's message handlers
 *
 * Return: 0 or a negative errno.
 */
int __init mk_host_services_init(void)
{
	int ret;

	ret = mk_chan_register_handler(MK_MSG_LIFECYCLE, mk_host_lifecycle);
	if (!ret)
		ret = mk_chan_register_handler(MK_MSG_PANIC, mk_host_panic);
	if (!ret)
		ret = mk_chan_register_handler(MK_MSG_ECHO, mk_chan_echo);
	if (!ret)
		ret = mk_chan_register_handler(MK_MSG_SINK, mk_host_sink);
	if (!ret)
		ret = mk_cdev_init();
	if (!ret)
		schedule_delayed_work(&mk_health_work,
				      msecs_to_jiffies(MK_HEALTH_PERIOD_MS));
	return ret;
}

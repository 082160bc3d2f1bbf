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

/*
 * Panic reports.  Their text is the spawned kernel's, so it is escaped
 * once, when it is stored (string_escape_mem() with MK_PANIC_ESCAPE):
 * printable ASCII stays, white space other than the blank becomes "\n",
 * "\t" and so on, any other byte, the backslash included, "\xNN".  The log
 * line, crash_reason and /proc/multikernel then show the same single line,
 * and nothing a spawn sends can start a line of its own or reach a
 * terminal as a control sequence.
 *
 * One report per start is kept and logged: the first, from the channel or
 * from the shared page, moves the instance to crashed.  Later channel
 * reports are dropped and counted as channel errors, except one that
 * repeats the stored text (the same panic seen both ways).
 */
#define MK_PANIC_ESCAPE	(ESCAPE_SPACE | ESCAPE_HEX | ESCAPE_NAP | ESCAPE_APPEND)

/* serialises panic reports: one of them stores its reason and logs */
static DEFINE_SPINLOCK(mk_crash_lock);

/*
 * Escape @len bytes at @src into @dst of @size bytes, NUL-terminated.  An
 * escape sequence that does not fit whole is left out with the rest.
 */
static void mk_escape_reason(char *dst, size_t size, const char *src,
			     size_t len)
{
	size_t out = 0;

	for (; len && out < size - 1; len--) {
		size_t room = size - 1 - out;
		int n = string_escape_mem(src++, 1, dst + out, room,
					  MK_PANIC_ESCAPE, "\\");

		if ((size_t)n > room)
			break;
		out += n;
	}
	dst[out] = '\0';
}

/*
 * Record a panic report of @len bytes at @text.  Returns false for a report
 * that came after the stored one of this start and differs from it.
 */
static bool mk_host_crashed(struct mk_instance *inst, const char *text,
			    size_t len)
{
	static DEFINE_RATELIMIT_STATE(rs, 5 * HZ, 5);
	char reason[sizeof(inst->panic_reason)];
	bool crashed = false, later = false;

	mk_escape_reason(reason, sizeof(reason), text, len);
	if (!reason[0])
		strscpy(reason, "(no reason given)", sizeof(reason));
	spin_lock(&mk_crash_lock);
	/* the start cleared the reason: the first report of a start sets it */
	if (!inst->panic_reason[0]) {
		strscpy(inst->panic_reason, reason, sizeof(inst->panic_reason));
		/* the reason is complete before crashed can be seen */
		smp_wmb();
		crashed = mk_set_state(inst, MK_ST_CRASHED);
	} else {
		later = strcmp(reason, inst->panic_reason) != 0;
	}
	spin_unlock(&mk_crash_lock);
	if (crashed && __ratelimit(&rs))
		pr_err("instance %u crashed: %s\n", inst->id, reason);
	return !later;
}

static int mk_host_panic(struct mk_chan *ch, const struct mk_msg *msg)
{
	if (!mk_host_crashed(ch->priv, msg->data, msg->len))
		atomic64_inc(&ch->errors);
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

		/* a private copy: the spawn may rewrite it meanwhile */
		memcpy(msg, info->panic_msg, sizeof(msg));
		mk_host_crashed(inst, msg, strnlen(msg, sizeof(msg)));
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

// SPDX-License-Identifier: GPL-2.0
/*
 * Spawned-kernel side of the multikernel channel services: lifecycle
 * reports and heartbeat, the host's stop request, panic reports, the
 * console relay and /dev/mkchan0.  The hostile-peer test modes are in
 * guest_hostile.c.
 */

#define pr_fmt(fmt) "multikernel-guest: " fmt

#include <linux/console.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>
#include <linux/tty_flip.h>
#include <linux/init.h>
#include <linux/jiffies.h>
#include <linux/multikernel.h>
#include <linux/multikernel_chan.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/pid_namespace.h>
#include <linux/reboot.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "guest.h"

#define MK_GUEST_POLL_MS	100
#define MK_GUEST_HEARTBEAT_MS	500

static struct mk_chan mk_gchan;
static void *mk_gshared;
static struct multikernel_boot_info *mk_ginfo;
static struct mk_console_shared *mk_gcon;
static DEFINE_RAW_SPINLOCK(mk_gcon_lock);
static unsigned long mk_last_heartbeat;

static void mk_guest_set_state(u32 state)
{
	if (mk_ginfo) /* earlier shared-page writes are seen first */
		smp_store_release(&mk_ginfo->guest_state, state);
}

static void mk_guest_event(u32 event)
{
	struct mk_lifecycle lc = { .event = event };

	mk_chan_send(&mk_gchan, MK_MSG_LIFECYCLE, &lc, sizeof(lc), 0);
}

/* ---- console relay: printk into a byte ring the host can read ---- */

static void mk_con_write(struct console *con, const char *s, unsigned int n)
{
	u8 *data = (u8 *)mk_gcon + MK_CONSOLE_HDR_SIZE;
	unsigned long flags;
	u64 head;

	if (!raw_spin_trylock_irqsave(&mk_gcon_lock, flags))
		return;
	head = mk_gcon->head;
	while (n) {
		u64 off = head & (MK_CONSOLE_SIZE - 1);
		unsigned int c = min_t(u64, n, MK_CONSOLE_SIZE - off);

		memcpy(data + off, s, c);
		s += c;
		n -= c;
		head += c;
	}
	/* the text is in place before the host can see the new head */
	smp_store_release(&mk_gcon->head, head);
	raw_spin_unlock_irqrestore(&mk_gcon_lock, flags);
}

/*
 * ttyMK0: /dev/console for user space, relayed like printk.  Output only;
 * the host has no way to type into it yet.
 */
static struct tty_driver *mk_tty_driver;
static struct tty_port mk_tty_port;

static int mk_tty_open(struct tty_struct *tty, struct file *filp)
{
	return tty_port_open(&mk_tty_port, tty, filp);
}

static void mk_tty_close(struct tty_struct *tty, struct file *filp)
{
	tty_port_close(&mk_tty_port, tty, filp);
}

static ssize_t mk_tty_write(struct tty_struct *tty, const u8 *buf, size_t n)
{
	mk_con_write(NULL, buf, n);
	return n;
}

static unsigned int mk_tty_write_room(struct tty_struct *tty)
{
	return MK_CONSOLE_SIZE / 4;
}

static const struct tty_operations mk_tty_ops = {
	.open		= mk_tty_open,
	.close		= mk_tty_close,
	.write		= mk_tty_write,
	.write_room	= mk_tty_write_room,
};

static const struct tty_port_operations mk_tty_port_ops;

static struct tty_driver *mk_con_device(struct console *c, int *index)
{
	*index = 0;
	return mk_tty_driver;
}

static struct console mk_console = {
	.name	= "ttyMK",
	.write	= mk_con_write,
	.device	= mk_con_device,
	.flags	= CON_PRINTBUFFER | CON_ENABLED,
	.index	= -1,
};

static int __init mk_tty_init(void)
{
	struct tty_driver *drv;
	int ret;

	drv = tty_alloc_driver(1, TTY_DRIVER_REAL_RAW |
			       TTY_DRIVER_DYNAMIC_DEV);
	if (IS_ERR(drv))
		return PTR_ERR(drv);
	drv->driver_name = "mkcon";
	drv->name = "ttyMK";
	drv->type = TTY_DRIVER_TYPE_SYSTEM;
	drv->subtype = SYSTEM_TYPE_CONSOLE;
	drv->init_termios = tty_std_termios;
	tty_set_operations(drv, &mk_tty_ops);
	tty_port_init(&mk_tty_port);
	mk_tty_port.ops = &mk_tty_port_ops;
	tty_port_link_device(&mk_tty_port, drv, 0);
	ret = tty_register_driver(drv);
	if (ret) {
		tty_driver_kref_put(drv);
		tty_port_destroy(&mk_tty_port);
		return ret;
	}
	tty_register_device(drv, 0, NULL);
	mk_tty_driver = drv;
	return 0;
}

/* ---- lifecycle ---- */

static void mk_guest_poweroff_fn(struct work_struct *work)
{
	pr_info("host requested stop\n");
	kernel_power_off();
}

static DECLARE_WORK(mk_guest_poweroff_work, mk_guest_poweroff_fn);

/*
 * A stop request can come as soon as the channel is up, long before the
 * driver core that kernel_power_off() shuts down exists: it is recorded,
 * and carried out once mk_guest_booted() has run.  Either side of the
 * pair sees the other's write (full barriers), and the power off is queued
 * once however many requests arrive.
 */
static bool mk_guest_stop_requested;
static bool mk_guest_up;
static atomic_t mk_guest_poweroff_queued = ATOMIC_INIT(0);

static void mk_guest_poweroff_now(void)
{
	if (!atomic_cmpxchg(&mk_guest_poweroff_queued, 0, 1))
		schedule_work(&mk_guest_poweroff_work);
}

static void mk_guest_request_stop(void)
{
	WRITE_ONCE(mk_guest_stop_requested, true);
	smp_mb();	/* pairs with mk_guest_booted() */
	if (READ_ONCE(mk_guest_up))
		mk_guest_poweroff_now();
}

/*
 * CPUs the host gives or takes back while we run: one request at a time,
 * carried out in a work item of its own (bringing a CPU up takes a while,
 * and the channel's receive work must go on), answered with a reply of
 * the same event whose arg is 0 or a positive errno.
 */
static struct {
	struct mk_msg		req;	/* type, flags, seq: data not kept */
	struct mk_lifecycle	lc;
	atomic_t		busy;
} mk_guest_cpu;

static void mk_guest_cpu_fn(struct work_struct *work)
{
	struct mk_lifecycle ans = { .event = mk_guest_cpu.lc.event };
	struct mk_msg req = mk_guest_cpu.req;
	u32 apicid = mk_guest_cpu.lc.arg;
	int ret;

	if (ans.event == MK_LC_CPU_ADD)
		ret = multikernel_guest_cpu_add(apicid);
	else
		ret = multikernel_guest_cpu_remove(apicid);
	ans.arg = -ret;
	/* the next request may come as soon as the host has the answer */
	atomic_set(&mk_guest_cpu.busy, 0);
	mk_chan_reply(&mk_gchan, &req, &ans, sizeof(ans));
}

static DECLARE_WORK(mk_guest_cpu_work, mk_guest_cpu_fn);

static void mk_guest_cpu_request(struct mk_chan *ch, const struct mk_msg *msg)
{
	const struct mk_lifecycle *lc = msg->data;
	struct mk_lifecycle ans = { .event = lc->event, .arg = EBUSY };

	if (!(msg->flags & MK_MSG_F_REQUEST)) {
		atomic64_inc(&ch->errors);
		return;
	}
	if (atomic_cmpxchg(&mk_guest_cpu.busy, 0, 1)) {
		mk_chan_reply(ch, msg, &ans, sizeof(ans));
		return;
	}
	mk_guest_cpu.req = *msg;
	mk_guest_cpu.req.data = NULL;
	mk_guest_cpu.lc = *lc;
	queue_work(system_unbound_wq, &mk_guest_cpu_work);
}

static int mk_guest_lifecycle(struct mk_chan *ch, const struct mk_msg *msg)
{
	const struct mk_lifecycle *lc = msg->data;

	if (msg->len != sizeof(*lc))
		atomic64_inc(&ch->errors);
	else if (lc->event == MK_LC_STOP)
		mk_guest_request_stop();
	else if (lc->event == MK_LC_CPU_ADD || lc->event == MK_LC_CPU_REMOVE)
		mk_guest_cpu_request(ch, msg);
	else
		atomic64_inc(&ch->errors);
	return 0;
}

/* Has pid 1 left the kernel, i.e. exec'ed the init program? */
static bool mk_guest_init_running(void)
{
	struct task_struct *init;
	bool running;

	rcu_read_lock();
	init = find_task_by_pid_ns(1, &init_pid_ns);
	running = init && READ_ONCE(init->mm);
	rcu_read_unlock();
	return running;
}

static void mk_guest_poll(struct work_struct *work);
static DECLARE_DELAYED_WORK(mk_guest_poll_work, mk_guest_poll);

static void mk_guest_poll(struct work_struct *work)
{
	bool started = false;

	WRITE_ONCE(mk_ginfo->heartbeat, READ_ONCE(mk_ginfo->heartbeat) + 1);
	if (READ_ONCE(mk_ginfo->guest_state) == MK_GUEST_BOOTED &&
	    mk_guest_init_running()) {
		mk_guest_set_state(MK_GUEST_RUNNING);
		mk_guest_event(MK_LC_INIT_STARTED);
		started = true;
	}
	mk_guest_hostile_poll(&mk_gchan, mk_gshared, started);
	if (time_after(jiffies, mk_last_heartbeat +
		       msecs_to_jiffies(MK_GUEST_HEARTBEAT_MS))) {
		mk_guest_event(MK_LC_HEARTBEAT);
		mk_last_heartbeat = jiffies;
	}
	mk_chan_poke(&mk_gchan);	/* backstop for a lost doorbell */
	/* the shared-page request still works when the channel does not */
	if (READ_ONCE(mk_ginfo->host_request) == MK_HOST_REQ_STOP) {
		mk_guest_request_stop();
		return;
	}
	/* until init runs, look every tick: the host times a start to it */
	schedule_delayed_work(&mk_guest_poll_work,
			      READ_ONCE(mk_ginfo->guest_state) == MK_GUEST_BOOTED ?
			      1 : msecs_to_jiffies(MK_GUEST_POLL_MS));
}

/*
 * The one panic report: the reason goes to the shared page first (the host
 * reads it even when the channel is broken), then, the same text, over the
 * channel without waiting for space (timeout 0: atomic-safe).
 */
static int mk_guest_panic(struct notifier_block *nb, unsigned long event,
			  void *msg)
{
	const size_t max = sizeof(mk_ginfo->panic_msg) - 1;
	const char *reason = msg ?: "";

	strscpy(mk_ginfo->panic_msg, reason, max + 1);
	mk_guest_set_state(MK_GUEST_PANIC);
	mk_chan_send(&mk_gchan, MK_MSG_PANIC, reason, strnlen(reason, max), 0);
	return NOTIFY_DONE;
}

static struct notifier_block mk_guest_panic_nb = {
	.notifier_call = mk_guest_panic,
};

/**
 * multikernel_guest_halted - the spawned kernel is about to halt its CPUs
 *
 * Called by the platform's halt/power-off/restart handler.
 */
void multikernel_guest_halted(void)
{
	if (!mk_ginfo)
		return;
	if (READ_ONCE(mk_ginfo->guest_state) != MK_GUEST_PANIC) {
		mk_guest_event(MK_LC_HALTING);
		mk_guest_set_state(MK_GUEST_HALTED);
	}
}

/**
 * multikernel_guest_init - start the channel services of a spawned kernel
 * @shared:	mapping of the whole shared area (MULTIKERNEL_SHARED_SIZE)
 * @instance_id: this kernel's instance id
 * @host_apicid: APIC id of the host CPU that takes our doorbells
 *
 * Called once by the platform code, after it validated the boot
 * information at MULTIKERNEL_INFO_OFFSET in @shared.
 */
void __init multikernel_guest_init(void *shared, u32 instance_id,
				   u32 host_apicid)
{
	mk_gshared = shared;
	mk_ginfo = shared + MULTIKERNEL_INFO_OFFSET;
	mk_gcon = shared + MK_CONSOLE_OFFSET;
	mk_guest_set_state(MK_GUEST_EARLY);
	mk_chan_init(&mk_gchan, false, instance_id, NULL);
	mk_chan_attach(&mk_gchan, shared, host_apicid);
	mk_chan_register_handler(MK_MSG_LIFECYCLE, mk_guest_lifecycle);
	mk_chan_register_handler(MK_MSG_ECHO, mk_chan_echo);
	mk_chan_register_handler(MK_MSG_SINK, mk_chan_echo);
	mk_chan_activate(&mk_gchan);
	atomic_notifier_chain_register(&panic_notifier_list,
				       &mk_guest_panic_nb);
	if (READ_ONCE(mk_gcon->magic) == MK_CONSOLE_MAGIC &&
	    READ_ONCE(mk_gcon->version) == MK_CONSOLE_VERSION &&
	    READ_ONCE(mk_gcon->size) == MK_CONSOLE_SIZE)
		register_console(&mk_console);
	else
		pr_warn("console log format unknown to this kernel; not relayed\n");
}

static int __init mk_guest_devices(void)
{
	struct mk_cdev *cd;

	if (!mk_ginfo)
		return 0;
	if (mk_tty_init())
		pr_err("cannot register ttyMK0\n");
	mk_cdev_init();
	cd = mk_cdev_create(&mk_gchan, 0);
	if (IS_ERR(cd))
		pr_err("cannot create /dev/mkchan0: %ld\n", PTR_ERR(cd));
	return 0;
}
device_initcall(mk_guest_devices);

/* Runs right before user space starts: the kernel is up. */
static int __init mk_guest_booted(void)
{
	if (!mk_ginfo)
		return 0;
	mk_guest_set_state(MK_GUEST_BOOTED);
	/* CPU requests work from now on; none: an older layout has no field */
	if (multikernel_guest_features())
		/* the handler and the work are ready before the host sees it */
		smp_store_release(&mk_ginfo->guest_features,
				  multikernel_guest_features());
	mk_guest_event(MK_LC_BOOTED);
	mk_last_heartbeat = jiffies;
	schedule_delayed_work(&mk_guest_poll_work, 1);
	WRITE_ONCE(mk_guest_up, true);
	smp_mb();	/* pairs with mk_guest_request_stop() */
	if (READ_ONCE(mk_guest_stop_requested))
		mk_guest_poweroff_now();
	return 0;
}
late_initcall_sync(mk_guest_booted);

#if IS_ENABLED(CONFIG_MULTIKERNEL_KUNIT_TEST)
#include "guest_kunit.c"
#endif /* CONFIG_MULTIKERNEL_KUNIT_TEST */

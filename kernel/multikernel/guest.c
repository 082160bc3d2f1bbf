// SPDX-License-Identifier: GPL-2.0
/*
 * Spawned-kernel side of the multikernel channel services: lifecycle
 * reports and heartbeat, the host's stop request, panic reports, the
 * console relay and /dev/mkchan0; with CONFIG_MULTIKERNEL_TEST_HOSTILE also
 * hostile-peer test modes (multikernel.hostile=1, multikernel.hostile_flood=N).
 */

#define pr_fmt(fmt) "multikernel-guest: " fmt

#include <linux/console.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>
#include <linux/tty_flip.h>
#include <linux/init.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/multikernel.h>
#include <linux/multikernel_chan.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/pid_namespace.h>
#include <linux/prandom.h>
#include <linux/reboot.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "multikernel."

/*
 * Test modes (CONFIG_MULTIKERNEL_TEST_HOSTILE only), to exercise the host's
 * checks: corrupt the channel after boot (hostile), or send a flood of
 * panic reports and garbage messages (hostile_flood).
 */
static bool hostile;
#ifdef CONFIG_MULTIKERNEL_TEST_HOSTILE
static unsigned int hostile_flood;
module_param(hostile, bool, 0444);
MODULE_PARM_DESC(hostile, "Scribble over the channel after boot (testing only)");
module_param(hostile_flood, uint, 0444);
MODULE_PARM_DESC(hostile_flood, "Send this many panic and garbage messages after boot (testing only)");
#endif

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

static int mk_guest_lifecycle(struct mk_chan *ch, const struct mk_msg *msg)
{
	const struct mk_lifecycle *lc = msg->data;

	if (msg->len == sizeof(*lc) && lc->event == MK_LC_STOP)
		mk_guest_request_stop();
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

static void mk_guest_scribble(void)
{
	struct mk_ring_shared *sh = mk_gshared + MK_CHAN_OFFSET +
				    MK_RING_CTL_G2H * MK_RING_STRIDE;

	pr_warn_once("hostile test mode: corrupting the channel to the host\n");
	/* a head index far beyond the ring, then garbage in the records */
	memset(&sh->head, 0xa5, sizeof(sh->head));
	memset((u8 *)sh + MK_RING_HDR_SIZE, 0x5a, 256);
}

#ifdef CONFIG_MULTIKERNEL_TEST_HOSTILE
/*
 * multikernel.hostile_flood=N: N messages, about half of them panic reports,
 * the rest lifecycle, echo and sink messages of random lengths and flags,
 * sent as fast as the ring takes them.  The panic texts are made of forged
 * host log lines and /proc/multikernel rows, line breaks, terminal control
 * sequences, NULs and other bytes; each starts with its number, so no two
 * are alike.  The shared page's panic message gets the same treatment.
 * MK_MSG_USER is left out: a host reader that takes no user data would
 * only stall the data class, which tests nothing about panic reports.
 */
#define MK_FLOOD_SEED		0x6d6b666c6f6f64ULL	/* every run sends the same */
#define MK_FLOOD_TEXT_MAX	512	/* longer than the host keeps (127) */
#define MK_FLOOD_SMALL_MAX	256	/* most garbage payloads: fast floods */
#define MK_FLOOD_FAILS		8	/* consecutive failed sends that end it */

/* in this order, the first report shows the worst before the host cuts it */
static const char * const mk_flood_bits[] = {
	"\x1b[2J\x1b[H",		/* clear the terminal */
	"\n1     FORGED       running      3\n",
	"\nmultikernel: instance 1 (FORGED): destroyed\n",
	"\23331m",			/* 8-bit CSI (octal 233) */
	"\x1b]0;FORGED\x07",		/* set the terminal's title */
	"\xe2\x80\xae",		/* U+202E right-to-left override */
	"\n# 1 panic: FORGED\n",
	"\r", "\n", "\t", "\x7f", "\\n", "%s%n",
};

/* The panic text of message @i in @buf (MK_FLOOD_TEXT_MAX); its length. */
static u32 mk_flood_text(struct rnd_state *rs, char *buf, unsigned int i)
{
	u32 want = prandom_u32_state(rs) % MK_FLOOD_TEXT_MAX + 1;
	u32 len = scnprintf(buf, MK_FLOOD_TEXT_MAX, "flood %u:", i);
	unsigned int b;

	if (!i) {	/* the first one has every trick, whatever the seed */
		want = MK_FLOOD_TEXT_MAX;
		buf[len++] = '\0';
		buf[len++] = '\xff';
	}
	for (b = 0; len < want; b++) {
		u32 r = prandom_u32_state(rs);
		const char *bit;
		u32 n;

		if (!i && b >= ARRAY_SIZE(mk_flood_bits))
			break;
		bit = mk_flood_bits[i ? r % ARRAY_SIZE(mk_flood_bits) : b];
		if (i && (r & BIT(8))) {
			buf[len++] = r >> 16;	/* any byte, NUL included */
			continue;
		}
		n = min_t(u32, strlen(bit), want - len);
		memcpy(buf + len, bit, n);
		len += n;
	}
	return len;
}

/* Send flood message @i; *@report tells whether it was a panic report. */
static int mk_flood_one(struct rnd_state *rs, char *buf, unsigned int i,
			bool *report)
{
	u32 r = prandom_u32_state(rs), len;
	u16 type, flags = (r >> 4) & (MK_MSG_F_REQUEST | MK_MSG_F_REPLY);
	struct mk_lifecycle *lc = (void *)buf;

	*report = !i || (r & 7) < 4;
	if (*report) {
		type = MK_MSG_PANIC;
		len = mk_flood_text(rs, buf, i);
		flags &= ~MK_MSG_F_REPLY;	/* a reply is not a report */
	} else if ((r & 7) == 4) {
		type = MK_MSG_LIFECYCLE;
		len = (r >> 8) % (2 * sizeof(*lc) + 1);
		prandom_bytes_state(rs, buf, len);
		if (r & BIT(16)) {	/* well formed, any event */
			len = sizeof(*lc);
			lc->event = (r >> 20) % 8;
		}
	} else {
		type = (r & 7) == 5 ? MK_MSG_ECHO : MK_MSG_SINK;
		len = prandom_u32_state(rs);
		len %= ((r & BIT(8)) ? MK_MSG_MAX : MK_FLOOD_SMALL_MAX) + 1;
		prandom_bytes_state(rs, buf, len);
	}
	return mk_chan_send_flags(&mk_gchan, type, flags, r, buf, len, HZ);
}

/* A panic message in the shared page, as long as the field, no NUL. */
static void mk_flood_shared_page(void)
{
	static const char forged[] = "shared page:\x1b[2J\n1     FORGED\n";
	char *msg = mk_ginfo->panic_msg;

	memset(msg, 0xff, sizeof(mk_ginfo->panic_msg));
	memcpy(msg, forged, sizeof(forged) - 1);
	mk_guest_set_state(MK_GUEST_PANIC);
}

static void mk_guest_flood_fn(struct work_struct *work)
{
	unsigned int i, sent = 0, panics = 0, fails = 0;
	struct rnd_state rs;
	int ret = 0;
	char *buf;

	buf = kmalloc(MK_MSG_MAX, GFP_KERNEL);
	if (!buf)
		return;
	pr_warn("hostile test mode: flooding the host with %u messages\n",
		hostile_flood);
	prandom_seed_state(&rs, MK_FLOOD_SEED);
	mk_flood_shared_page();
	for (i = 0; i < hostile_flood && fails < MK_FLOOD_FAILS; i++) {
		bool report;

		ret = mk_flood_one(&rs, buf, i, &report);
		if (ret) {
			fails++;
			continue;
		}
		fails = 0;
		sent++;
		panics += report;
		cond_resched();
	}
	pr_info("hostile flood done: %u of %u sent, %u panic reports, last error %d\n",
		sent, hostile_flood, panics, ret);
	kfree(buf);
}

static DECLARE_WORK(mk_guest_flood_work, mk_guest_flood_fn);

static void mk_guest_hostile_flood(void)
{
	if (hostile_flood)
		schedule_work(&mk_guest_flood_work);
}
#else
static inline void mk_guest_hostile_flood(void) { }
#endif

static void mk_guest_poll(struct work_struct *work);
static DECLARE_DELAYED_WORK(mk_guest_poll_work, mk_guest_poll);

static void mk_guest_poll(struct work_struct *work)
{
	WRITE_ONCE(mk_ginfo->heartbeat, READ_ONCE(mk_ginfo->heartbeat) + 1);
	if (READ_ONCE(mk_ginfo->guest_state) == MK_GUEST_BOOTED &&
	    mk_guest_init_running()) {
		mk_guest_set_state(MK_GUEST_RUNNING);
		mk_guest_event(MK_LC_INIT_STARTED);
		mk_guest_hostile_flood();
	}
	/* keep scribbling: our own sends would otherwise repair the index */
	if (IS_ENABLED(CONFIG_MULTIKERNEL_TEST_HOSTILE) && hostile &&
	    READ_ONCE(mk_ginfo->guest_state) == MK_GUEST_RUNNING)
		mk_guest_scribble();
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
	schedule_delayed_work(&mk_guest_poll_work,
			      msecs_to_jiffies(MK_GUEST_POLL_MS));
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

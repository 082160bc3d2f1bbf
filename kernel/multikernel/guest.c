// SPDX-License-Identifier: GPL-2.0
/*
 * Spawned-kernel side of the multikernel channel services: lifecycle
 * reports and heartbeat, the host's stop request, panic reports, the
 * console relay and /dev/mkchan0; with CONFIG_MULTIKERNEL_TEST_HOSTILE also
 * a hostile-peer test mode (multikernel.hostile=1).
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
#include <linux/reboot.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "multikernel."

/*
 * Test mode (CONFIG_MULTIKERNEL_TEST_HOSTILE only): corrupt the channel
 * after boot to exercise the host's checks.
 */
static bool hostile;
#ifdef CONFIG_MULTIKERNEL_TEST_HOSTILE
module_param(hostile, bool, 0444);
MODULE_PARM_DESC(hostile, "Scribble over the channel after boot (testing only)");
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

static int mk_guest_lifecycle(struct mk_chan *ch, const struct mk_msg *msg)
{
	const struct mk_lifecycle *lc = msg->data;

	if (msg->len == sizeof(*lc) && lc->event == MK_LC_STOP)
		schedule_work(&mk_guest_poweroff_work);
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

static void mk_guest_poll(struct work_struct *work);
static DECLARE_DELAYED_WORK(mk_guest_poll_work, mk_guest_poll);

static void mk_guest_poll(struct work_struct *work)
{
	WRITE_ONCE(mk_ginfo->heartbeat, READ_ONCE(mk_ginfo->heartbeat) + 1);
	if (READ_ONCE(mk_ginfo->guest_state) == MK_GUEST_BOOTED &&
	    mk_guest_init_running()) {
		mk_guest_set_state(MK_GUEST_RUNNING);
		mk_guest_event(MK_LC_INIT_STARTED);
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
		schedule_work(&mk_guest_poweroff_work);
		return;
	}
	schedule_delayed_work(&mk_guest_poll_work,
			      msecs_to_jiffies(MK_GUEST_POLL_MS));
}

static int mk_guest_panic(struct notifier_block *nb, unsigned long event,
			  void *msg)
{
	const char *reason = msg ?: "";

	strscpy(mk_ginfo->panic_msg, reason, sizeof(mk_ginfo->panic_msg));
	mk_guest_set_state(MK_GUEST_PANIC);
	mk_chan_send(&mk_gchan, MK_MSG_PANIC, reason,
		     min_t(size_t, strlen(reason), 127), 0);
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
	return 0;
}
late_initcall_sync(mk_guest_booted);

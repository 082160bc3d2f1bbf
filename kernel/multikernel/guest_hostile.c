// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile-peer test modes of a spawned kernel (CONFIG_MULTIKERNEL_TEST_HOSTILE,
 * testing only), to exercise the host's checks: multikernel.hostile=1
 * corrupts the channel to the host once init runs, and keeps doing so;
 * multikernel.hostile_flood=N sends a flood of panic reports and garbage
 * messages.  guest.c calls in once per poll, mk_guest_hostile_poll().
 */

#define pr_fmt(fmt) "multikernel-guest: " fmt

#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/multikernel.h>
#include <linux/multikernel_chan.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "guest.h"

#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "multikernel."

static bool hostile;
static unsigned int hostile_flood;
module_param(hostile, bool, 0444);
MODULE_PARM_DESC(hostile, "Scribble over the channel after boot (testing only)");
module_param(hostile_flood, uint, 0444);
MODULE_PARM_DESC(hostile_flood, "Send this many panic and garbage messages after boot (testing only)");

/* The channel and boot information of this kernel, set before the flood */
static struct mk_chan *mk_hchan;
static struct multikernel_boot_info *mk_hinfo;

static void mk_guest_scribble(void *shared)
{
	struct mk_ring_shared *sh = shared + MK_CHAN_OFFSET +
				    MK_RING_CTL_G2H * MK_RING_STRIDE;

	pr_warn_once("hostile test mode: corrupting the channel to the host\n");
	/* a head index far beyond the ring, then garbage in the records */
	memset(&sh->head, 0xa5, sizeof(sh->head));
	memset((u8 *)sh + MK_RING_HDR_SIZE, 0x5a, 256);
}

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
	return mk_chan_send_flags(mk_hchan, type, flags, r, buf, len, HZ);
}

/* A panic message in the shared page, as long as the field, no NUL. */
static void mk_flood_shared_page(void)
{
	static const char forged[] = "shared page:\x1b[2J\n1     FORGED\n";
	char *msg = mk_hinfo->panic_msg;

	memset(msg, 0xff, sizeof(mk_hinfo->panic_msg));
	memcpy(msg, forged, sizeof(forged) - 1);
	/* the message is in place before the host sees the state */
	smp_store_release(&mk_hinfo->guest_state, MK_GUEST_PANIC);
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

/**
 * mk_guest_hostile_poll - the hostile test modes' part of the guest's poll
 * @ch:		the channel to the host
 * @shared:	the shared area
 * @started:	init started running since the last poll
 *
 * Called by the spawned kernel's periodic poll (guest.c), in process
 * context: starts the flood once init runs, and scribbles over the channel
 * at every poll while the kernel is running, since its own sends would
 * otherwise repair the index.
 */
void mk_guest_hostile_poll(struct mk_chan *ch, void *shared, bool started)
{
	struct multikernel_boot_info *info = shared + MULTIKERNEL_INFO_OFFSET;

	if (started && hostile_flood) {
		mk_hchan = ch;
		mk_hinfo = info;
		schedule_work(&mk_guest_flood_work);
	}
	if (hostile && READ_ONCE(info->guest_state) == MK_GUEST_RUNNING)
		mk_guest_scribble(shared);
}

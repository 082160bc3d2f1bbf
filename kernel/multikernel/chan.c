// SPDX-License-Identifier: GPL-2.0
/*
 * Multikernel inter-kernel channel.
 *
 * Each channel connects a host to one spawned kernel through four
 * single-producer/single-consumer byte rings in the instance's shared area:
 * a control class (lifecycle, panic, echo) and a data class (user space,
 * bulk), one ring per direction each.  Classes are separate so that a
 * reader that stops taking user data cannot block heartbeats.
 *
 * Concurrency model, per ring:
 *  - the producer owns @head, the consumer owns @tail; each keeps its own
 *    copy of the index it owns and never trusts the shared copy of it;
 *  - a record is a 16-byte header plus payload, 16-byte aligned, never
 *    wrapping: a PAD record fills the end of the ring instead;
 *  - the producer publishes @head with a release store after the record,
 *    the consumer publishes @tail with a release store after copying it;
 *  - doorbells: the consumer sets @consumer_sleeping before it stops
 *    polling and re-checks @head; the producer sends MULTIKERNEL_VECTOR
 *    only when it sees @consumer_sleeping set, so a busy consumer gets no
 *    IPI per message.  A producer that finds no space sets
 *    @producer_waiting and the consumer rings it after freeing space.
 *
 * The ring and record formats are uapi (include/uapi/linux/multikernel.h):
 * the two ends may be different kernel builds, and each ring header carries
 * a version that the spawned kernel checks before it uses the ring.
 *
 * The peer is not trusted: every index and length read from shared memory
 * is checked against the ring size and the message limit, records are
 * copied out before they are parsed, and any inconsistency marks the
 * channel broken, logs why, and stops all traffic on it.  The reader never
 * loops on peer-controlled data without a bound.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <kunit/static_stub.h>
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/multikernel_chan.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

/* The documented layout of the shared area (include/uapi/linux/multikernel.h) */
static_assert(MULTIKERNEL_INFO_OFFSET + MULTIKERNEL_INFO_MAX_SIZE ==
	      MULTIKERNEL_PT_OFFSET);
static_assert(MULTIKERNEL_PT_OFFSET + MULTIKERNEL_PT_PAGES * PAGE_SIZE <=
	      MK_CHAN_OFFSET);
static_assert(MK_RING_HDR_SIZE + MK_RING_DATA_SIZE == MK_RING_STRIDE);
static_assert(MK_CHAN_OFFSET + MK_NR_RINGS * MK_RING_STRIDE == MK_CONSOLE_OFFSET);
static_assert(MK_CONSOLE_OFFSET + MK_CONSOLE_HDR_SIZE + MK_CONSOLE_SIZE <=
	      MULTIKERNEL_STACK_OFFSET);
static_assert(MULTIKERNEL_STACK_OFFSET + MULTIKERNEL_STACK_SIZE ==
	      MULTIKERNEL_SHARED_SIZE);
static_assert(MULTIKERNEL_SHARED_SIZE - 16 == MULTIKERNEL_STACK_TOP);
static_assert(!(MK_RING_DATA_SIZE & (MK_RING_DATA_SIZE - 1)));
static_assert(!(MK_CONSOLE_SIZE & (MK_CONSOLE_SIZE - 1)));
/* an empty ring takes the largest record even after a padding record */
static_assert(2 * (sizeof(struct mk_record_header) + MK_MSG_MAX) <=
	      MK_RING_DATA_SIZE);

static_assert(offsetof(struct mk_ring_shared, version) == 4);
static_assert(offsetof(struct mk_ring_shared, size) == 8);
static_assert(offsetof(struct mk_ring_shared, head) == 64);
static_assert(offsetof(struct mk_ring_shared, tail) == 128);
static_assert(offsetof(struct mk_ring_shared, consumer_sleeping) == 192);
static_assert(offsetof(struct mk_ring_shared, producer_waiting) == 256);
static_assert(sizeof(struct mk_ring_shared) == 320);
static_assert(sizeof(struct mk_ring_shared) <= MK_RING_HDR_SIZE);

static_assert(offsetof(struct mk_record_header, flags) == 2);
static_assert(offsetof(struct mk_record_header, len) == 4);
static_assert(offsetof(struct mk_record_header, seq) == 8);
static_assert(sizeof(struct mk_record_header) == MK_RECORD_ALIGN);
static_assert(sizeof(struct mk_lifecycle) == 8);

static_assert(offsetof(struct mk_console_shared, version) == 4);
static_assert(offsetof(struct mk_console_shared, size) == 8);
static_assert(offsetof(struct mk_console_shared, head) == 64);
static_assert(sizeof(struct mk_console_shared) <= MK_CONSOLE_HDR_SIZE);

#define MK_RX_BUDGET		256	/* records per work run before yielding */

struct mk_call {
	struct list_head	node;
	u32			seq;
	void			*reply;
	u32			reply_max;
	u32			reply_len;
	int			status;
	struct completion	done;
};

static mk_msg_handler_t mk_handlers[MK_MSG_NR_TYPES];

/* Active channels of this kernel, for the doorbell interrupt (RCU). */
#define MK_MAX_CHANS	8
static struct mk_chan __rcu *mk_chans[MK_MAX_CHANS];
static DEFINE_MUTEX(mk_chans_lock);

/**
 * mk_chan_register_handler - register the receive function for a type
 * @type:	enum mk_msg_type value
 * @fn:		handler, or NULL to unregister
 *
 * One handler per type per kernel; it serves every channel of this kernel.
 *
 * Return: 0, -EINVAL for a bad type, -EBUSY if one is registered already.
 */
int mk_chan_register_handler(u16 type, mk_msg_handler_t fn)
{
	if (type == MK_MSG_PAD || type >= MK_MSG_NR_TYPES)
		return -EINVAL;
	if (fn && cmpxchg(&mk_handlers[type], NULL, fn))
		return -EBUSY;
	if (!fn)
		WRITE_ONCE(mk_handlers[type], NULL);
	return 0;
}

static inline u32 mk_rec_size(u32 len)
{
	return ALIGN(sizeof(struct mk_record_header) + len, MK_RECORD_ALIGN);
}

static struct mk_ring_shared *mk_ring_sh(void *shared_va, int idx)
{
	return shared_va + MK_CHAN_OFFSET + idx * MK_RING_STRIDE;
}

/**
 * mk_chan_reset_shared - initialise the channel area before a start
 * @shared_va:	kernel mapping of the instance's shared area
 *
 * Called by the host only, while the guest is not running.
 */
void mk_chan_reset_shared(void *shared_va)
{
	struct mk_console_shared *con = shared_va + MK_CONSOLE_OFFSET;
	int i;

	for (i = 0; i < MK_NR_RINGS; i++) {
		struct mk_ring_shared *sh = mk_ring_sh(shared_va, i);

		memset(sh, 0, MK_RING_HDR_SIZE);
		sh->magic = MK_RING_MAGIC;
		sh->version = MK_RING_VERSION;
		sh->size = MK_RING_DATA_SIZE;
		/* consumers start asleep: the first record rings the doorbell */
		sh->consumer_sleeping = 1;
	}
	memset(con, 0, MK_CONSOLE_HDR_SIZE);
	con->magic = MK_CONSOLE_MAGIC;
	con->version = MK_CONSOLE_VERSION;
	con->size = MK_CONSOLE_SIZE;
}

/* Is @sh a ring header this kernel can use? */
static bool mk_ring_hdr_ok(const struct mk_ring_shared *sh)
{
	return READ_ONCE(sh->magic) == MK_RING_MAGIC &&
	       READ_ONCE(sh->version) == MK_RING_VERSION &&
	       READ_ONCE(sh->size) == MK_RING_DATA_SIZE;
}

static void mk_chan_fail_calls(struct mk_chan *ch, int status)
{
	struct mk_call *call;
	unsigned long flags;

	spin_lock_irqsave(&ch->calls_lock, flags);
	list_for_each_entry(call, &ch->calls, node) {
		if (call->status != -EINPROGRESS)
			continue;	/* already answered */
		call->status = status;
		complete(&call->done);
	}
	spin_unlock_irqrestore(&ch->calls_lock, flags);
}

/* Tell the waiters of a broken channel, in process context. */
static void mk_chan_break_work(struct work_struct *work)
{
	struct mk_chan *ch = container_of(work, struct mk_chan, break_work);

	/* a late run after the next attach has nothing to say */
	if (!READ_ONCE(ch->broken))
		return;
	mk_chan_fail_calls(ch, -EPIPE);
	wake_up_all(&ch->tx_wait);
}

/*
 * Mark the channel broken.  Any context, the send path's included (under
 * tx_lock, in NMI, during a panic): it takes no lock, and hands the
 * wake-ups to @break_work.  In NMI or panic context nothing is woken at
 * all: queueing work is not NMI-safe, and a panicking kernel runs no
 * waiters anyway.  Senders waiting for space still notice within their
 * re-check slice, calls at their timeout.
 */
static void mk_chan_break(struct mk_chan *ch, const char *why)
{
	atomic64_inc(&ch->errors);
	/* the first break of this attachment sets the reason */
	if (atomic_xchg(&ch->broken_once, 1))
		return;
	strscpy(ch->broken_reason, why, sizeof(ch->broken_reason));
	/* the reason is complete before the channel is seen broken */
	smp_store_release(&ch->broken, true);
	pr_err("instance %d: channel broken: %s\n", ch->id, why);
	if (READ_ONCE(ch->active) && !in_nmi() && !oops_in_progress)
		queue_work(system_wq, &ch->break_work);
}

static void mk_ring_init(struct mk_ring *r, void *shared_va, int idx,
			 bool producer)
{
	r->sh = mk_ring_sh(shared_va, idx);
	r->data = (u8 *)r->sh + MK_RING_HDR_SIZE;
	r->size = MK_RING_DATA_SIZE;
	r->pos = 0;
	r->producer = producer;
}

static void mk_chan_rx_work(struct work_struct *work);

/*
 * The receive work of every channel of this kernel runs here: unbound and
 * at normal priority, so that a peer that never stops sending costs this
 * kernel one ordinary task's share of CPU time, on whichever CPU the
 * scheduler picks, and not the CPU its doorbells arrive on.  Allocated
 * with the first channel: the spawned kernel sets its channel up in an
 * early initcall of the platform, before any initcall of this file runs.
 */
static struct workqueue_struct *mk_chan_wq;

static void mk_chan_wq_init(void)
{
	struct workqueue_struct *wq;

	if (READ_ONCE(mk_chan_wq))
		return;
	wq = alloc_workqueue("mk_chan_rx", WQ_UNBOUND, 0);
	if (!wq)
		pr_warn("no receive workqueue, using system_unbound_wq\n");
	/* the first channel set up concurrently wins */
	if (cmpxchg(&mk_chan_wq, NULL, wq ?: system_unbound_wq) && wq)
		destroy_workqueue(wq);
}

/* Only for channels set up by mk_chan_init(): mk_chan_wq is set. */
static void mk_chan_queue_rx(struct mk_chan *ch)
{
	KUNIT_STATIC_STUB_REDIRECT(mk_chan_queue_rx, ch);
	queue_work(READ_ONCE(mk_chan_wq), &ch->rx_work);
}

/**
 * mk_chan_init - one-time initialisation of this kernel's end of a channel
 * @ch:		channel to initialise
 * @is_host:	true on the host
 * @id:		instance id
 * @priv:	owner's data
 *
 * The channel stays inactive until mk_chan_attach() and mk_chan_activate().
 */
void mk_chan_init(struct mk_chan *ch, bool is_host, int id, void *priv)
{
	int c;

	ch->id = id;
	ch->is_host = is_host;
	ch->priv = priv;
	for (c = 0; c < 2; c++)
		raw_spin_lock_init(&ch->tx_lock[c]);
	INIT_WORK(&ch->rx_work, mk_chan_rx_work);
	mk_chan_wq_init();
	INIT_WORK(&ch->break_work, mk_chan_break_work);
	init_waitqueue_head(&ch->tx_wait);
	INIT_LIST_HEAD(&ch->calls);
	spin_lock_init(&ch->calls_lock);
}

/**
 * mk_chan_attach - bind an inactive channel to freshly reset rings
 * @ch:		channel, initialised with mk_chan_init() and not active
 * @shared_va:	kernel mapping of the instance's shared area
 * @peer_apicid: APIC id that receives our doorbells
 *
 * Clears the broken state and the counters.  The spawned kernel checks
 * the ring headers the host wrote: rings of a format it does not know
 * leave the channel broken.
 */
void mk_chan_attach(struct mk_chan *ch, void *shared_va, u32 peer_apicid)
{
	int c;

	ch->peer_apicid = peer_apicid;
	for (c = 0; c < 2; c++) {
		int h2g = c ? MK_RING_DATA_H2G : MK_RING_CTL_H2G;
		int g2h = c ? MK_RING_DATA_G2H : MK_RING_CTL_G2H;

		mk_ring_init(&ch->tx[c], shared_va, ch->is_host ? h2g : g2h, true);
		mk_ring_init(&ch->rx[c], shared_va, ch->is_host ? g2h : h2g, false);
	}
	ch->broken = false;
	ch->broken_reason[0] = '\0';
	atomic_set(&ch->broken_once, 0);
	ch->data_stalled = false;
	atomic64_set(&ch->tx_msgs, 0);
	atomic64_set(&ch->rx_msgs, 0);
	atomic64_set(&ch->ipis_sent, 0);
	atomic64_set(&ch->errors, 0);
	atomic64_set(&ch->full, 0);
	for (c = 0; c < 2 && !ch->is_host; c++) {
		if (!mk_ring_hdr_ok(ch->tx[c].sh) || !mk_ring_hdr_ok(ch->rx[c].sh)) {
			mk_chan_break(ch, "ring format unknown to this kernel");
			break;
		}
	}
}

/*
 * Switch @active under both producer locks: a send in progress finishes
 * first, later ones see the new value.  A new run gets a new epoch.
 */
static void mk_chan_set_active(struct mk_chan *ch, bool active)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&ch->tx_lock[0], flags);
	raw_spin_lock_nested(&ch->tx_lock[1], SINGLE_DEPTH_NESTING);
	if (active)
		WRITE_ONCE(ch->epoch, ch->epoch + 1);
	WRITE_ONCE(ch->active, active);
	raw_spin_unlock(&ch->tx_lock[1]);
	raw_spin_unlock_irqrestore(&ch->tx_lock[0], flags);
}

/**
 * mk_chan_activate - start using a channel
 * @ch: channel whose peer is about to run
 *
 * Starts a new run: /dev/mkchanN's queue is emptied, and a send that
 * began before (in an earlier run or while inactive) fails with
 * -ENOTCONN rather than reach the fresh rings.
 */
void mk_chan_activate(struct mk_chan *ch)
{
	int i;

	/* a reader never gets an earlier run's messages */
	mk_cdev_reset(READ_ONCE(ch->cdev));
	mutex_lock(&mk_chans_lock);
	for (i = 0; i < MK_MAX_CHANS; i++)
		if (!rcu_access_pointer(mk_chans[i])) {
			rcu_assign_pointer(mk_chans[i], ch);
			break;
		}
	mutex_unlock(&mk_chans_lock);
	WARN_ON_ONCE(i == MK_MAX_CHANS);
	mk_chan_set_active(ch, true);
	/*
	 * Records may already be waiting, their doorbell sent before we
	 * listened: take a first look, which also re-arms consumer_sleeping.
	 */
	mk_chan_queue_rx(ch);
}

/**
 * mk_chan_deactivate - stop using a channel
 * @ch: channel whose peer stopped
 *
 * Fails outstanding calls and waits for the receive work to finish;
 * senders get -ENOTCONN, /dev/mkchanN's queue is emptied.
 */
void mk_chan_deactivate(struct mk_chan *ch)
{
	int i;

	mk_chan_set_active(ch, false);
	mutex_lock(&mk_chans_lock);
	for (i = 0; i < MK_MAX_CHANS; i++)
		if (rcu_access_pointer(mk_chans[i]) == ch)
			RCU_INIT_POINTER(mk_chans[i], NULL);
	mutex_unlock(&mk_chans_lock);
	synchronize_rcu();	/* no doorbell handler still sees @ch */
	mk_chan_fail_calls(ch, -ESHUTDOWN);
	wake_up_all(&ch->tx_wait);
	cancel_work_sync(&ch->rx_work);
	/* inactive: neither a send nor the receive work queues it again */
	cancel_work_sync(&ch->break_work);
	/* no delivery runs any more: what the run left queued goes */
	mk_cdev_reset(READ_ONCE(ch->cdev));
}

static void mk_chan_ring(struct mk_chan *ch)
{
	KUNIT_STATIC_STUB_REDIRECT(mk_chan_ring, ch);
	atomic64_inc(&ch->ipis_sent);
	arch_multikernel_send_ipi(ch->peer_apicid);
}

/*
 * Does a record of @need bytes fit into @r now?  Returns the padding it
 * needs first (0, or the rest of the ring when it would wrap), -EAGAIN
 * when it does not fit, -EPIPE when the peer's tail is corrupt.  Called
 * with the ring's tx_lock held.
 */
static int mk_ring_room(struct mk_chan *ch, struct mk_ring *r, u32 need)
{
	u32 head = r->pos, tail, used, room;

	/* pairs with the consumer's release of tail: its reads are done */
	tail = smp_load_acquire(&r->sh->tail);
	used = head - tail;
	if (used > r->size || used % MK_RECORD_ALIGN) {
		mk_chan_break(ch, "peer tail index out of range");
		return -EPIPE;
	}
	room = r->size - (head & (r->size - 1));
	if (need <= room)
		return r->size - used < need ? -EAGAIN : 0;
	/* pad to the end of the ring, then start at offset 0 */
	return r->size - used < room + need ? -EAGAIN : room;
}

/* Try to put one record into @r; -EAGAIN when there is no space. */
static int mk_ring_put(struct mk_chan *ch, struct mk_ring *r, u16 type,
		       u16 flags, u32 seq, const void *data, u32 len)
{
	struct mk_record_header hdr = {
		.type = type, .flags = flags, .len = len, .seq = seq,
	};
	u32 need = mk_rec_size(len), head = r->pos, off;
	int pad = mk_ring_room(ch, r, need);

	if (pad < 0)
		return pad;
	off = head & (r->size - 1);
	if (pad) {
		hdr.type = MK_MSG_PAD;
		hdr.len = pad - sizeof(hdr);
		memcpy(r->data + off, &hdr, sizeof(hdr));
		head += pad;
		off = 0;
		hdr.type = type;
		hdr.len = len;
	}
	memcpy(r->data + off, &hdr, sizeof(hdr));
	memcpy(r->data + off + sizeof(hdr), data, len);
	head += need;
	r->pos = head;
	/* the record is complete before the consumer can see it */
	smp_store_release(&r->sh->head, head);
	return 0;
}

/* The ring class of a message type: 0 control, 1 data. */
static int mk_msg_class(u16 type)
{
	return type == MK_MSG_USER || type == MK_MSG_SINK;
}

/*
 * One attempt to send in run @epoch.  Takes nothing but the raw tx_lock
 * and wakes nobody, so it is safe in any context, NMI and panic included.
 */
static int mk_try_send(struct mk_chan *ch, int c, u32 epoch, u16 type,
		       u16 flags, u32 seq, const void *data, u32 len)
{
	struct mk_ring *r = &ch->tx[c];
	unsigned long irqflags;
	int ret;

	if (READ_ONCE(ch->broken))
		return -EPIPE;
	if (unlikely(oops_in_progress || in_nmi())) {
		/* the interrupted or a stopped CPU may hold the lock */
		if (!raw_spin_trylock_irqsave(&ch->tx_lock[c], irqflags))
			return -EBUSY;
	} else {
		raw_spin_lock_irqsave(&ch->tx_lock[c], irqflags);
	}
	/* under the lock: a stop, and a start after it, wait for us */
	if (!ch->active || ch->epoch != epoch)
		ret = -ENOTCONN;
	else
		ret = mk_ring_put(ch, r, type, flags, seq, data, len);
	raw_spin_unlock_irqrestore(&ch->tx_lock[c], irqflags);
	if (ret == -EAGAIN) {
		WRITE_ONCE(r->sh->producer_waiting, 1);
		return ret;
	}
	if (ret)
		return ret;
	atomic64_inc(&ch->tx_msgs);
	/* publish head before looking at the consumer's sleep flag */
	smp_mb();
	if (READ_ONCE(r->sh->consumer_sleeping)) {
		WRITE_ONCE(r->sh->consumer_sleeping, 0);
		mk_chan_ring(ch);
	}
	return 0;
}

/* wait_event() condition: true once the send did not find the ring full */
static bool mk_send_done(struct mk_chan *ch, int c, u32 epoch, u16 type,
			 u16 flags, u32 seq, const void *data, u32 len,
			 int *ret)
{
	*ret = mk_try_send(ch, c, epoch, type, flags, seq, data, len);
	return *ret != -EAGAIN;
}

/**
 * mk_chan_send_flags - send one message with explicit flags and sequence
 * @ch:		channel
 * @type:	enum mk_msg_type
 * @flags:	MK_MSG_F_*
 * @seq:	sequence number for request/reply matching
 * @data:	payload
 * @len:	payload length, at most MK_MSG_MAX
 * @timeout:	jiffies to wait for ring space; 0 fails at once with -EAGAIN
 *
 * Safe in any context when @timeout is 0, hard interrupts, NMI and the
 * panic path included, also on PREEMPT_RT: it then takes only a raw
 * spinlock (tried, not waited for, in NMI and during an oops, -EBUSY) and
 * wakes nobody.  A send belongs to the run in which it was called: if the
 * peer is stopped, even if it is started again, before the message is in
 * the ring, it fails with -ENOTCONN.
 *
 * Return: 0, -EAGAIN (ring full), -ETIMEDOUT, -EPIPE (channel broken),
 * -ENOTCONN (peer not running), -EMSGSIZE, -EINTR, -EBUSY (oops or NMI,
 * ring locked).
 */
int mk_chan_send_flags(struct mk_chan *ch, u16 type, u16 flags, u32 seq,
		       const void *data, u32 len, long timeout)
{
	u32 epoch = READ_ONCE(ch->epoch);
	int c = mk_msg_class(type);
	int ret;

	if (len > MK_MSG_MAX)
		return -EMSGSIZE;
	if (type == MK_MSG_PAD || type >= MK_MSG_NR_TYPES)
		return -EINVAL;

	ret = mk_try_send(ch, c, epoch, type, flags, seq, data, len);
	if (ret != -EAGAIN)
		return ret;
	atomic64_inc(&ch->full);
	if (!timeout)
		return -EAGAIN;

	/* re-check in short slices: a lost doorbell costs at most one slice */
	while (timeout > 0) {
		long slice = min_t(long, timeout, msecs_to_jiffies(10) ?: 1);
		long left;

		left = wait_event_interruptible_timeout(ch->tx_wait,
							mk_send_done(ch, c, epoch, type, flags,
								     seq, data, len, &ret),
							slice);
		if (left < 0)
			return -EINTR;
		if (ret != -EAGAIN)
			return ret;
		timeout -= slice;
	}
	return -ETIMEDOUT;
}

/**
 * mk_chan_send - send one message
 * @ch:		channel
 * @type:	enum mk_msg_type
 * @data:	payload
 * @len:	payload length, at most MK_MSG_MAX
 * @timeout:	jiffies to wait for ring space; 0 fails at once with -EAGAIN
 *
 * Return: see mk_chan_send_flags().
 */
int mk_chan_send(struct mk_chan *ch, u16 type, const void *data, u32 len,
		 long timeout)
{
	return mk_chan_send_flags(ch, type, 0, 0, data, len, timeout);
}

/**
 * mk_chan_writable - would a message of any size fit without waiting?
 * @ch:		channel
 * @type:	enum mk_msg_type, selects the ring class
 *
 * For poll(): true when the ring has room for a record of MK_MSG_MAX
 * bytes.  When it has not, asks the peer for a doorbell once it frees
 * space, which wakes @ch->tx_wait.
 *
 * Return: true if the channel is active, healthy and has room.
 */
bool mk_chan_writable(struct mk_chan *ch, u16 type)
{
	int c = mk_msg_class(type);
	struct mk_ring *r = &ch->tx[c];
	u32 need = mk_rec_size(MK_MSG_MAX);
	unsigned long flags;
	int room = -ENOTCONN;

	raw_spin_lock_irqsave(&ch->tx_lock[c], flags);
	if (ch->active && !READ_ONCE(ch->broken)) {
		room = mk_ring_room(ch, r, need);
		if (room == -EAGAIN) {
			WRITE_ONCE(r->sh->producer_waiting, 1);
			/* flag visible before the re-check; pairs with mk_ring_drain() */
			smp_mb();
			room = mk_ring_room(ch, r, need);
		}
	}
	raw_spin_unlock_irqrestore(&ch->tx_lock[c], flags);
	return room >= 0;
}

/**
 * mk_chan_call - send a request and wait for its reply
 * @ch:		channel
 * @type:	enum mk_msg_type of the request
 * @data:	payload
 * @len:	payload length
 * @reply:	buffer for the reply payload
 * @reply_len:	in: size of @reply, out: length of the reply
 * @timeout:	jiffies for the whole exchange
 *
 * Return: 0, -ETIMEDOUT, -EPIPE, -ESHUTDOWN, -ECANCELED
 * (mk_chan_cancel_calls()), -EMSGSIZE (reply too large) or an error from
 * mk_chan_send_flags().
 */
int mk_chan_call(struct mk_chan *ch, u16 type, const void *data, u32 len,
		 void *reply, u32 *reply_len, long timeout)
{
	struct mk_call call = {
		.reply = reply, .reply_max = *reply_len, .status = -EINPROGRESS,
	};
	unsigned long flags, deadline = jiffies + timeout;
	int ret;

	init_completion(&call.done);
	spin_lock_irqsave(&ch->calls_lock, flags);
	call.seq = ++ch->next_seq;
	list_add_tail(&call.node, &ch->calls);
	spin_unlock_irqrestore(&ch->calls_lock, flags);

	ret = mk_chan_send_flags(ch, type, MK_MSG_F_REQUEST, call.seq, data,
				 len, timeout);
	if (!ret) {
		long left = (long)(deadline - jiffies);

		if (left <= 0 ||
		    !wait_for_completion_timeout(&call.done, left))
			ret = -ETIMEDOUT;
		else
			ret = call.status;
	}

	spin_lock_irqsave(&ch->calls_lock, flags);
	list_del(&call.node);
	spin_unlock_irqrestore(&ch->calls_lock, flags);
	if (!ret)
		*reply_len = call.reply_len;
	return ret;
}

/**
 * mk_chan_cancel_calls - end every outstanding mk_chan_call() now
 * @ch:		channel
 *
 * Their callers return -ECANCELED; a reply that arrives later is dropped.
 * Any context but NMI.
 */
void mk_chan_cancel_calls(struct mk_chan *ch)
{
	mk_chan_fail_calls(ch, -ECANCELED);
}

/**
 * mk_chan_reply - answer a request from within its handler
 * @ch:		channel the request came on
 * @req:	the request
 * @data:	reply payload
 * @len:	reply length
 *
 * Return: see mk_chan_send_flags().
 */
int mk_chan_reply(struct mk_chan *ch, const struct mk_msg *req,
		  const void *data, u32 len)
{
	if (!(req->flags & MK_MSG_F_REQUEST))
		return -EINVAL;
	return mk_chan_send_flags(ch, req->type, MK_MSG_F_REPLY, req->seq,
				  data, len, HZ);
}

/**
 * mk_chan_echo - handler that answers a request with its own payload
 * @ch:		channel the request came on
 * @msg:	the message; messages that are not requests are dropped
 *
 * Return: 0.
 */
int mk_chan_echo(struct mk_chan *ch, const struct mk_msg *msg)
{
	if (msg->flags & MK_MSG_F_REQUEST)
		mk_chan_reply(ch, msg, msg->data, msg->len);
	return 0;
}

static void mk_chan_complete_call(struct mk_chan *ch, const struct mk_msg *msg)
{
	struct mk_call *call;
	unsigned long flags;

	spin_lock_irqsave(&ch->calls_lock, flags);
	list_for_each_entry(call, &ch->calls, node) {
		if (call->seq != msg->seq || call->status != -EINPROGRESS)
			continue;
		if (msg->len > call->reply_max) {
			call->status = -EMSGSIZE;
		} else {
			memcpy(call->reply, msg->data, msg->len);
			call->reply_len = msg->len;
			call->status = 0;
		}
		complete(&call->done);
		break;
	}
	spin_unlock_irqrestore(&ch->calls_lock, flags);
}

/* Hand @msg to the handler of its type; 0, or -EAGAIN to retry later. */
static int mk_chan_deliver(struct mk_chan *ch, const struct mk_msg *msg)
{
	mk_msg_handler_t fn;

	KUNIT_STATIC_STUB_REDIRECT(mk_chan_deliver, ch, msg);
	fn = READ_ONCE(mk_handlers[msg->type]);
	if (!fn) {
		atomic64_inc(&ch->errors);
		return 0;
	}
	return fn(ch, msg);
}

/*
 * Take at most MK_RX_BUDGET records from @r.  Returns 1 if more may be
 * pending, 0 when the ring is empty, -EAGAIN when a handler stalled, or
 * -EPIPE when the ring is corrupt.
 */
static int mk_ring_drain(struct mk_chan *ch, struct mk_ring *r)
{
	u32 tail = r->pos, head, avail, off;
	struct mk_record_header hdr;
	int n, ret;

	for (n = 0; n < MK_RX_BUDGET; n++) {
		struct mk_msg msg;
		u32 rec;

		/* pairs with the producer's release: the record is complete */
		head = smp_load_acquire(&r->sh->head);
		avail = head - tail;
		if (!avail)
			return 0;
		if (avail > r->size || avail % MK_RECORD_ALIGN) {
			mk_chan_break(ch, "peer head index out of range");
			return -EPIPE;
		}
		off = tail & (r->size - 1);
		memcpy(&hdr, r->data + off, sizeof(hdr));
		rec = mk_rec_size(hdr.len);
		if (hdr.len > r->size || rec > avail || off + rec > r->size) {
			mk_chan_break(ch, "record length out of range");
			return -EPIPE;
		}
		if (hdr.type == MK_MSG_PAD) {
			if (off + rec != r->size) {
				mk_chan_break(ch, "padding does not end the ring");
				return -EPIPE;
			}
			tail += rec;
			r->pos = tail;
			/* done with the padding before the producer reuses it */
			smp_store_release(&r->sh->tail, tail);
			continue;
		}
		if (hdr.type >= MK_MSG_NR_TYPES || hdr.len > MK_MSG_MAX ||
		    (hdr.flags & ~(MK_MSG_F_REQUEST | MK_MSG_F_REPLY))) {
			mk_chan_break(ch, "malformed record header");
			return -EPIPE;
		}
		/* private copy: the peer may rewrite the ring under us */
		memcpy(ch->rxbuf, r->data + off + sizeof(hdr), hdr.len);
		msg.type = hdr.type;
		msg.flags = hdr.flags;
		msg.seq = hdr.seq;
		msg.len = hdr.len;
		msg.data = ch->rxbuf;

		ret = 0;
		if (hdr.flags & MK_MSG_F_REPLY)
			mk_chan_complete_call(ch, &msg);
		else
			ret = mk_chan_deliver(ch, &msg);
		if (ret == -EAGAIN)
			return -EAGAIN;

		atomic64_inc(&ch->rx_msgs);
		tail += rec;
		r->pos = tail;
		/* done with the record before the producer reuses it */
		smp_store_release(&r->sh->tail, tail);
		/* publish tail before looking at the producer's wait flag */
		smp_mb();
		if (READ_ONCE(r->sh->producer_waiting)) {
			WRITE_ONCE(r->sh->producer_waiting, 0);
			mk_chan_ring(ch);
		}
	}
	return 1;
}

/*
 * One run takes at most MK_RX_BUDGET records from each ring, then queues
 * itself again if more wait instead of looping: a peer that never stops
 * sending gets the work one bounded run at a time, between the other work
 * items and the tasks the scheduler picks.
 */
static void mk_chan_rx_work(struct work_struct *work)
{
	struct mk_chan *ch = container_of(work, struct mk_chan, rx_work);
	bool again = false;
	int c, ret;

	/* doorbells also mean "space freed": let blocked senders retry */
	wake_up_all(&ch->tx_wait);
	for (c = 0; c < 2; c++) {
		struct mk_ring *r = &ch->rx[c];
		int kicks = atomic_read(&ch->kicks);

		if (READ_ONCE(ch->broken) || !READ_ONCE(ch->active))
			return;
		if (c == 1 && READ_ONCE(ch->data_stalled))
			continue;
		ret = mk_ring_drain(ch, r);
		if (ret == -EPIPE)
			return;
		if (ret == -EAGAIN) {
			WRITE_ONCE(ch->data_stalled, true);
			/* a kick that raced with the handler is not lost */
			if (atomic_read(&ch->kicks) != kicks) {
				WRITE_ONCE(ch->data_stalled, false);
				again = true;
			}
			continue;
		}
		if (ret > 0) {
			again = true;
			continue;
		}
		/* empty: announce we sleep, then look once more */
		WRITE_ONCE(r->sh->consumer_sleeping, 1);
		/* flag visible before the re-check; pairs with mk_try_send() */
		smp_mb();
		/* a record published meanwhile is complete (release/acquire) */
		if (smp_load_acquire(&r->sh->head) != r->pos) {
			WRITE_ONCE(r->sh->consumer_sleeping, 0);
			again = true;
		}
	}
	if (again)
		mk_chan_queue_rx(ch);
}

/**
 * mk_chan_kick - resume delivery after a handler returned -EAGAIN
 * @ch: channel
 */
void mk_chan_kick(struct mk_chan *ch)
{
	atomic_inc(&ch->kicks);
	WRITE_ONCE(ch->data_stalled, false);
	if (READ_ONCE(ch->active))
		mk_chan_queue_rx(ch);
}

/**
 * mk_chan_poke - look at the rings without waiting for a doorbell
 * @ch: channel
 *
 * Runs the receive work, which also wakes senders waiting for space.
 * Called periodically as a backstop against a lost doorbell.
 */
void mk_chan_poke(struct mk_chan *ch)
{
	if (READ_ONCE(ch->active))
		mk_chan_queue_rx(ch);
}

/* Doorbells each CPU of this kernel took */
static DEFINE_PER_CPU(unsigned int, mk_chan_irq_count);

/**
 * multikernel_chan_irq - doorbell from a peer kernel
 *
 * Called by the architecture's MULTIKERNEL_VECTOR handler.  The doorbell
 * does not say which channel it is for: every active channel of this
 * kernel schedules its receive work, which wakes senders waiting for space.
 * The handler itself does nothing else, whatever the peer sends.
 */
void multikernel_chan_irq(void)
{
	struct mk_chan *ch;
	int i;

	this_cpu_inc(mk_chan_irq_count);
	rcu_read_lock();
	for (i = 0; i < MK_MAX_CHANS; i++) {
		ch = rcu_dereference(mk_chans[i]);
		if (ch)
			mk_chan_poke(ch);
	}
	rcu_read_unlock();
}

/**
 * multikernel_chan_irqs - doorbells a CPU took, for interrupt statistics
 * @cpu: CPU of this kernel
 *
 * Return: the number of multikernel_chan_irq() calls on @cpu since boot.
 */
unsigned int multikernel_chan_irqs(unsigned int cpu)
{
	return per_cpu(mk_chan_irq_count, cpu);
}

/**
 * mk_chan_ring_check - look for corruption without waiting for traffic
 * @ch: channel
 *
 * Validates the peer-written indices of all rings; used by the host's
 * periodic health check so a peer that scribbles over an idle ring is
 * noticed.
 *
 * Return: true if the channel is (still) healthy.
 */
bool mk_chan_ring_check(struct mk_chan *ch)
{
	unsigned long flags;
	int c;

	if (READ_ONCE(ch->broken))
		return false;
	for (c = 0; c < 2; c++) {
		struct mk_ring *rx = &ch->rx[c], *tx = &ch->tx[c];
		u32 used;

		/* the receive indices are checked in order by the rx work */
		if (!mk_ring_hdr_ok(rx->sh)) {
			mk_chan_break(ch, "receive ring header corrupted");
			return false;
		}
		raw_spin_lock_irqsave(&ch->tx_lock[c], flags);
		used = tx->pos - READ_ONCE(tx->sh->tail);
		raw_spin_unlock_irqrestore(&ch->tx_lock[c], flags);
		if (used > tx->size || used % MK_RECORD_ALIGN) {
			mk_chan_break(ch, "peer tail index out of range");
			return false;
		}
	}
	return true;
}

#if IS_ENABLED(CONFIG_MULTIKERNEL_KUNIT_TEST)
#include "chan_kunit.c"
#endif /* CONFIG_MULTIKERNEL_KUNIT_TEST */

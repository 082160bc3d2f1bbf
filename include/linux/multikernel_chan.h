/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multikernel inter-kernel channel: bounded shared-memory rings between a
 * host and one spawned kernel, with MULTIKERNEL_VECTOR IPIs as doorbells.
 * The shared-memory format is uapi: <uapi/linux/multikernel.h>.
 * See Documentation/core-api/multikernel-channel.rst.
 */
#ifndef _LINUX_MULTIKERNEL_CHAN_H
#define _LINUX_MULTIKERNEL_CHAN_H

#include <linux/completion.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <uapi/linux/multikernel.h>

/* Message types this kernel knows: enum mk_msg_type */
#define MK_MSG_NR_TYPES		(MK_MSG_USER + 1)

/**
 * struct mk_msg - a received message, valid during its handler only
 * @type:	enum mk_msg_type
 * @flags:	MK_MSG_F_*
 * @seq:	request/reply matching
 * @len:	payload length
 * @data:	payload, a private copy of what the peer wrote
 */
struct mk_msg {
	u16		type;
	u16		flags;
	u32		seq;
	u32		len;
	const void	*data;
};

struct mk_cdev;

/* One direction of one ring class, as seen by this kernel. */
struct mk_ring {
	struct mk_ring_shared	*sh;
	u8			*data;
	u32			size;
	u32			pos;	/* our own head (producer) or tail (consumer) */
	bool			producer;
};

/**
 * struct mk_chan - this kernel's end of the channel to one peer
 * @id:		instance id (on the guest: its own id)
 * @peer_apicid: where doorbell IPIs go
 * @is_host:	this end is the host
 * @tx:		rings we produce into, ctl and data
 * @rx:		rings we consume, ctl and data
 * @tx_lock:	serialises producers per ring, and them against
 *		mk_chan_activate() and mk_chan_deactivate(); raw: taken by
 *		atomic-safe sends, also on PREEMPT_RT
 * @rx_work:	drains @rx
 * @break_work:	wakes the waiters of a channel found broken (a break on
 *		the send path may happen where waking is not allowed)
 * @tx_wait:	senders waiting for ring space, and the poll() of
 *		/dev/mkchanN; woken by doorbells, a break and deactivation
 * @rxbuf:	private copy of the message being delivered
 * @broken:	a ring was found corrupt; nothing is sent or received
 * @broken_once: the first break of an attachment claims it
 * @broken_reason: what was wrong
 * @active:	set while the peer may use the rings; written under both
 *		@tx_lock
 * @epoch:	run counter, bumped by mk_chan_activate() under both
 *		@tx_lock: a send that began in one run never completes in
 *		another
 * @data_stalled: the data class handler asked to be retried later
 * @kicks:	mk_chan_kick() calls, to catch one racing with a stall
 * @calls:	outstanding mk_chan_call() waiters
 * @calls_lock:	protects @calls and @next_seq
 * @next_seq:	next request sequence number
 * @tx_msgs:	messages sent
 * @rx_msgs:	messages received
 * @ipis_sent:	doorbells sent
 * @errors:	corruptions and protocol errors seen
 * @full:	sends that found the ring full
 * @priv:	owner's data
 * @cdev:	/dev/mkchanN bound to this channel, if any
 */
struct mk_chan {
	int			id;
	u32			peer_apicid;
	bool			is_host;
	struct mk_ring		tx[2];
	struct mk_ring		rx[2];
	raw_spinlock_t		tx_lock[2];	/* one producer per tx ring */
	struct work_struct	rx_work;
	struct work_struct	break_work;
	wait_queue_head_t	tx_wait;
	u8			rxbuf[MK_MSG_MAX];
	bool			broken;
	atomic_t		broken_once;
	char			broken_reason[64];
	bool			active;
	u32			epoch;
	bool			data_stalled;
	atomic_t		kicks;
	struct list_head	calls;
	spinlock_t		calls_lock;	/* protects calls, next_seq */
	u32			next_seq;
	atomic64_t		tx_msgs;
	atomic64_t		rx_msgs;
	atomic64_t		ipis_sent;
	atomic64_t		errors;
	atomic64_t		full;
	void			*priv;
	struct mk_cdev		*cdev;
};

/**
 * typedef mk_msg_handler_t - receive one message of a registered type
 * @ch:		channel it arrived on
 * @msg:	the message
 *
 * Runs in process context, one message at a time per channel.  Data-class
 * handlers (MK_MSG_USER) may return -EAGAIN to leave the message in the
 * ring; the owner then calls mk_chan_kick() when it can take more.
 *
 * Return: 0, or -EAGAIN to retry later.
 */
typedef int (*mk_msg_handler_t)(struct mk_chan *ch, const struct mk_msg *msg);

int mk_chan_register_handler(u16 type, mk_msg_handler_t fn);
void mk_chan_init(struct mk_chan *ch, bool is_host, int id, void *priv);
void mk_chan_attach(struct mk_chan *ch, void *shared_va, u32 peer_apicid);
void mk_chan_reset_shared(void *shared_va);
void mk_chan_activate(struct mk_chan *ch);
void mk_chan_deactivate(struct mk_chan *ch);
int mk_chan_send(struct mk_chan *ch, u16 type, const void *data, u32 len,
		 long timeout);
int mk_chan_send_flags(struct mk_chan *ch, u16 type, u16 flags, u32 seq,
		       const void *data, u32 len, long timeout);
int mk_chan_call(struct mk_chan *ch, u16 type, const void *data, u32 len,
		 void *reply, u32 *reply_len, long timeout);
void mk_chan_cancel_calls(struct mk_chan *ch);
int mk_chan_reply(struct mk_chan *ch, const struct mk_msg *req,
		  const void *data, u32 len);
int mk_chan_echo(struct mk_chan *ch, const struct mk_msg *msg);
bool mk_chan_writable(struct mk_chan *ch, u16 type);
void mk_chan_kick(struct mk_chan *ch);
void mk_chan_poke(struct mk_chan *ch);
bool mk_chan_ring_check(struct mk_chan *ch);

/* /dev/mkchanN: user-space messages over the data class */
struct mk_cdev *mk_cdev_create(struct mk_chan *ch, int minor_id);
void mk_cdev_reset(struct mk_cdev *cd);
void mk_cdev_hangup(struct mk_cdev *cd);
void mk_cdev_destroy(struct mk_cdev *cd);
int mk_cdev_init(void);

/* Provided by the architecture. */
void arch_multikernel_send_ipi(u32 apicid);
void multikernel_chan_irq(void);
unsigned int multikernel_chan_irqs(unsigned int cpu);

#endif /* _LINUX_MULTIKERNEL_CHAN_H */

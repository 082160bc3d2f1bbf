// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the inter-kernel channel, included at the end of chan.c.
 *
 * Both ends of one channel live in this kernel, on one buffer laid out as
 * an instance's shared area: a host end and a guest end attached to the
 * same rings.  Doorbells, receive work queueing and delivery to handlers
 * are static stubs that only count and record, so the test thread drives
 * the rings itself (mk_ring_drain(), mk_chan_rx_work()) and no other
 * channel of the kernel is touched.  The hostile cases write the shared
 * indices and record headers as a misbehaving peer would.
 */

#include <kunit/test.h>
#include <kunit/static_stub.h>
#include <linux/sizes.h>
#include <linux/vmalloc.h>

/* Not an instance id (those are 1..MULTIKERNEL_MAX_ID): the log says test */
#define MK_KUNIT_ID	0

struct mk_chan_kunit {
	void		*shared;
	struct mk_chan	host;
	struct mk_chan	guest;
	int		doorbells;
	int		requeues;
	int		delivered;
	int		stalls;		/* deliveries still to refuse, -EAGAIN */
	bool		kick_in_handler; /* the owner kicks while refusing */
	struct mk_msg	last;
	u8		last_data[MK_MSG_MAX];
};

static struct mk_chan_kunit *mk_fx(void)
{
	return kunit_get_current_test()->priv;
}

static void mk_kunit_ring(struct mk_chan *ch)
{
	mk_fx()->doorbells++;
}

static void mk_kunit_queue_rx(struct mk_chan *ch)
{
	mk_fx()->requeues++;
}

static int mk_kunit_deliver(struct mk_chan *ch, const struct mk_msg *msg)
{
	struct mk_chan_kunit *fx = mk_fx();

	if (fx->stalls) {
		fx->stalls--;
		if (fx->kick_in_handler)
			mk_chan_kick(ch);
		return -EAGAIN;
	}
	fx->delivered++;
	fx->last = *msg;
	memcpy(fx->last_data, msg->data, msg->len);
	fx->last.data = fx->last_data;
	return 0;
}

KUNIT_DEFINE_ACTION_WRAPPER(mk_kunit_vfree, vfree, const void *);

static int mk_chan_kunit_init(struct kunit *test)
{
	struct mk_chan_kunit *fx;

	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fx);
	fx->shared = vzalloc(MULTIKERNEL_SHARED_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, fx->shared);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, mk_kunit_vfree, fx->shared));
	test->priv = fx;

	kunit_activate_static_stub(test, mk_chan_ring, mk_kunit_ring);
	kunit_activate_static_stub(test, mk_chan_queue_rx, mk_kunit_queue_rx);
	kunit_activate_static_stub(test, mk_chan_deliver, mk_kunit_deliver);

	mk_chan_reset_shared(fx->shared);
	mk_chan_init(&fx->host, true, MK_KUNIT_ID, NULL);
	mk_chan_init(&fx->guest, false, MK_KUNIT_ID, NULL);
	mk_chan_attach(&fx->host, fx->shared, 0);
	mk_chan_attach(&fx->guest, fx->shared, 0);
	/* active without mk_chan_activate(): no doorbell interrupt finds them */
	mk_chan_set_active(&fx->host, true);
	mk_chan_set_active(&fx->guest, true);
	return 0;
}

static void mk_chan_kunit_exit(struct kunit *test)
{
	struct mk_chan_kunit *fx = test->priv;

	mk_chan_set_active(&fx->host, false);
	mk_chan_set_active(&fx->guest, false);
	/* a break queues its wake-ups on system_wq, outside the stubs */
	cancel_work_sync(&fx->host.break_work);
	cancel_work_sync(&fx->guest.break_work);
	cancel_work_sync(&fx->host.rx_work);
	cancel_work_sync(&fx->guest.rx_work);
}

/* Both ends' indices of the ring the host produces into for class @c */
static void mk_kunit_set_pos(struct mk_chan_kunit *fx, int c, u32 pos)
{
	fx->host.tx[c].pos = pos;
	fx->guest.rx[c].pos = pos;
	fx->host.tx[c].sh->head = pos;
	fx->host.tx[c].sh->tail = pos;
}

static void mk_chan_test_put_drain(struct kunit *test)
{
	struct mk_chan_kunit *fx = test->priv;
	struct mk_ring *r = &fx->guest.rx[0];
	static const char hello[] = "hello, peer";

	KUNIT_EXPECT_EQ(test, 0, mk_chan_send_flags(&fx->host, MK_MSG_ECHO,
						    MK_MSG_F_REQUEST, 7, hello,
						    sizeof(hello), 0));
	/* the consumer starts asleep: the first record rings it, once */
	KUNIT_EXPECT_EQ(test, 1, fx->doorbells);
	KUNIT_EXPECT_EQ(test, 0U, READ_ONCE(r->sh->consumer_sleeping));
	KUNIT_EXPECT_EQ(test, 0, mk_chan_send(&fx->host, MK_MSG_ECHO, "", 0, 0));
	KUNIT_EXPECT_EQ(test, 1, fx->doorbells);
	KUNIT_EXPECT_EQ(test, r->sh->head,
			mk_rec_size(sizeof(hello)) + mk_rec_size(0));
	/* the data class has its own ring */
	KUNIT_EXPECT_EQ(test, 0U, fx->guest.rx[1].sh->head);

	KUNIT_EXPECT_EQ(test, 0, mk_ring_drain(&fx->guest, r));
	KUNIT_EXPECT_EQ(test, 2, fx->delivered);
	KUNIT_EXPECT_EQ(test, r->pos, r->sh->head);
	KUNIT_EXPECT_EQ(test, r->sh->tail, r->sh->head);
	KUNIT_EXPECT_EQ(test, 2LL, atomic64_read(&fx->guest.rx_msgs));
	KUNIT_EXPECT_EQ(test, 2LL, atomic64_read(&fx->host.tx_msgs));
	KUNIT_EXPECT_FALSE(test, fx->guest.broken);

	/* the first record as the handler saw it */
	fx->delivered = 0;
	KUNIT_EXPECT_EQ(test, 0, mk_chan_send_flags(&fx->host, MK_MSG_ECHO,
						    MK_MSG_F_REQUEST, 7, hello,
						    sizeof(hello), 0));
	KUNIT_EXPECT_EQ(test, 0, mk_ring_drain(&fx->guest, r));
	KUNIT_EXPECT_EQ(test, 1, fx->delivered);
	KUNIT_EXPECT_EQ(test, (u16)MK_MSG_ECHO, fx->last.type);
	KUNIT_EXPECT_EQ(test, (u16)MK_MSG_F_REQUEST, fx->last.flags);
	KUNIT_EXPECT_EQ(test, 7U, fx->last.seq);
	KUNIT_EXPECT_EQ(test, (u32)sizeof(hello), fx->last.len);
	KUNIT_EXPECT_MEMEQ(test, fx->last_data, hello, sizeof(hello));

	/* guest to host, data class */
	KUNIT_EXPECT_EQ(test, 0, mk_chan_send(&fx->guest, MK_MSG_USER, hello,
					      sizeof(hello), 0));
	KUNIT_EXPECT_EQ(test, 0U, fx->host.rx[0].sh->head);
	KUNIT_EXPECT_EQ(test, 0, mk_ring_drain(&fx->host, &fx->host.rx[1]));
	KUNIT_EXPECT_EQ(test, (u16)MK_MSG_USER, fx->last.type);
	KUNIT_EXPECT_EQ(test, 1LL, atomic64_read(&fx->host.rx_msgs));
}

static void mk_chan_test_send_checks(struct kunit *test)
{
	struct mk_chan_kunit *fx = test->priv;
	static u8 big[MK_MSG_MAX + 1];

	KUNIT_EXPECT_EQ(test, -EMSGSIZE, mk_chan_send(&fx->host, MK_MSG_ECHO,
						      big, MK_MSG_MAX + 1, 0));
	KUNIT_EXPECT_EQ(test, -EINVAL, mk_chan_send(&fx->host, MK_MSG_PAD,
						    big, 16, 0));
	KUNIT_EXPECT_EQ(test, -EINVAL, mk_chan_send(&fx->host, MK_MSG_NR_TYPES,
						    big, 16, 0));
	KUNIT_EXPECT_EQ(test, 0, mk_chan_send(&fx->host, MK_MSG_SINK, big,
					      MK_MSG_MAX, 0));
	KUNIT_EXPECT_EQ(test, mk_rec_size(MK_MSG_MAX), fx->guest.rx[1].sh->head);

	mk_chan_set_active(&fx->host, false);
	KUNIT_EXPECT_EQ(test, -ENOTCONN, mk_chan_send(&fx->host, MK_MSG_ECHO,
						      big, 16, 0));
	mk_chan_set_active(&fx->host, true);
	KUNIT_EXPECT_EQ(test, 0, mk_chan_send(&fx->host, MK_MSG_ECHO, big, 16, 0));

	mk_chan_break(&fx->host, "broken by the test");
	KUNIT_EXPECT_EQ(test, -EPIPE, mk_chan_send(&fx->host, MK_MSG_ECHO,
						   big, 16, 0));
	KUNIT_EXPECT_STREQ(test, fx->host.broken_reason, "broken by the test");
	/* the first reason stays */
	mk_chan_break(&fx->host, "second break");
	KUNIT_EXPECT_STREQ(test, fx->host.broken_reason, "broken by the test");
	KUNIT_EXPECT_EQ(test, 2LL, atomic64_read(&fx->host.errors));
	KUNIT_EXPECT_FALSE(test, mk_chan_ring_check(&fx->host));
}

/* Start positions of the wrap test: near the ring's end, and the index's */
static const u32 mk_wrap_starts[] = {
	MK_RING_DATA_SIZE - 32,
	MK_RING_DATA_SIZE - 16,
	0xfffffff0,
	0xffffffe0,
};

static void mk_wrap_desc(const u32 *start, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "start %#x", *start);
}

KUNIT_ARRAY_PARAM(mk_wrap, mk_wrap_starts, mk_wrap_desc);

static void mk_chan_test_wrap_padding(struct kunit *test)
{
	struct mk_chan_kunit *fx = test->priv;
	struct mk_ring *r = &fx->guest.rx[0];
	u32 start = *(const u32 *)test->param_value;
	u32 room = MK_RING_DATA_SIZE - (start & (MK_RING_DATA_SIZE - 1));
	struct mk_record_header hdr;
	u8 payload[100];

	memset(payload, 0x3c, sizeof(payload));
	mk_kunit_set_pos(fx, 0, start);
	KUNIT_ASSERT_EQ(test, 0, mk_chan_send(&fx->host, MK_MSG_ECHO, payload,
					      sizeof(payload), 0));
	/* a padding record fills the end, the record starts at offset 0 */
	memcpy(&hdr, r->data + MK_RING_DATA_SIZE - room, sizeof(hdr));
	KUNIT_EXPECT_EQ(test, (u16)MK_MSG_PAD, hdr.type);
	KUNIT_EXPECT_EQ(test, room - (u32)sizeof(hdr), hdr.len);
	memcpy(&hdr, r->data, sizeof(hdr));
	KUNIT_EXPECT_EQ(test, (u16)MK_MSG_ECHO, hdr.type);
	KUNIT_EXPECT_EQ(test, (u32)sizeof(payload), hdr.len);
	KUNIT_EXPECT_EQ(test, r->sh->head,
			start + room + mk_rec_size(sizeof(payload)));

	KUNIT_EXPECT_EQ(test, 0, mk_ring_drain(&fx->guest, r));
	KUNIT_EXPECT_EQ(test, 1, fx->delivered);
	KUNIT_EXPECT_MEMEQ(test, fx->last_data, payload, sizeof(payload));
	KUNIT_EXPECT_EQ(test, r->pos, r->sh->head);
	KUNIT_EXPECT_FALSE(test, fx->guest.broken);
	/* the padding is no message */
	KUNIT_EXPECT_EQ(test, 1LL, atomic64_read(&fx->guest.rx_msgs));

	/* a record that fits exactly at the end needs no padding */
	mk_kunit_set_pos(fx, 0, start);
	KUNIT_ASSERT_EQ(test, 0, mk_chan_send(&fx->host, MK_MSG_ECHO, payload,
					      room - sizeof(hdr), 0));
	KUNIT_EXPECT_EQ(test, r->sh->head, start + room);
	KUNIT_EXPECT_EQ(test, 0, mk_ring_drain(&fx->guest, r));
	KUNIT_EXPECT_EQ(test, 2, fx->delivered);
	KUNIT_EXPECT_FALSE(test, fx->guest.broken);
}

static void mk_chan_test_full_ring(struct kunit *test)
{
	struct mk_chan_kunit *fx = test->priv;
	struct mk_ring *r = &fx->guest.rx[1];
	/* records of 4 KiB: the ring takes exactly this many */
	const u32 len = SZ_4K - sizeof(struct mk_record_header);
	const int fit = MK_RING_DATA_SIZE / SZ_4K;
	int n, ret = 0;
	u8 *buf;

	buf = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (n = 0; n < 2 * fit; n++) {
		buf[0] = n;
		ret = mk_chan_send(&fx->host, MK_MSG_USER, buf, len, 0);
		if (ret)
			break;
	}
	KUNIT_EXPECT_EQ(test, -EAGAIN, ret);
	KUNIT_EXPECT_EQ(test, fit, n);
	KUNIT_EXPECT_EQ(test, (u32)MK_RING_DATA_SIZE, r->sh->head - r->sh->tail);
	KUNIT_EXPECT_EQ(test, 1U, READ_ONCE(r->sh->producer_waiting));
	KUNIT_EXPECT_EQ(test, 1LL, atomic64_read(&fx->host.full));
	KUNIT_EXPECT_FALSE(test, mk_chan_writable(&fx->host, MK_MSG_USER));
	/* the control class is not held up */
	KUNIT_EXPECT_TRUE(test, mk_chan_writable(&fx->host, MK_MSG_ECHO));
	KUNIT_EXPECT_EQ(test, 0, mk_chan_send(&fx->host, MK_MSG_ECHO, buf, 16, 0));
	KUNIT_EXPECT_EQ(test, -ETIMEDOUT, mk_chan_send(&fx->host, MK_MSG_USER,
						       buf, len, 1));

	/* taking one record rings the waiting producer */
	fx->doorbells = 0;
	fx->stalls = 0;
	ret = mk_ring_drain(&fx->guest, r);
	KUNIT_EXPECT_EQ(test, 0, ret);
	KUNIT_EXPECT_EQ(test, fit, fx->delivered);
	KUNIT_EXPECT_EQ(test, 1, fx->doorbells);
	KUNIT_EXPECT_EQ(test, 0U, READ_ONCE(r->sh->producer_waiting));
	KUNIT_EXPECT_EQ(test, (u8)(fit - 1), fx->last_data[0]);
	KUNIT_EXPECT_TRUE(test, mk_chan_writable(&fx->host, MK_MSG_USER));
	KUNIT_EXPECT_FALSE(test, fx->guest.broken);
	KUNIT_EXPECT_FALSE(test, fx->host.broken);
}

/* One run takes at most MK_RX_BUDGET records and says more are waiting. */
static void mk_chan_test_budget(struct kunit *test)
{
	struct mk_chan_kunit *fx = test->priv;
	struct mk_ring *r = &fx->guest.rx[0];
	int n;

	for (n = 0; n < MK_RX_BUDGET + 10; n++)
		KUNIT_ASSERT_EQ(test, 0, mk_chan_send(&fx->host, MK_MSG_ECHO,
						      &n, sizeof(n), 0));
	KUNIT_EXPECT_EQ(test, 1, mk_ring_drain(&fx->guest, r));
	KUNIT_EXPECT_EQ(test, MK_RX_BUDGET, fx->delivered);
	KUNIT_EXPECT_EQ(test, 0, mk_ring_drain(&fx->guest, r));
	KUNIT_EXPECT_EQ(test, MK_RX_BUDGET + 10, fx->delivered);

	/* the receive work queues itself again instead of looping */
	for (n = 0; n < MK_RX_BUDGET + 10; n++)
		KUNIT_ASSERT_EQ(test, 0, mk_chan_send(&fx->host, MK_MSG_ECHO,
						      &n, sizeof(n), 0));
	fx->requeues = 0;
	mk_chan_rx_work(&fx->guest.rx_work);
	KUNIT_EXPECT_EQ(test, 1, fx->requeues);
	mk_chan_rx_work(&fx->guest.rx_work);
	KUNIT_EXPECT_EQ(test, 1, fx->requeues);
	KUNIT_EXPECT_EQ(test, 2 * (MK_RX_BUDGET + 10), fx->delivered);
	/* empty: the consumer announced that it sleeps */
	KUNIT_EXPECT_EQ(test, 1U, READ_ONCE(r->sh->consumer_sleeping));
	KUNIT_EXPECT_EQ(test, 1U, READ_ONCE(fx->guest.rx[1].sh->consumer_sleeping));
}

/**
 * struct mk_hostile_case - one way a peer corrupts a ring it produces into
 * @desc:	what the peer does
 * @tail:	where the consumer stands (its own index and the shared tail)
 * @head:	the head the peer publishes, relative to @tail
 * @type:	type of the record at @tail
 * @flags:	its flags
 * @len:	its length
 * @reason:	what the consumer must say when it breaks the channel
 */
struct mk_hostile_case {
	const char	*desc;
	u32		tail;
	u32		head;
	u16		type;
	u16		flags;
	u32		len;
	const char	*reason;
};

#define MK_END(n)	(MK_RING_DATA_SIZE - (n))

static const struct mk_hostile_case mk_hostile_cases[] = {
	{ "head beyond the ring", 0, MK_RING_DATA_SIZE + 16, MK_MSG_ECHO, 0, 0,
	  "peer head index out of range" },
	{ "head far beyond the ring", 0, 0xa5a5a5a5, MK_MSG_ECHO, 0, 0,
	  "peer head index out of range" },
	{ "head behind the tail", 4096, (u32)-16, MK_MSG_ECHO, 0, 0,
	  "peer head index out of range" },
	{ "head not record aligned", 0, 24, MK_MSG_ECHO, 0, 8,
	  "peer head index out of range" },
	{ "length beyond the ring", 0, 32, MK_MSG_ECHO, 0, 0x80000000,
	  "record length out of range" },
	{ "length that wraps the record size", 0, 32, MK_MSG_ECHO, 0, 0xfffffff8,
	  "record length out of range" },
	{ "record longer than published", 0, 32, MK_MSG_ECHO, 0, 64,
	  "record length out of range" },
	{ "record across the ring's end", MK_END(32), 48, MK_MSG_ECHO, 0, 32,
	  "record length out of range" },
	{ "padding across the ring's end", MK_END(32), 48, MK_MSG_PAD, 0, 32,
	  "record length out of range" },
	{ "padding short of the ring's end", 0, 32, MK_MSG_PAD, 0, 0,
	  "padding does not end the ring" },
	{ "padding short of the end, near it", MK_END(64), 64, MK_MSG_PAD, 0, 16,
	  "padding does not end the ring" },
	{ "unknown type", 0, 16, MK_MSG_NR_TYPES, 0, 0,
	  "malformed record header" },
	{ "largest type", 0, 16, 0xffff, 0, 0, "malformed record header" },
	{ "payload above MK_MSG_MAX", 0, MK_MSG_MAX + 32, MK_MSG_ECHO, 0,
	  MK_MSG_MAX + 1, "malformed record header" },
	{ "unknown flag", 0, 16, MK_MSG_ECHO, 0x8000, 0,
	  "malformed record header" },
	{ "unknown low flag", 0, 16, MK_MSG_ECHO, 0x4, 0,
	  "malformed record header" },
};

static void mk_hostile_desc(const struct mk_hostile_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mk_hostile, mk_hostile_cases, mk_hostile_desc);

/* Every check of the receive parser, and that a broken channel stays quiet */
static void mk_chan_test_hostile_rx(struct kunit *test)
{
	const struct mk_hostile_case *c = test->param_value;
	struct mk_chan_kunit *fx = test->priv;
	struct mk_ring *r = &fx->guest.rx[0];
	struct mk_record_header hdr = {
		.type = c->type, .flags = c->flags, .len = c->len, .seq = 1,
	};

	mk_kunit_set_pos(fx, 0, c->tail);
	memcpy(r->data + (c->tail & (MK_RING_DATA_SIZE - 1)), &hdr, sizeof(hdr));
	WRITE_ONCE(r->sh->head, c->tail + c->head);

	KUNIT_EXPECT_EQ(test, -EPIPE, mk_ring_drain(&fx->guest, r));
	KUNIT_EXPECT_TRUE(test, fx->guest.broken);
	KUNIT_EXPECT_STREQ(test, fx->guest.broken_reason, c->reason);
	KUNIT_EXPECT_EQ(test, 0, fx->delivered);
	KUNIT_EXPECT_EQ(test, 1LL, atomic64_read(&fx->guest.errors));
	/* the consumer did not move: nothing was taken from the ring */
	KUNIT_EXPECT_EQ(test, c->tail, r->pos);
	KUNIT_EXPECT_EQ(test, c->tail, r->sh->tail);

	/* broken: the receive work takes nothing, sends fail */
	mk_chan_rx_work(&fx->guest.rx_work);
	KUNIT_EXPECT_EQ(test, 0, fx->delivered);
	KUNIT_EXPECT_EQ(test, 0, fx->requeues);
	KUNIT_EXPECT_EQ(test, -EPIPE, mk_chan_send(&fx->guest, MK_MSG_ECHO,
						   "", 0, 0));
	KUNIT_EXPECT_FALSE(test, mk_chan_ring_check(&fx->guest));
}

/* A record before the corrupt one is delivered; the channel then breaks. */
static void mk_chan_test_hostile_after_good(struct kunit *test)
{
	struct mk_chan_kunit *fx = test->priv;
	struct mk_ring *r = &fx->guest.rx[0];
	struct mk_record_header hdr = { .type = MK_MSG_ECHO, .len = 64 };
	u32 good = mk_rec_size(4);

	KUNIT_ASSERT_EQ(test, 0, mk_chan_send(&fx->host, MK_MSG_ECHO, "abc", 4, 0));
	memcpy(r->data + good, &hdr, sizeof(hdr));
	WRITE_ONCE(r->sh->head, good + 32);
	KUNIT_EXPECT_EQ(test, -EPIPE, mk_ring_drain(&fx->guest, r));
	KUNIT_EXPECT_EQ(test, 1, fx->delivered);
	KUNIT_EXPECT_EQ(test, good, r->pos);
	KUNIT_EXPECT_STREQ(test, fx->guest.broken_reason,
			   "record length out of range");
}

/* The producer's side: the consumer's tail is not trusted either. */
static void mk_chan_test_hostile_tail(struct kunit *test)
{
	struct mk_chan_kunit *fx = test->priv;
	struct mk_ring *r = &fx->host.tx[0];

	/* a tail ahead of everything produced */
	WRITE_ONCE(r->sh->tail, 16);
	KUNIT_EXPECT_EQ(test, -EPIPE, mk_chan_send(&fx->host, MK_MSG_ECHO,
						   "", 0, 0));
	KUNIT_EXPECT_STREQ(test, fx->host.broken_reason,
			   "peer tail index out of range");
	KUNIT_EXPECT_EQ(test, 0U, r->pos);
	KUNIT_EXPECT_EQ(test, 0U, r->sh->head);
}

static void mk_chan_test_hostile_tail_misaligned(struct kunit *test)
{
	struct mk_chan_kunit *fx = test->priv;
	struct mk_ring *r = &fx->host.tx[1];

	KUNIT_ASSERT_EQ(test, 0, mk_chan_send(&fx->host, MK_MSG_USER, "ab", 2, 0));
	KUNIT_ASSERT_EQ(test, 0, mk_chan_send(&fx->host, MK_MSG_USER, "ab", 2, 0));
	KUNIT_EXPECT_TRUE(test, mk_chan_ring_check(&fx->host));
	WRITE_ONCE(r->sh->tail, 8);
	/* the periodic check finds it without any traffic */
	KUNIT_EXPECT_FALSE(test, mk_chan_ring_check(&fx->host));
	KUNIT_EXPECT_STREQ(test, fx->host.broken_reason,
			   "peer tail index out of range");
	KUNIT_EXPECT_EQ(test, -EPIPE, mk_chan_send(&fx->host, MK_MSG_USER,
						   "ab", 2, 0));
	KUNIT_EXPECT_FALSE(test, mk_chan_writable(&fx->host, MK_MSG_USER));
}

static void mk_chan_test_hostile_header(struct kunit *test)
{
	struct mk_chan_kunit *fx = test->priv;

	KUNIT_EXPECT_TRUE(test, mk_chan_ring_check(&fx->host));
	/* the guest scribbles over the header of a ring the host reads */
	WRITE_ONCE(fx->host.rx[1].sh->magic, 0x5a5a5a5a);
	KUNIT_EXPECT_FALSE(test, mk_chan_ring_check(&fx->host));
	KUNIT_EXPECT_STREQ(test, fx->host.broken_reason,
			   "receive ring header corrupted");
}

/* A spawned kernel does not use rings of a format it does not know. */
static void mk_chan_test_unknown_format(struct kunit *test)
{
	struct mk_chan_kunit *fx = test->priv;
	struct mk_ring_shared *sh = mk_ring_sh(fx->shared, MK_RING_DATA_G2H);

	mk_chan_set_active(&fx->guest, false);
	WRITE_ONCE(sh->version, MK_RING_VERSION + 1);
	mk_chan_attach(&fx->guest, fx->shared, 0);
	KUNIT_EXPECT_TRUE(test, fx->guest.broken);
	KUNIT_EXPECT_STREQ(test, fx->guest.broken_reason,
			   "ring format unknown to this kernel");

	/* a fresh attachment to good rings is healthy again */
	mk_chan_reset_shared(fx->shared);
	mk_chan_attach(&fx->guest, fx->shared, 0);
	KUNIT_EXPECT_FALSE(test, fx->guest.broken);
	KUNIT_EXPECT_STREQ(test, fx->guest.broken_reason, "");

	WRITE_ONCE(sh->size, MK_RING_DATA_SIZE / 2);
	mk_chan_attach(&fx->guest, fx->shared, 0);
	KUNIT_EXPECT_TRUE(test, fx->guest.broken);
}

/*
 * A data handler that cannot take a message leaves it in the ring; the
 * owner's mk_chan_kick() resumes delivery, also when it comes while the
 * handler is still refusing (the kick/stall race).
 */
static void mk_chan_test_kick_stall(struct kunit *test)
{
	struct mk_chan_kunit *fx = test->priv;
	struct mk_chan *g = &fx->guest;

	KUNIT_ASSERT_EQ(test, 0, mk_chan_send(&fx->host, MK_MSG_USER, "x", 1, 0));
	fx->stalls = 1;
	mk_chan_rx_work(&g->rx_work);
	KUNIT_EXPECT_TRUE(test, g->data_stalled);
	KUNIT_EXPECT_EQ(test, 0, fx->delivered);
	KUNIT_EXPECT_EQ(test, 0, fx->requeues);
	KUNIT_EXPECT_EQ(test, 0U, g->rx[1].pos);

	/* stalled: later runs leave the data class alone */
	mk_chan_rx_work(&g->rx_work);
	KUNIT_EXPECT_EQ(test, 0, fx->delivered);
	KUNIT_EXPECT_EQ(test, 0, fx->stalls);

	mk_chan_kick(g);
	KUNIT_EXPECT_FALSE(test, g->data_stalled);
	KUNIT_EXPECT_EQ(test, 1, fx->requeues);
	mk_chan_rx_work(&g->rx_work);
	KUNIT_EXPECT_EQ(test, 1, fx->delivered);
	KUNIT_EXPECT_EQ(test, g->rx[1].sh->head, g->rx[1].pos);
}

static void mk_chan_test_kick_during_stall(struct kunit *test)
{
	struct mk_chan_kunit *fx = test->priv;
	struct mk_chan *g = &fx->guest;

	KUNIT_ASSERT_EQ(test, 0, mk_chan_send(&fx->host, MK_MSG_USER, "x", 1, 0));
	fx->stalls = 1;
	fx->kick_in_handler = true;
	mk_chan_rx_work(&g->rx_work);
	/* the kick came after the handler's refusal began: not lost */
	KUNIT_EXPECT_FALSE(test, g->data_stalled);
	KUNIT_EXPECT_EQ(test, 2, fx->requeues);	/* the kick's and the work's */
	KUNIT_EXPECT_EQ(test, 0, fx->delivered);
	mk_chan_rx_work(&g->rx_work);
	KUNIT_EXPECT_EQ(test, 1, fx->delivered);
	KUNIT_EXPECT_EQ(test, g->rx[1].sh->head, g->rx[1].pos);
}

/* Replies go to the waiting call with their sequence number, not a handler. */
static void mk_chan_test_reply(struct kunit *test)
{
	struct mk_chan_kunit *fx = test->priv;
	struct mk_call call = { .seq = 5, .status = -EINPROGRESS };
	struct mk_ring *r = &fx->host.rx[0];
	u8 reply[8] = { };

	init_completion(&call.done);
	call.reply = reply;
	call.reply_max = sizeof(reply);
	list_add_tail(&call.node, &fx->host.calls);

	/* another sequence number: dropped */
	KUNIT_EXPECT_EQ(test, 0, mk_chan_send_flags(&fx->guest, MK_MSG_ECHO,
						    MK_MSG_F_REPLY, 4, "nope",
						    4, 0));
	KUNIT_EXPECT_EQ(test, 0, mk_ring_drain(&fx->host, r));
	KUNIT_EXPECT_FALSE(test, completion_done(&call.done));
	KUNIT_EXPECT_EQ(test, 0, fx->delivered);

	KUNIT_EXPECT_EQ(test, 0, mk_chan_send_flags(&fx->guest, MK_MSG_ECHO,
						    MK_MSG_F_REPLY, 5, "yes",
						    3, 0));
	KUNIT_EXPECT_EQ(test, 0, mk_ring_drain(&fx->host, r));
	KUNIT_EXPECT_TRUE(test, completion_done(&call.done));
	KUNIT_EXPECT_EQ(test, 0, call.status);
	KUNIT_EXPECT_EQ(test, 3U, call.reply_len);
	KUNIT_EXPECT_MEMEQ(test, reply, "yes", 3);

	/* a reply larger than the caller's buffer */
	reinit_completion(&call.done);
	call.status = -EINPROGRESS;
	KUNIT_EXPECT_EQ(test, 0, mk_chan_send_flags(&fx->guest, MK_MSG_ECHO,
						    MK_MSG_F_REPLY, 5,
						    "much too long", 13, 0));
	KUNIT_EXPECT_EQ(test, 0, mk_ring_drain(&fx->host, r));
	KUNIT_EXPECT_EQ(test, -EMSGSIZE, call.status);
	KUNIT_EXPECT_EQ(test, 0, fx->delivered);
	list_del(&call.node);
}

static struct kunit_case mk_chan_kunit_cases[] = {
	KUNIT_CASE(mk_chan_test_put_drain),
	KUNIT_CASE(mk_chan_test_send_checks),
	KUNIT_CASE_PARAM(mk_chan_test_wrap_padding, mk_wrap_gen_params),
	KUNIT_CASE(mk_chan_test_full_ring),
	KUNIT_CASE(mk_chan_test_budget),
	KUNIT_CASE_PARAM(mk_chan_test_hostile_rx, mk_hostile_gen_params),
	KUNIT_CASE(mk_chan_test_hostile_after_good),
	KUNIT_CASE(mk_chan_test_hostile_tail),
	KUNIT_CASE(mk_chan_test_hostile_tail_misaligned),
	KUNIT_CASE(mk_chan_test_hostile_header),
	KUNIT_CASE(mk_chan_test_unknown_format),
	KUNIT_CASE(mk_chan_test_kick_stall),
	KUNIT_CASE(mk_chan_test_kick_during_stall),
	KUNIT_CASE(mk_chan_test_reply),
	{}
};

static struct kunit_suite mk_chan_kunit_suite = {
	.name		= "multikernel_chan",
	.init		= mk_chan_kunit_init,
	.exit		= mk_chan_kunit_exit,
	.test_cases	= mk_chan_kunit_cases,
};

kunit_test_suite(mk_chan_kunit_suite);

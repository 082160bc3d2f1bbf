// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the spawned kernel's console relay, included at the end
 * of guest.c: printk and ttyMK0 output goes into a byte ring in the shared
 * area whose head counts every byte ever written, so the host always
 * finds the newest MK_CONSOLE_SIZE bytes.  The ring is a buffer of the
 * test's own; the tests skip in a spawned kernel, whose real console
 * relay they would take over.
 */

#include <kunit/test.h>

struct mk_guest_kunit {
	struct mk_console_shared	*saved;
	struct mk_console_shared	*con;
	u8				*data;
};

static int mk_guest_kunit_init(struct kunit *test)
{
	struct mk_guest_kunit *fx;

	if (mk_ginfo)
		kunit_skip(test, "this kernel is a spawned kernel: its console is live");
	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	if (!fx)
		return -ENOMEM;
	fx->con = kunit_kzalloc(test, MK_CONSOLE_HDR_SIZE + MK_CONSOLE_SIZE,
				GFP_KERNEL);
	if (!fx->con)
		return -ENOMEM;
	fx->data = (u8 *)fx->con + MK_CONSOLE_HDR_SIZE;
	fx->saved = mk_gcon;
	mk_gcon = fx->con;
	test->priv = fx;
	return 0;
}

static void mk_guest_kunit_exit(struct kunit *test)
{
	struct mk_guest_kunit *fx = test->priv;

	if (fx)
		mk_gcon = fx->saved;
}

static void mk_guest_test_console_write(struct kunit *test)
{
	struct mk_guest_kunit *fx = test->priv;

	mk_con_write(NULL, "hello", 5);
	mk_con_write(NULL, ", world\n", 8);
	KUNIT_EXPECT_EQ(test, 13ULL, fx->con->head);
	KUNIT_EXPECT_MEMEQ(test, fx->data, "hello, world\n", 13);
	mk_con_write(NULL, "", 0);
	KUNIT_EXPECT_EQ(test, 13ULL, fx->con->head);
}

/* A write across the end of the ring continues at its start. */
static void mk_guest_test_console_wrap(struct kunit *test)
{
	struct mk_guest_kunit *fx = test->priv;
	u64 head = MK_CONSOLE_SIZE - 3;

	fx->con->head = head;
	mk_con_write(NULL, "abcdef", 6);
	KUNIT_EXPECT_EQ(test, head + 6, fx->con->head);
	KUNIT_EXPECT_MEMEQ(test, fx->data + MK_CONSOLE_SIZE - 3, "abc", 3);
	KUNIT_EXPECT_MEMEQ(test, fx->data, "def", 3);

	/* the head is free running: its offset is modulo the ring's size */
	head = 5 * (u64)MK_CONSOLE_SIZE + 1;
	fx->con->head = head;
	mk_con_write(NULL, "xy", 2);
	KUNIT_EXPECT_EQ(test, head + 2, fx->con->head);
	KUNIT_EXPECT_MEMEQ(test, fx->data + 1, "xy", 2);
	fx->con->head = U64_MAX;
	mk_con_write(NULL, "zw", 2);
	KUNIT_EXPECT_EQ(test, 1ULL, fx->con->head);
	KUNIT_EXPECT_EQ(test, 'z', fx->data[MK_CONSOLE_SIZE - 1]);
	KUNIT_EXPECT_EQ(test, 'w', fx->data[0]);
}

/* More than the ring holds: the newest MK_CONSOLE_SIZE bytes stay. */
static void mk_guest_test_console_overrun(struct kunit *test)
{
	struct mk_guest_kunit *fx = test->priv;
	const size_t len = 2 * MK_CONSOLE_SIZE + 100;
	u64 head = 40, off;
	u32 bad = 0;
	size_t i;
	char *buf;

	buf = kunit_kmalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < len; i++)
		buf[i] = i % 251;
	fx->con->head = head;
	mk_con_write(NULL, buf, len);
	KUNIT_EXPECT_EQ(test, head + len, fx->con->head);
	/* byte i of the write is at (head + i) modulo the size, the last wins */
	for (i = len - MK_CONSOLE_SIZE; i < len; i++) {
		off = (head + i) & (MK_CONSOLE_SIZE - 1);
		bad += fx->data[off] != (u8)(i % 251);
	}
	KUNIT_EXPECT_EQ(test, 0U, bad);
}

/* A CPU that finds the ring locked drops its text instead of waiting. */
static void mk_guest_test_console_busy(struct kunit *test)
{
	struct mk_guest_kunit *fx = test->priv;
	unsigned long flags;

	raw_spin_lock_irqsave(&mk_gcon_lock, flags);
	mk_con_write(NULL, "lost", 4);
	raw_spin_unlock_irqrestore(&mk_gcon_lock, flags);
	KUNIT_EXPECT_EQ(test, 0ULL, fx->con->head);
	KUNIT_EXPECT_EQ(test, (ssize_t)4, mk_tty_write(NULL, (const u8 *)"kept", 4));
	KUNIT_EXPECT_EQ(test, 4ULL, fx->con->head);
	KUNIT_EXPECT_MEMEQ(test, fx->data, "kept", 4);
}

static struct kunit_case mk_guest_kunit_cases[] = {
	KUNIT_CASE(mk_guest_test_console_write),
	KUNIT_CASE(mk_guest_test_console_wrap),
	KUNIT_CASE(mk_guest_test_console_overrun),
	KUNIT_CASE(mk_guest_test_console_busy),
	{}
};

static struct kunit_suite mk_guest_kunit_suite = {
	.name		= "multikernel_guest_console",
	.init		= mk_guest_kunit_init,
	.exit		= mk_guest_kunit_exit,
	.test_cases	= mk_guest_kunit_cases,
};

kunit_test_suite(mk_guest_kunit_suite);

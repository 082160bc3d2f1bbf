// SPDX-License-Identifier: GPL-2.0
/*
 * mkchan - user-space end of /dev/mkchanN for the multikernel selftests.
 *
 *   mkchan echo-server DEV         (spawned kernel) verify and echo messages
 *   mkchan echo-client DEV N       (host) N checksummed round trips; every
 *                                  message is verified by the server on the
 *                                  way out and by the client on the way back
 *   mkchan flood DEV               (host) fill the channel without reading
 *                                  until write() says EAGAIN, then read every
 *                                  echo back in order: nothing may be lost
 *   mkchan flood-for DEV SECONDS   (spawned kernel) write full-size messages
 *                                  as fast as the channel takes them for
 *                                  SECONDS, then say how many went
 *   mkchan two-readers DEV N       (host) two processes read one open file
 *                                  while a third sends N messages through
 *                                  the echo server: each echo must arrive
 *                                  exactly once, intact, at one of them
 *   mkchan hold DEV                (host, peer not reading) fill the ring,
 *                                  then block one process in read() and one
 *                                  in write() on the same open file and say
 *                                  so; once the instance is destroyed both
 *                                  calls, and every later call, must fail
 *                                  with ENODEV, and close() must work
 *   mkchan poll DEV in|out|inout MS
 *                                  one poll() for those events, at most MS
 *                                  ms: prints the events it returned
 *   mkchan send DEV N              write N messages, read nothing
 *   mkchan poll-out DEV            (host, echo server) fill the channel;
 *                                  POLLOUT only while a largest write
 *                                  succeeds, and back once a reader drains
 *   mkchan stale-writer DEV CPU GO (host, peer not reading) block a
 *                                  SCHED_FIFO writer on the full ring and
 *                                  keep it off CPU with a higher-priority
 *                                  spinner until the file GO exists: the
 *                                  write must fail with ENOTCONN
 *
 * Message layout: u32 magic, u32 seq, u32 len, u32 sum, payload[len].
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <poll.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/multikernel.h>

#define MAGIC_DATA	0x4d4b4441u	/* "MKDA" */
#define MAGIC_QUIT	0x4d4b5154u	/* "MKQT" */
#define MAGIC_STATS	0x4d4b5354u	/* "MKST" */
#define MAGIC_BAD	0x4d4b4244u	/* "MKBD" */
#define MAX_MSG		MK_MSG_MAX	/* largest /dev/mkchanN message */

struct hdr {
	uint32_t magic, seq, len, sum;
};

static uint32_t fnv(const uint8_t *p, uint32_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static int make_msg(uint8_t *buf, uint32_t seq, uint32_t len)
{
	struct hdr *h = (struct hdr *)buf;
	uint32_t i;

	for (i = 0; i < len; i++)
		buf[sizeof(*h) + i] = rnd();
	h->magic = MAGIC_DATA;
	h->seq = seq;
	h->len = len;
	h->sum = fnv(buf + sizeof(*h), len);
	return sizeof(*h) + len;
}

static int check_msg(const uint8_t *buf, ssize_t n)
{
	const struct hdr *h = (const struct hdr *)buf;

	return n >= (ssize_t)sizeof(*h) && h->magic == MAGIC_DATA &&
	       n == (ssize_t)(sizeof(*h) + h->len) &&
	       h->sum == fnv(buf + sizeof(*h), h->len);
}

static int die(const char *what)
{
	fprintf(stderr, "mkchan: %s: %s\n", what, strerror(errno));
	return 1;
}

static int echo_server(int fd)
{
	static uint8_t buf[MAX_MSG];
	unsigned long ok = 0, bad = 0;

	printf("mkchan: echo server ready\n");
	fflush(stdout);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		struct hdr *h = (struct hdr *)buf;

		if (n < 0)
			return die("read");
		if (n >= (ssize_t)sizeof(*h) && h->magic == MAGIC_QUIT) {
			h->magic = MAGIC_STATS;
			h->seq = ok;
			h->len = bad;
			if (write(fd, buf, sizeof(*h)) < 0)
				return die("write");
			printf("mkchan: verified %lu messages, %lu bad\n", ok, bad);
			fflush(stdout);
			continue;
		}
		if (check_msg(buf, n)) {
			ok++;
		} else {
			bad++;
			h->magic = MAGIC_BAD;
		}
		if (write(fd, buf, n) != n)
			return die("write");
	}
}

static int quit_and_stats(int fd, unsigned long want)
{
	uint8_t buf[MAX_MSG];
	struct hdr *h = (struct hdr *)buf;
	ssize_t n;

	h->magic = MAGIC_QUIT;
	if (write(fd, buf, sizeof(*h)) < 0)
		return die("write");
	n = read(fd, buf, sizeof(buf));
	if (n < (ssize_t)sizeof(*h) || h->magic != MAGIC_STATS) {
		fprintf(stderr, "mkchan: no statistics from the server\n");
		return 1;
	}
	if (h->seq < want || h->len) {
		fprintf(stderr, "mkchan: server verified %u, %u bad, expected %lu\n",
			h->seq, h->len, want);
		return 1;
	}
	return 0;
}

static int echo_client(int fd, unsigned long count)
{
	static uint8_t out[MAX_MSG], in[MAX_MSG];
	unsigned long i;

	for (i = 0; i < count; i++) {
		int n = make_msg(out, i, 1 + rnd() % (MAX_MSG - sizeof(struct hdr)));
		ssize_t r;

		if (write(fd, out, n) != n)
			return die("write");
		r = read(fd, in, sizeof(in));
		if (r < 0)
			return die("read");
		if (r != n || memcmp(in, out, n) || !check_msg(in, r)) {
			fprintf(stderr,
				"mkchan: message %lu came back different (%zd bytes, magic %#x)\n",
				i, r, ((struct hdr *)in)->magic);
			return 1;
		}
	}
	if (quit_and_stats(fd, count))
		return 1;
	printf("mkchan: %lu messages each way, checksums verified on both sides\n",
	       count);
	return 0;
}

static int flood(int fd)
{
	static uint8_t out[MAX_MSG], in[MAX_MSG];
	unsigned long sent = 0, i;
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	for (;;) {
		int n = make_msg(out, sent, MAX_MSG - sizeof(struct hdr));

		if (write(fd, out, n) == n) {
			sent++;
			continue;
		}
		if (errno != EAGAIN)
			return die("write");
		break;
	}
	printf("mkchan: %lu messages accepted before EAGAIN\n", sent);
	if (!sent) {
		fprintf(stderr, "mkchan: nothing could be sent\n");
		return 1;
	}
	fcntl(fd, F_SETFL, fl);
	for (i = 0; i < sent; i++) {
		ssize_t r = read(fd, in, sizeof(in));

		if (r < 0)
			return die("read");
		if (!check_msg(in, r) || ((struct hdr *)in)->seq != i) {
			fprintf(stderr, "mkchan: echo %lu missing or out of order\n", i);
			return 1;
		}
	}
	/* the channel flows again: one more blocking round trip */
	if (echo_client(fd, 1))
		return 1;
	printf("mkchan: all %lu echoes back in order after back-pressure\n", sent);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int flood_for(int fd, unsigned long seconds)
{
	static uint8_t out[MAX_MSG];
	int n = make_msg(out, 0, MAX_MSG - sizeof(struct hdr));
	double start = now(), end = start + seconds;
	unsigned long sent = 0;

	printf("mkchan: flooding for %lu s\n", seconds);
	fflush(stdout);
	do {
		if (write(fd, out, n) != n)
			return die("write");
		((struct hdr *)out)->seq = ++sent;
	} while (sent % 64 || now() < end);
	printf("mkchan: flooded %lu messages of %d bytes in %.1f s\n", sent, n,
	       now() - start);
	return 0;
}

/* ---- two readers on one open file ---- */

#define TWO_READERS_BOUND_SEC	400	/* each process, however the kernel behaves */

struct two_readers_shared {
	uint32_t bad;			/* messages that failed their checksum */
	uint32_t stats;			/* readers that got the server's statistics */
	uint32_t server_ok, server_bad;
	uint32_t got[2];		/* messages per reader */
	uint32_t seen[];		/* receptions of each sequence number */
};

static void two_readers_child(int fd, struct two_readers_shared *sh, int me,
			      unsigned long count)
{
	static uint8_t buf[MAX_MSG];
	const struct hdr *h = (const struct hdr *)buf;

	alarm(TWO_READERS_BOUND_SEC);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0)
			_exit(die("read"));
		if (n >= (ssize_t)sizeof(*h) && h->magic == MAGIC_STATS) {
			__atomic_add_fetch(&sh->stats, 1, __ATOMIC_SEQ_CST);
			__atomic_store_n(&sh->server_ok, h->seq, __ATOMIC_SEQ_CST);
			__atomic_store_n(&sh->server_bad, h->len, __ATOMIC_SEQ_CST);
			_exit(0);
		}
		if (!check_msg(buf, n) || h->seq >= count) {
			__atomic_add_fetch(&sh->bad, 1, __ATOMIC_SEQ_CST);
			continue;
		}
		__atomic_add_fetch(&sh->seen[h->seq], 1, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&sh->got[me], 1, __ATOMIC_SEQ_CST);
	}
}

static int two_readers(int fd, unsigned long count)
{
	size_t size = sizeof(struct two_readers_shared) + count * sizeof(uint32_t);
	static uint8_t out[MAX_MSG];
	struct two_readers_shared *sh;
	unsigned long i, missing = 0, twice = 0;
	pid_t pid[2];
	int j, status, ret = 0;

	sh = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		  -1, 0);
	if (sh == MAP_FAILED)
		return die("mmap");
	alarm(TWO_READERS_BOUND_SEC);
	for (j = 0; j < 2; j++) {
		pid[j] = fork();
		if (pid[j] < 0)
			return die("fork");
		if (!pid[j])
			two_readers_child(fd, sh, j, count);
	}
	for (i = 0; i < count; i++) {
		int n = make_msg(out, i, 1 + rnd() % (MAX_MSG - sizeof(struct hdr)));

		if (write(fd, out, n) != n)
			return die("write");
	}
	/* one statistics reply per reader, after every echo */
	for (j = 0; j < 2; j++) {
		struct hdr *h = (struct hdr *)out;

		h->magic = MAGIC_QUIT;
		if (write(fd, out, sizeof(*h)) < 0)
			return die("write");
	}
	for (j = 0; j < 2; j++) {
		if (waitpid(pid[j], &status, 0) < 0)
			return die("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "mkchan: reader %d failed (status %#x)\n",
				j + 1, status);
			ret = 1;
		}
	}
	for (i = 0; i < count; i++) {
		if (!sh->seen[i])
			missing++;
		else if (sh->seen[i] > 1)
			twice++;
	}
	printf("mkchan: reader 1 got %u, reader 2 got %u of %lu echoes\n",
	       sh->got[0], sh->got[1], count);
	if (missing || twice || sh->bad) {
		fprintf(stderr,
			"mkchan: %lu echoes missing, %lu received more than once, %u corrupt\n",
			missing, twice, sh->bad);
		ret = 1;
	}
	if (sh->stats != 2 || sh->server_ok < count || sh->server_bad) {
		fprintf(stderr,
			"mkchan: %u statistics replies, server verified %u, %u bad, expected %lu\n",
			sh->stats, sh->server_ok, sh->server_bad, count);
		ret = 1;
	}
	if (!ret)
		printf("mkchan: every echo received exactly once by one of two readers\n");
	return ret;
}

/* ---- destroy while open ---- */

#define HOLD_BOUND_SEC	120	/* the whole run, however the kernel behaves */
#define BLOCKED_POLL_MS	100
#define BLOCKED_TRIES	300
#define HOLD_MAX_FILL	100000	/* far more than a ring and a queue hold */

/*
 * Is task PID sleeping in system call NR?  /proc/PID/syscall names the
 * call a blocked task is in; its state letter says it sleeps.
 */
static int blocked_in(pid_t pid, long nr)
{
	char path[64], buf[256], *p, *end;
	long cur;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			return 0;
		buf[n] = 0;
		cur = strtol(buf, &end, 10);
		if (end == buf || cur != nr)
			return 0;
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && (p[2] == 'S' || p[2] == 'D');
}

/* print what a call on the dead device returned; 0 if it was ENODEV */
static int expect_enodev(const char *who, const char *call, ssize_t r)
{
	int e = errno;

	if (r >= 0) {
		printf("mkchan: %s: %s returned %zd, expected ENODEV\n", who, call, r);
		fflush(stdout);
		return 1;
	}
	printf("mkchan: %s: %s: %s\n", who, call, e == ENODEV ? "ENODEV" : strerror(e));
	fflush(stdout);
	return e != ENODEV;
}

/*
 * Write largest messages (sequence numbers from *sent on) without blocking
 * until the ring is full.  Returns 0 at EAGAIN, with the message that did
 * not fit in out (*len bytes); 1 on an error or a ring that never fills.
 */
static int fill_ring(int fd, uint8_t *out, unsigned long *sent, int *len)
{
	for (;;) {
		*len = make_msg(out, *sent, MAX_MSG - sizeof(struct hdr));
		if (write(fd, out, *len) == *len) {
			if (++*sent < HOLD_MAX_FILL)
				continue;
			fprintf(stderr, "mkchan: %lu messages and the ring is not full\n",
				*sent);
			return 1;
		}
		if (errno != EAGAIN)
			return die("write");
		return 0;
	}
}

static int hold(int fd)
{
	static uint8_t out[MAX_MSG], in[MAX_MSG];
	unsigned long sent = 0;
	int fl = fcntl(fd, F_GETFL), status, ret = 0, i;
	pid_t reader, writer;
	ssize_t r;

	alarm(HOLD_BOUND_SEC);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	if (fill_ring(fd, out, &sent, &i))
		return 1;
	fcntl(fd, F_SETFL, fl);
	fflush(stdout);
	/*
	 * Both loop: the peer may still take a few messages off the ring, so
	 * the writer blocks again; the reader gets nothing (the peer does not
	 * send).  Each reports the error that ends its loop.
	 */
	reader = fork();
	if (!reader) {
		while ((r = read(fd, in, sizeof(in))) > 0)
			printf("mkchan: blocked reader: unexpected %zd-byte message\n", r);
		_exit(expect_enodev("blocked reader", "read", r));
	}
	writer = fork();
	if (!writer) {
		int n = make_msg(out, sent, MAX_MSG - sizeof(struct hdr));

		while ((r = write(fd, out, n)) == n)
			;
		_exit(expect_enodev("blocked writer", "write", r));
	}
	if (reader < 0 || writer < 0)
		return die("fork");
	for (i = 0; i < BLOCKED_TRIES; i++) {
		if (blocked_in(reader, SYS_read) && blocked_in(writer, SYS_write))
			break;
		usleep(BLOCKED_POLL_MS * 1000);
	}
	if (i == BLOCKED_TRIES) {
		fprintf(stderr, "mkchan: reader and writer did not block\n");
		kill(reader, SIGKILL);
		kill(writer, SIGKILL);
		return 1;
	}
	printf("mkchan: ring full after %lu messages; reader and writer blocked\n",
	       sent);
	fflush(stdout);
	/* the test destroys the instance now */
	if (waitpid(reader, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		ret = 1;
	if (waitpid(writer, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		ret = 1;
	ret |= expect_enodev("later", "read", read(fd, in, sizeof(in)));
	ret |= expect_enodev("later", "write", write(fd, out, sizeof(struct hdr)));
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	ret |= expect_enodev("later", "non-blocking read", read(fd, in, sizeof(in)));
	if (close(fd)) {
		printf("mkchan: close: %s\n", strerror(errno));
		ret = 1;
	} else {
		printf("mkchan: close: ok\n");
	}
	return ret;
}

/* ---- poll() ---- */

static const char *poll_words(short ev, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s", ev & POLLIN ? " IN" : "",
		 ev & POLLOUT ? " OUT" : "", ev & POLLHUP ? " HUP" : "",
		 ev & POLLERR ? " ERR" : "");
	return buf[0] ? buf + 1 : "none";
}

static int poll_once(int fd, const char *which, int ms)
{
	struct pollfd p = { .fd = fd };
	char words[32];
	int n;

	if (strchr(which, 'i'))
		p.events |= POLLIN;
	if (strstr(which, "out"))
		p.events |= POLLOUT;
	n = poll(&p, 1, ms);
	if (n < 0)
		return die("poll");
	printf("mkchan: poll: %s\n", n ? poll_words(p.revents, words, sizeof(words)) :
	       "timeout");
	return 0;
}

static int send_only(int fd, unsigned long count)
{
	static uint8_t out[MAX_MSG];
	unsigned long i;

	for (i = 0; i < count; i++) {
		int n = make_msg(out, i, 1 + rnd() % (MAX_MSG - sizeof(struct hdr)));

		if (write(fd, out, n) != n)
			return die("write");
	}
	printf("mkchan: %lu messages sent\n", count);
	return 0;
}

#define POLL_OUT_BOUND_SEC	300	/* the whole run, however the kernel behaves */
#define POLL_OUT_WAIT_MS	60000	/* for writability once a reader drains */

/* POLLOUT from ring space: never while a largest write would fail */
static int poll_out(int fd)
{
	static uint8_t out[MAX_MSG], in[MAX_MSG];
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int fl = fcntl(fd, F_GETFL), n, status;
	unsigned long sent = 0, i, lies = 0;
	char words[32];
	pid_t reader;

	alarm(POLL_OUT_BOUND_SEC);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	for (;;) {
		if (fill_ring(fd, out, &sent, &n))
			return 1;
		if (poll(&p, 1, 0) < 0)
			return die("poll");
		if (!(p.revents & POLLOUT))
			break;
		/* writable: the peer freed space meanwhile, so this one fits */
		if (write(fd, out, n) != n) {
			lies++;
			fprintf(stderr, "mkchan: POLLOUT, then write: %s\n",
				strerror(errno));
			return 1;
		}
		sent++;
	}
	printf("mkchan: full after %lu messages: poll reports %s\n", sent,
	       poll_words(p.revents, words, sizeof(words)));
	fcntl(fd, F_SETFL, fl);
	reader = fork();
	if (reader < 0)
		return die("fork");
	if (!reader) {
		for (i = 0; i < sent; i++) {
			ssize_t r = read(fd, in, sizeof(in));

			if (r < 0)
				_exit(die("read"));
			if (!check_msg(in, r) || ((struct hdr *)in)->seq != i) {
				fprintf(stderr, "mkchan: echo %lu missing or out of order\n", i);
				_exit(1);
			}
		}
		_exit(0);
	}
	n = poll(&p, 1, POLL_OUT_WAIT_MS);
	if (n < 0)
		return die("poll");
	printf("mkchan: while a reader drains: poll reports %s\n",
	       n ? poll_words(p.revents, words, sizeof(words)) : "timeout");
	if (waitpid(reader, &status, 0) < 0)
		return die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return 1;
	if (n != 1 || p.revents != POLLOUT || lies)
		return 1;
	/* the channel flows again: one more blocking round trip */
	if (echo_client(fd, 1))
		return 1;
	printf("mkchan: all %lu echoes back in order, POLLOUT from ring space\n", sent);
	return 0;
}

/* ---- a writer kept off its CPU across stop and start ---- */

#define STALE_BOUND_SEC		300	/* the whole run */
#define STALE_HOG_SEC		240	/* the spinner gives up by itself */
#define STALE_SEQ		0x57a1e
#define FULL_SETTLE_MS		200	/* pause before checking the ring stayed full */

static int pin_fifo(int cpu, int prio)
{
	struct sched_param sp = { .sched_priority = prio };
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return die("sched_setaffinity");
	if (sched_setscheduler(0, SCHED_FIFO, &sp))
		return die("sched_setscheduler");
	return 0;
}

/* spin at a higher priority than the writer until @go exists */
static void spin_until(int cpu, const char *go, int ready)
{
	time_t end = time(NULL) + STALE_HOG_SEC;

	if (pin_fifo(cpu, 2))
		_exit(1);
	if (write(ready, "x", 1) != 1)
		_exit(1);
	while (access(go, F_OK)) {
		if (time(NULL) > end) {
			printf("mkchan: spinner: gave up before %s appeared\n", go);
			fflush(stdout);
			_exit(1);
		}
	}
	_exit(0);
}

static int stale_writer(int fd, int cpu, const char *go)
{
	static uint8_t out[MAX_MSG];
	int fl = fcntl(fd, F_GETFL), status, ret = 0, pipefd[2], i, n;
	unsigned long sent = 0;
	pid_t writer, hog;
	char c;

	alarm(STALE_BOUND_SEC);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	/*
	 * Fill the ring until it stays full: the peer moves records into its
	 * own queue until that is full, and a slow (debug) peer does so after
	 * the first EAGAIN.  Full means a round after a pause took nothing.
	 */
	for (;;) {
		unsigned long before = sent;

		if (fill_ring(fd, out, &sent, &n))
			return 1;
		if (sent == before)
			break;
		usleep(FULL_SETTLE_MS * 1000);
	}
	fcntl(fd, F_SETFL, fl);
	writer = fork();
	if (writer < 0)
		return die("fork");
	if (!writer) {
		ssize_t r;

		if (pin_fifo(cpu, 1))
			_exit(1);
		n = make_msg(out, STALE_SEQ, 64);
		r = write(fd, out, n);
		if (r == n) {
			printf("mkchan: stale writer: write: succeeded\n");
			fflush(stdout);
			_exit(1);
		}
		n = errno;
		printf("mkchan: stale writer: write: %s\n",
		       n == ENOTCONN ? "ENOTCONN" : strerror(n));
		fflush(stdout);
		_exit(n != ENOTCONN);
	}
	for (i = 0; i < BLOCKED_TRIES && !blocked_in(writer, SYS_write); i++)
		usleep(BLOCKED_POLL_MS * 1000);
	if (i == BLOCKED_TRIES) {
		fprintf(stderr, "mkchan: the writer did not block\n");
		kill(writer, SIGKILL);
		return 1;
	}
	if (pipe(pipefd))
		return die("pipe");
	fflush(stdout);
	hog = fork();
	if (hog < 0)
		return die("fork");
	if (!hog)
		spin_until(cpu, go, pipefd[1]);
	if (read(pipefd[0], &c, 1) != 1) {
		fprintf(stderr, "mkchan: the spinner did not start\n");
		ret = 1;
	} else {
		printf("mkchan: ring full after %lu messages; writer blocked, cpu%d held\n",
		       sent, cpu);
		fflush(stdout);
	}
	/* the test stops and starts the instance, then creates @go */
	if (waitpid(hog, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		ret = 1;
	if (waitpid(writer, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		ret = 1;
	return ret;
}

int main(int argc, char **argv)
{
	int fd;

	if (argc < 3) {
		fprintf(stderr,
			"usage: mkchan echo-server|echo-client|flood|flood-for|two-readers|hold DEV [N]\n");
		return 2;
	}
	fd = open(argv[2], O_RDWR);
	if (fd < 0)
		return die(argv[2]);
	if (!strcmp(argv[1], "echo-server"))
		return echo_server(fd);
	if (!strcmp(argv[1], "echo-client") && argc == 4)
		return echo_client(fd, strtoul(argv[3], NULL, 0));
	if (!strcmp(argv[1], "flood-for") && argc == 4)
		return flood_for(fd, strtoul(argv[3], NULL, 0));
	if (!strcmp(argv[1], "flood"))
		return flood(fd);
	if (!strcmp(argv[1], "two-readers") && argc == 4)
		return two_readers(fd, strtoul(argv[3], NULL, 0));
	if (!strcmp(argv[1], "hold"))
		return hold(fd);
	if (!strcmp(argv[1], "poll") && argc == 5)
		return poll_once(fd, argv[3], atoi(argv[4]));
	if (!strcmp(argv[1], "send") && argc == 4)
		return send_only(fd, strtoul(argv[3], NULL, 0));
	if (!strcmp(argv[1], "poll-out"))
		return poll_out(fd);
	if (!strcmp(argv[1], "stale-writer") && argc == 5)
		return stale_writer(fd, atoi(argv[3]), argv[4]);
	fprintf(stderr, "mkchan: unknown command %s\n", argv[1]);
	return 2;
}

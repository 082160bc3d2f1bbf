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
 *
 * Message layout: u32 magic, u32 seq, u32 len, u32 sum, payload[len].
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAGIC_DATA	0x4d4b4441u	/* "MKDA" */
#define MAGIC_QUIT	0x4d4b5154u	/* "MKQT" */
#define MAGIC_STATS	0x4d4b5354u	/* "MKST" */
#define MAGIC_BAD	0x4d4b4244u	/* "MKBD" */
#define MAX_MSG		8192

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

int main(int argc, char **argv)
{
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: mkchan echo-server|echo-client|flood DEV [N]\n");
		return 2;
	}
	fd = open(argv[2], O_RDWR);
	if (fd < 0)
		return die(argv[2]);
	if (!strcmp(argv[1], "echo-server"))
		return echo_server(fd);
	if (!strcmp(argv[1], "echo-client") && argc == 4)
		return echo_client(fd, strtoul(argv[3], NULL, 0));
	if (!strcmp(argv[1], "flood"))
		return flood(fd);
	fprintf(stderr, "mkchan: unknown command %s\n", argv[1]);
	return 2;
}

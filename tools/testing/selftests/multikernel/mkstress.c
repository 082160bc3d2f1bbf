// SPDX-License-Identifier: GPL-2.0
/*
 * mkstress - seeded random stress of the multikernel host interface.
 *
 *   mkstress [--seed N] [--ops N] [--debug] [--log FILE]
 *
 * Runs N operations (default 2000) drawn from a PRNG seeded with --seed
 * (default: the time) over the instances s1..s4 and the host CPUs other
 * than cpu0:
 *   mkdir and rmdir; writes of cpus, memory, uart, stop_timeout_ms and
 *   state (start, stop, kill, words that are none of them), good and bad
 *   values; kexec_file_load() into an instance (an echo server, an idle
 *   spawn, one that panics, one without an initramfs, one that scribbles
 *   over its channel, a file that is no kernel, ids out of range) and
 *   unload; online and offline of host CPUs; channel traffic through
 *   /dev/mkchanN against the spawn's echo server, with forked writers and
 *   readers sharing one open file, in the foreground or left running in
 *   the background while the main loop goes on (so that stop, kill and
 *   rmdir hit it); reads of every attribute; waits for a spawn to settle;
 *   and the lifecycle operations again in forked children that race the
 *   main loop.
 *
 * The operations, their instances and values depend only on the seed, not
 * on what the kernel answers: "mkstress --seed N" replays the sequence
 * (how children interleave with it is up to the scheduler).  Every step
 * is logged to FILE (default /tmp/mkstress.log).
 *
 * Every errno is checked against the set documented for the operation
 * (Documentation/ABI/testing/configfs-multikernel for the attributes,
 * Documentation/userspace-api/multikernel.rst for the loads, the admin
 * guide for /dev/mkchanN and CPU hotplug); where the outcome follows from
 * what the test knows, only that outcome is accepted (a malformed value:
 * EINVAL; an instance that does not exist: ENOENT, the errno of the VFS
 * for a missing path and of the loads for an unknown id).  Echoes must
 * come back intact unless the peer was loaded to scribble.  The host log
 * (/dev/kmsg) is scanned after every operation for splats.  An operation
 * that does not return within the hang bound is reported with where the
 * task sleeps, and the blocked tasks are dumped (sysrq w).
 *
 * At the end every instance is destroyed and CPUs 1.. are brought online;
 * both must succeed.  The exit status is 0 when nothing failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <linux/kexec.h>
#include <linux/multikernel.h>

#include "mk_errno.h"

#define MK_CFG		"/sys/kernel/config/multikernel"
#define CPU_SYSFS	"/sys/devices/system/cpu"
#define SPAWN_KERNEL	"/boot/bzImage"
#define SPAWN_INITRD	"/boot/spawn.cpio"
#define NINST		4	/* MULTIKERNEL_MAX_INSTANCES */
#define MAX_CPUS	8	/* CONFIG_NR_CPUS of the test kernel */
#define NO_SUCH_ID	1000u	/* never allocated: names are not numbers */
#define MAX_ID		65535
#define MAX_CHILDREN	8	/* async and background children at once */
#define NERR		256
/* a set of outcomes (0: success), in static storage, ended by -1 */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ALLOW(...)	({ static const int __set[] = { __VA_ARGS__, -1 }; __set; })

/* echo message layout, the one mkchan's echo server checks */
#define MAGIC_DATA	0x4d4b4441u	/* "MKDA" */
#define MAGIC_BAD	0x4d4b4244u	/* "MKBD": the server saw it corrupt */
#define MAX_MSG		MK_MSG_MAX

struct hdr {
	uint32_t magic, seq, len, sum;
};

/* what the summary counts: one entry per kind of system call */
enum what {
	W_MKDIR, W_RMDIR, W_CPUS, W_MEMORY, W_UART, W_TIMEOUT, W_START,
	W_STOP, W_KILL, W_BADWORD, W_LOAD, W_UNLOAD, W_ONLINE, W_OFFLINE,
	W_OPEN, W_WRITE, W_READ, W_ATTR, W_NR
};

static const char * const what_name[W_NR] = {
	"mkdir", "rmdir", "cpus=", "memory=", "uart=", "stop_timeout_ms=",
	"state=start", "state=stop", "state=kill", "state=(bad word)",
	"kexec_file_load", "unload", "cpu online", "cpu offline",
	"mkchan open", "mkchan write", "mkchan read", "attribute read",
};

/* the operations of the main loop and their weights */
enum op {
	OP_MKDIR, OP_RMDIR, OP_CPUS, OP_MEMORY, OP_UART, OP_TIMEOUT, OP_LOAD,
	OP_UNLOAD, OP_START, OP_STOP, OP_KILL, OP_BADWORD, OP_HOTPLUG,
	OP_ECHO, OP_TRAFFIC, OP_READ, OP_SETTLE, OP_ASYNC, OP_SETUP, OP_NR
};

static const char * const op_name[OP_NR] = {
	"mkdir", "rmdir", "cpus", "memory", "uart", "stop_timeout_ms", "load",
	"unload", "start", "stop", "kill", "bad-word", "hotplug", "echo",
	"traffic", "read", "settle", "async", "setup",
};

static const unsigned int op_weight[OP_NR] = {
	[OP_MKDIR] = 5, [OP_RMDIR] = 1, [OP_CPUS] = 4, [OP_MEMORY] = 4,
	[OP_UART] = 1, [OP_TIMEOUT] = 1, [OP_LOAD] = 4, [OP_UNLOAD] = 1,
	[OP_START] = 9, [OP_STOP] = 3, [OP_KILL] = 3, [OP_BADWORD] = 1,
	[OP_HOTPLUG] = 5, [OP_ECHO] = 6, [OP_TRAFFIC] = 3, [OP_READ] = 3,
	[OP_SETTLE] = 5, [OP_ASYNC] = 6, [OP_SETUP] = 6,
};

/* what an async child may do: everything but mkdir and rmdir */
static const enum op async_ops[] = {
	OP_CPUS, OP_MEMORY, OP_UART, OP_TIMEOUT, OP_LOAD, OP_UNLOAD, OP_START,
	OP_START, OP_STOP, OP_KILL, OP_KILL, OP_HOTPLUG, OP_READ,
};

enum kind { K_ECHO, K_IDLE, K_PANIC, K_NOINIT, K_HOSTILE, K_BADIMG, K_BADID };

static const char * const kind_cmdline[] = {
	[K_ECHO]	= "panic=-1 -- mkchan echo-server /dev/mkchan0",
	[K_IDLE]	= "panic=-1",
	[K_PANIC]	= "panic=0 -- echo c > /proc/sysrq-trigger",
	[K_NOINIT]	= "panic=0",
	[K_HOSTILE]	= "panic=-1 multikernel.hostile=1 -- mkchan echo-server /dev/mkchan0",
	[K_BADIMG]	= "panic=-1",
	[K_BADID]	= "panic=-1",
};

static const char * const state_words[] = {
	"empty", "loaded", "starting", "booted", "running", "unresponsive",
	"halted", "crashed", "stopping", "stopped",
};

/* host log lines that are a splat (the debug pass's list) */
static const char * const splat_words[] = {
	"WARNING:", "BUG:", "Oops:", "KASAN:", "UBSAN:", "KFENCE:", "ODEBUG:",
	"Kernel panic", "possible circular locking", "inconsistent lock state",
	"possible recursive locking", "suspicious RCU usage",
	"bad unlock balance", "sleeping function called from invalid context",
	"detected stall", "self-detected stall", "hung task",
	"blocked for more than", "soft lockup", "hard LOCKUP",
	"list_add corruption", "list_del corruption", "unreferenced object 0x",
};

/* shared by the main loop and every child it forks */
struct shared {
	unsigned int gen[NINST];	/* incarnation: bumped before rmdir */
	unsigned int hostile[NINST];	/* gen + 1: a scribbler was loaded */
	unsigned int failures;
	unsigned int cur_op;		/* for the watchdog */
	time_t cur_since;
	char cur_desc[128];
	unsigned long calls[W_NR], ok[W_NR];
	unsigned long err[W_NR][NERR];
	unsigned long sent, back, late, unchecked;
	unsigned long states[ARRAY_SIZE(state_words)];	/* as read */
	double op_secs[OP_NR];		/* time the main loop spent per op */
	double slow_secs;		/* the slowest op of the main loop */
	unsigned int slow_op;
	char slow_desc[96];
	unsigned long op_calls[OP_NR];
};

/* one channel session: its writers and readers */
struct sess {
	unsigned long sent, back;
	unsigned int writers_left;
};

/* one operation */
struct ctx {
	unsigned int op;
	int i;			/* instance slot, -1 for none */
	bool async;		/* in a child racing the main loop */
	bool exists;		/* the instance existed when the op began */
	bool busy_dev;		/* a background child may hold /dev/mkchanN */
	unsigned int gen;	/* its incarnation then */
	unsigned int id;	/* its id then, or NO_SUCH_ID + slot */
	uint64_t r[4];		/* the op's random draws */
	uint64_t rng;		/* a child's own stream */
	char desc[96];
};

/* the main loop's model of an instance */
static struct {
	bool exists;
	unsigned int id;
	unsigned int traffic;	/* background children of this incarnation */
} inst[NINST];

static struct child {
	pid_t pid;
	unsigned int op;
	int i;
	unsigned int gen;
	bool traffic;
	char desc[96];
} children[MAX_CHILDREN];

static struct shared *sh;
static uint64_t seed;
static unsigned int nops = 2000, ncpus, hang_sec = 60;
static unsigned int mem_min = 64, mem_max = 192;	/* MiB */
static unsigned int echo_ms = 1000, traffic_ms = 3000, settle_ms = 3000;
static unsigned long long pool_start, pool_size;
static const char *log_path = "/tmp/mkstress.log";
static int log_fd = -1, kmsg_fd = -1;
static struct timespec t0;
static int timer_fired;	/* set by the SIGALRM handler */
static pid_t watchdog_pid;

/* ---- helpers ---- */

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9;
}

static long now_ms(void)
{
	return (long)(now_s() * 1000);
}

static void sleep_ms(unsigned int ms)
{
	usleep(ms * 1000);
}

static const char *ename(int e)
{
	static char buf[32];
	const char *n;

	/* the names mk_errno.h does not have */
	if (!e)
		return "ok";
	if (e == EPIPE)
		return "EPIPE";
	if (e == ENOTCONN)
		return "ENOTCONN";
	if (e == EBADF)
		return "EBADF";
	if (e == EFBIG)
		return "EFBIG";
	n = errno_name(e);
	if (strcmp(n, "E?"))
		return n;
	snprintf(buf, sizeof(buf), "errno %d", e);
	return buf;
}

static void logmsg(const struct ctx *c, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "%9.3f op %u%s %s: ", now_s(),
		     c ? c->op : 0, c && c->async ? " (async)" : "",
		     c ? c->desc : "-");
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (log_fd >= 0 && write(log_fd, line, n) < 0)
		log_fd = -1;
}

static void fail(const struct ctx *c, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	__atomic_add_fetch(&sh->failures, 1, __ATOMIC_SEQ_CST);
	printf("# stress FAIL: op %u%s %s: %s\n", c ? c->op : 0,
	       c && c->async ? " (async)" : "", c ? c->desc : "-", msg);
	fflush(stdout);
	logmsg(c, "FAIL: %s", msg);
}

static bool in_set(int e, const int *set)
{
	for (; *set >= 0; set++)
		if (*set == e)
			return true;
	return false;
}

static void set_str(const int *set, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = 0;
	for (; *set >= 0 && n < size; set++)
		n += snprintf(buf + n, size - n, "%s%s", n ? " " : "",
			      ename(*set));
}

/*
 * The outcome @e (0 or an errno) of @w must be in @set.  For an instance
 * operation ENOENT is what a missing instance gives: the only outcome if
 * the main loop knows it does not exist, one more possibility for a child
 * whose instance may have been removed since it was forked.
 */
static bool verdict(const struct ctx *c, enum what w, int e, const int *set,
		    const char *val)
{
	char want[160];
	bool gone = c->i >= 0 && w != W_ONLINE && w != W_OFFLINE &&
		    w != W_MKDIR && w != W_RMDIR &&
		    (!c->exists ||
		     __atomic_load_n(&sh->gen[c->i], __ATOMIC_SEQ_CST) != c->gen);
	bool good;

	/* the loads name the id: op_load() knows what a missing one gives */
	if (gone && !c->async && !c->exists && w != W_LOAD && w != W_UNLOAD)
		set = ALLOW(ENOENT);
	/* a device being destroyed refuses open() with ENODEV */
	good = in_set(e, set) ||
	       (gone && c->async && (e == ENOENT || (w == W_OPEN && e == ENODEV)));
	__atomic_add_fetch(&sh->calls[w], 1, __ATOMIC_RELAXED);
	if (!e)
		__atomic_add_fetch(&sh->ok[w], 1, __ATOMIC_RELAXED);
	else if (e < NERR)
		__atomic_add_fetch(&sh->err[w][e], 1, __ATOMIC_RELAXED);
	/* channel calls are many: the log gets only their unusual outcomes */
	if ((w != W_READ && w != W_WRITE) || (e && e != EAGAIN))
		logmsg(c, "%s%s%s -> %s", what_name[w], val ? " " : "",
		       val ? val : "", ename(e));
	if (good)
		return true;
	set_str(set, want, sizeof(want));
	fail(c, "%s%s%s returned %s (%s), documented: %s", what_name[w],
	     val ? " " : "", val ? val : "", ename(e), e ? strerror(e) : "success",
	     want);
	return false;
}

static void inst_name(unsigned int i, char *buf, size_t size)
{
	snprintf(buf, size, "s%u", (i + 1) % 100);
}

static void attr_path(int i, const char *attr, char *buf, size_t size)
{
	char name[16];

	inst_name(i, name, sizeof(name));
	snprintf(buf, size, MK_CFG "/%s/%s", name, attr);
}

/* write @val to @path in one write(); 0 or the errno */
static int write_file(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, e = 0;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	n = write(fd, val, len);
	if (n < 0)
		e = errno;
	else if ((size_t)n != len)
		e = EIO;	/* an attribute takes the whole value */
	close(fd);
	return e;
}

/* read @path into @buf (NUL-terminated); 0 or the errno */
static int read_file(const char *path, char *buf, size_t size, size_t *len)
{
	size_t n = 0;
	ssize_t r = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return errno;
	while (n < size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += r;
	if (r < 0 && n < size - 1) {
		int e = errno;

		close(fd);
		return e;
	}
	close(fd);
	buf[n] = 0;
	if (len)
		*len = n;
	return 0;
}

static int attr_write(const struct ctx *c, const char *attr, const char *val)
{
	char path[128];

	attr_path(c->i, attr, path, sizeof(path));
	return write_file(path, *val ? val : "\n");
}

static int attr_read(int i, const char *attr, char *buf, size_t size)
{
	char path[128];
	int e;

	attr_path(i, attr, path, sizeof(path));
	e = read_file(path, buf, size, NULL);
	if (!e)
		buf[strcspn(buf, "\n")] = 0;
	return e;
}

static bool maybe_hostile(const struct ctx *c)
{
	return __atomic_load_n(&sh->hostile[c->i], __ATOMIC_SEQ_CST) == c->gen + 1;
}

static void on_timer(int sig)
{
	(void)sig;
	__atomic_store_n(&timer_fired, 1, __ATOMIC_SEQ_CST);
}

static bool fired(void)
{
	return __atomic_load_n(&timer_fired, __ATOMIC_SEQ_CST);
}

/* SIGALRM at @ms from now, interrupting blocking calls (no SA_RESTART) */
static void arm_timer(long ms)
{
	struct sigaction sa = { .sa_handler = on_timer };
	struct itimerval it = { 0 };

	if (ms < 1)
		ms = 1;
	sigaction(SIGALRM, &sa, NULL);
	__atomic_store_n(&timer_fired, 0, __ATOMIC_SEQ_CST);
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
}

/* ---- splats in the host log ---- */

static void kmsg_open(void)
{
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
	else
		printf("# stress: /dev/kmsg: %s; the host log is checked afterwards only\n",
		       strerror(errno));
}

/* read what the kernel logged since the last call; splats fail @c */
static void kmsg_scan(const struct ctx *c)
{
	static unsigned int context;
	char rec[1024];
	ssize_t n;
	size_t k;

	if (kmsg_fd < 0)
		return;
	for (;;) {
		char *text;

		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE) {
			printf("# stress: host log records overwritten before they were read\n");
			continue;
		}
		if (n <= 0)
			return;
		rec[n] = 0;
		text = strchr(rec, ';');
		text = text ? text + 1 : rec;
		text[strcspn(text, "\n")] = 0;
		if (context) {
			context--;
			printf("# | %s\n", text);
			continue;
		}
		for (k = 0; k < ARRAY_SIZE(splat_words); k++) {
			if (strstr(text, splat_words[k])) {
				fail(c, "host log: %s", text);
				context = 30;
				break;
			}
		}
	}
}

/* ---- children ---- */

static int reap_one(pid_t pid, int status)
{
	int k;

	for (k = 0; k < MAX_CHILDREN; k++) {
		struct child *ch = &children[k];
		struct ctx c = { .op = ch->op, .i = ch->i, .async = true };

		if (ch->pid != pid)
			continue;
		snprintf(c.desc, sizeof(c.desc), "%s", ch->desc);
		if (WIFSIGNALED(status))
			fail(&c, "child %d died of signal %d", pid, WTERMSIG(status));
		if (ch->traffic && ch->i >= 0 && inst[ch->i].exists &&
		    __atomic_load_n(&sh->gen[ch->i], __ATOMIC_SEQ_CST) == ch->gen)
			inst[ch->i].traffic--;
		ch->pid = 0;
		return 1;
	}
	return 0;
}

static void reap(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		reap_one(pid, status);
}

/* where a task sleeps, for a hang report */
static void show_task(pid_t pid, const char *who)
{
	char path[64], wchan[64] = "?", sc[128] = "?";

	snprintf(path, sizeof(path), "/proc/%d/wchan", pid);
	read_file(path, wchan, sizeof(wchan), NULL);
	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	read_file(path, sc, sizeof(sc), NULL);
	sc[strcspn(sc, "\n")] = 0;
	printf("# stress: %s %d sleeps in %s, syscall %s\n", who, pid, wchan, sc);
}

static void dump_blocked_tasks(void)
{
	static bool done;

	if (!done)
		write_file("/proc/sysrq-trigger", "w");
	done = true;
}

/* wait for child @k, at most hang_sec; a child that hangs is reported */
static void wait_child(int k)
{
	struct child *ch = &children[k];
	long deadline = now_ms() + hang_sec * 1000L;
	int status;

	while (ch->pid) {
		pid_t pid = waitpid(ch->pid, &status, WNOHANG);

		if (pid == ch->pid) {
			reap_one(pid, status);
			return;
		}
		if (now_ms() > deadline) {
			struct ctx c = { .op = ch->op, .i = ch->i, .async = true };

			snprintf(c.desc, sizeof(c.desc), "%s", ch->desc);
			fail(&c, "did not finish within %u s (blocked in the kernel?)",
			     hang_sec);
			show_task(ch->pid, "child");
			dump_blocked_tasks();
			kill(ch->pid, SIGKILL);
			deadline = now_ms() + hang_sec * 1000L;
		}
		sleep_ms(5);
	}
}

static void wait_children(bool traffic_only_of, int i)
{
	int k;

	for (k = 0; k < MAX_CHILDREN; k++)
		if (children[k].pid && (!traffic_only_of || children[k].i == i))
			wait_child(k);
}

/* fork a child for @c; in the parent it is recorded, 0 is returned */
static pid_t spawn_child(const struct ctx *c, bool traffic)
{
	int k, oldest = -1;
	pid_t pid;

	for (;;) {
		reap();
		for (k = 0; k < MAX_CHILDREN; k++)
			if (!children[k].pid)
				break;
		if (k < MAX_CHILDREN)
			break;
		for (k = 0; k < MAX_CHILDREN; k++)
			if (oldest < 0 || children[k].op < children[oldest].op)
				oldest = k;
		wait_child(oldest);
		oldest = -1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fail(c, "fork: %s", strerror(errno));
		return -1;
	}
	if (!pid)
		return 0;
	children[k] = (struct child){ .pid = pid, .op = c->op, .i = c->i,
				      .gen = c->gen, .traffic = traffic };
	snprintf(children[k].desc, sizeof(children[k].desc), "%s", c->desc);
	return pid;
}

/* ---- configuration ---- */

static void op_cpus(struct ctx *c)
{
	unsigned int last = ncpus - 1, a = 1 + c->r[2] % last;
	unsigned int b = 1 + c->r[3] % last;
	char val[32];
	/* a running instance's kernel answers, or not, or crashes meanwhile */
	const int *set = ALLOW(0, EBUSY, ETIMEDOUT, EPIPE, ECANCELED, EIO,
			       ENODEV, ENOSPC, EOPNOTSUPP);
	unsigned int v = c->r[1] % 16;

	if (v < 7) {
		snprintf(val, sizeof(val), "%u", a);
	} else if (v < 10) {
		snprintf(val, sizeof(val), a < b ? "%u-%u" : "%u,%u",
			 a < b ? a : b, a < b ? b : a);
	} else if (v == 10) {
		snprintf(val, sizeof(val), "1-%u", last);
	} else if (v == 11) {
		val[0] = 0;
	} else if (v == 12) {
		snprintf(val, sizeof(val), "0");	/* always online */
		set = ALLOW(EBUSY);
	} else if (v == 13) {
		snprintf(val, sizeof(val), "%u", ncpus + (unsigned int)(c->r[2] % 60));
		set = ALLOW(EINVAL);
	} else {
		static const char * const bad[] = { "1-", "x", "3-1", "-1", "1;2" };

		snprintf(val, sizeof(val), "%s", bad[c->r[2] % 5]);
		set = ALLOW(EINVAL);
	}
	verdict(c, W_CPUS, attr_write(c, "cpus", val), set, val);
}

static void op_memory(struct ctx *c)
{
	unsigned int span = (mem_max - mem_min) / 2 + 1;
	unsigned int mb = mem_min + 2 * (c->r[2] % span) + (c->r[3] % 4 == 0);
	const int *set = ALLOW(0, ENOSPC, EBUSY);
	unsigned int v = c->r[1] % 16;
	char val[64];

	if (v < 9) {
		snprintf(val, sizeof(val), "%uM", mb);
	} else if (v == 9) {
		snprintf(val, sizeof(val), "0");
		set = ALLOW(0, EBUSY);
	} else if (v == 10 && pool_size) {
		unsigned long long slots = pool_size >> 21;

		snprintf(val, sizeof(val), "%uM@%#llx", mb,
			 pool_start + ((c->r[3] % slots) << 21));
	} else if (v == 11) {
		snprintf(val, sizeof(val), c->r[2] % 2 ? "33M" : "1K");
		set = ALLOW(EINVAL);
	} else if (v == 12) {
		snprintf(val, sizeof(val), "%lluM", (pool_size >> 20) + 2 +
			 (c->r[2] % 2) * 2048);
		set = pool_size ? ALLOW(ENOSPC) : ALLOW(ENOSPC, EINVAL);
	} else if (v == 13) {
		snprintf(val, sizeof(val), "%uM@%#llx", mb, 0x100000ULL +
			 (c->r[2] % 4) * 0x1000);
		set = ALLOW(EINVAL);
	} else if (v == 14) {
		static const char * const bad[] = { "12Q", "abc", "64M@", "@64M", "" };

		snprintf(val, sizeof(val), "%s", bad[c->r[2] % 5]);
		set = ALLOW(EINVAL);
	} else {
		/* 2 MiB aligned, below the pool: host memory */
		snprintf(val, sizeof(val), "%uM@0x200000", mb);
		set = ALLOW(ENOSPC, EBUSY);
	}
	verdict(c, W_MEMORY, attr_write(c, "memory", val), set, val);
}

static void op_uart(struct ctx *c)
{
	static const char * const good[] = { "0x2f8", "0x2e8", "none", "0", "", "760" };
	static const char * const bad[] = { "0x10000", "port", "-1" };
	unsigned int v = c->r[1] % 8;

	if (v < 6)
		verdict(c, W_UART, attr_write(c, "uart", good[v]), ALLOW(0, EBUSY),
			good[v]);
	else
		verdict(c, W_UART, attr_write(c, "uart", bad[c->r[2] % 3]),
			ALLOW(EINVAL), bad[c->r[2] % 3]);
}

static const char * const timeouts[] = { "0", "20", "100", "300", "1000" };

static void op_timeout(struct ctx *c)
{
	static const char * const bad[] = { "600001", "-1", "x", "1e3" };
	unsigned int v = c->r[1] % 7;

	if (v < 5)
		verdict(c, W_TIMEOUT, attr_write(c, "stop_timeout_ms", timeouts[v]),
			ALLOW(0), timeouts[v]);
	else
		verdict(c, W_TIMEOUT,
			attr_write(c, "stop_timeout_ms", bad[c->r[2] % 4]),
			ALLOW(EINVAL), bad[c->r[2] % 4]);
}

/* ---- lifecycle ---- */

static void op_state(struct ctx *c, enum what w)
{
	static const char * const bad[] = { "bogus", "Start", "", "stop now", "kill9" };
	const char *word = w == W_START ? "start" : w == W_STOP ? "stop" : "kill";
	const int *set = ALLOW(0, EINVAL, EBUSY);

	if (w == W_START)
		set = ALLOW(0, ENOEXEC, EINVAL, EBUSY, E2BIG, EIO, ETIMEDOUT);
	if (w == W_BADWORD) {
		word = bad[c->r[1] % 5];
		set = ALLOW(EINVAL);
	}
	verdict(c, w, attr_write(c, "state", word), set, word);
}

static int kexec_load_file(unsigned long long id, enum kind k)
{
	unsigned long flags = KEXEC_FILE_MULTIKERNEL | KEXEC_MULTIKERNEL_ID(id);
	const char *cmdline = kind_cmdline[k];
	int kfd, ifd = -1, e = 0;

	kfd = open(k == K_BADIMG ? SPAWN_INITRD : SPAWN_KERNEL, O_RDONLY);
	if (kfd < 0)
		return errno;
	if (k == K_NOINIT) {
		flags |= KEXEC_FILE_NO_INITRAMFS;
	} else {
		ifd = open(SPAWN_INITRD, O_RDONLY);
		if (ifd < 0) {
			e = errno;
			close(kfd);
			return e;
		}
	}
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmdline) + 1,
		    cmdline, flags))
		e = errno;
	close(kfd);
	if (ifd >= 0)
		close(ifd);
	return e;
}

static void op_load(struct ctx *c)
{
	static const enum kind kinds[16] = {
		K_ECHO, K_ECHO, K_ECHO, K_ECHO, K_ECHO, K_ECHO, K_ECHO, K_IDLE,
		K_IDLE, K_PANIC, K_PANIC, K_NOINIT, K_HOSTILE, K_HOSTILE,
		K_BADIMG, K_BADID,
	};
	static const char * const kname[] = {
		"echo server", "idle", "panic", "no initramfs", "hostile",
		"initramfs as kernel", "id out of range",
	};
	enum kind k = kinds[c->r[1] % 16];
	unsigned long long id = c->id;
	const int *set = ALLOW(0, EINVAL, EBUSY, EADDRNOTAVAIL, ENOSPC, ENOMEM);
	char val[64];
	int e;

	/*
	 * EBUSY everywhere: kexec_file_load() takes the kexec lock before it
	 * looks at the id, so a load racing any other load (a child's) is
	 * refused with EBUSY whatever its instance.
	 */
	if (k == K_BADID) {
		id = c->r[2] % 2 ? 0 : MAX_ID + 1;
		set = ALLOW(EINVAL, EBUSY);
	} else if (k == K_BADIMG) {
		set = ALLOW(ENOEXEC, EINVAL, EBUSY);
	}
	if (!c->exists && !c->async && k != K_BADID)
		set = k == K_BADIMG ? ALLOW(ENOENT, ENOEXEC, EBUSY) : ALLOW(ENOENT, EBUSY);
	/*
	 * Echoes are not checked while a scribbler may run: flagged before
	 * its load (which may race a start), and after every successful
	 * load whatever it loaded (loads of one instance are serialised).
	 */
	if (k == K_HOSTILE && c->exists)
		__atomic_store_n(&sh->hostile[c->i], c->gen + 1, __ATOMIC_SEQ_CST);
	snprintf(val, sizeof(val), "id %llu, %s", id, kname[k]);
	e = kexec_load_file(id, k);
	verdict(c, W_LOAD, e, set, val);
	if (!e && c->exists && k != K_BADID)
		__atomic_store_n(&sh->hostile[c->i], k == K_HOSTILE ? c->gen + 1 : 0,
				 __ATOMIC_SEQ_CST);
}

static void op_unload(struct ctx *c)
{
	unsigned long flags = KEXEC_FILE_MULTIKERNEL | KEXEC_FILE_UNLOAD |
			      KEXEC_MULTIKERNEL_ID((unsigned long long)c->id);
	int e = syscall(SYS_kexec_file_load, -1, -1, 0, NULL, flags) ? errno : 0;
	char val[32];

	snprintf(val, sizeof(val), "id %u", c->id);
	verdict(c, W_UNLOAD, e,
		!c->exists && !c->async ? ALLOW(ENOENT, EBUSY) : ALLOW(0, EINVAL, EBUSY),
		val);
}

static void op_hotplug(struct ctx *c)
{
	unsigned int cpu = 1 + c->r[1] % (ncpus - 1);
	bool online = c->r[2] % 5 < 2;
	char path[64], val[16];

	snprintf(path, sizeof(path), CPU_SYSFS "/cpu%u/online", cpu);
	snprintf(val, sizeof(val), "cpu%u", cpu);
	/* a lent CPU has no online attribute: gone, or removed while open */
	if (online)
		verdict(c, W_ONLINE, write_file(path, "1"), ALLOW(0, ENOENT, ENODEV), val);
	else
		verdict(c, W_OFFLINE, write_file(path, "0"), ALLOW(0, ENOENT, ENODEV), val);
}

/* ---- reads ---- */

static bool is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* a state word read: one of the documented ones, counted for the summary */
static void count_state(const struct ctx *c, const char *s)
{
	size_t k;

	logmsg(c, "state %s", s);
	for (k = 0; k < ARRAY_SIZE(state_words); k++) {
		if (!strcmp(s, state_words[k])) {
			__atomic_add_fetch(&sh->states[k], 1, __ATOMIC_RELAXED);
			return;
		}
	}
	fail(c, "state reads '%s'", s);
}

/* the splat's report: its first CONSOLE_CONTEXT lines, to the log */
#define CONSOLE_CONTEXT	40
static void console_context(const char *p)
{
	int n;

	for (n = 0; *p && n < CONSOLE_CONTEXT; n++) {
		size_t len = strcspn(p, "\n");

		printf("# stress console: %.*s\n", (int)len, p);
		p += len + (p[len] == '\n');
	}
	fflush(stdout);
}

/* the spawned kernel's console: a splat there is a bug too */
static void scan_console(struct ctx *c, const char *buf)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(splat_words); k++) {
		const char *p;

		if (!strcmp(splat_words[k], "Kernel panic"))
			continue;	/* spawns panic on purpose */
		p = strstr(buf, splat_words[k]);
		if (p) {
			const char *bol = p;

			while (bol > buf && bol[-1] != '\n')
				bol--;
			fail(c, "console of the spawned kernel: %.*s",
			     (int)strcspn(bol, "\n"), bol);
			console_context(bol);
			return;
		}
	}
}

static void op_read(struct ctx *c)
{
	static const char * const numeric[] = {
		"id", "memory", "stop_timeout_ms", "segments", "loads", "starts",
		"heartbeats", "tx_msgs", "rx_msgs", "chan_errors",
	};
	static const char * const other[] = {
		"cpus", "uart", "ram_range", "low_range", "shared_range", "entry",
		"heartbeat_age_ms", "channel_error", "crash_reason",
	};
	static char con[MK_CONSOLE_SIZE + 1];
	char buf[512], path[128];
	size_t k, len;
	int e;

	for (k = 0; k < ARRAY_SIZE(numeric); k++) {
		e = attr_read(c->i, numeric[k], buf, sizeof(buf));
		if (!verdict(c, W_ATTR, e, ALLOW(0), numeric[k]) || e)
			return;
		if (!is_number(buf))
			fail(c, "%s reads '%s', not a decimal number", numeric[k], buf);
		if (!strcmp(numeric[k], "id") && !c->async &&
		    strtoul(buf, NULL, 10) != c->id)
			fail(c, "id reads %s, it was %u", buf, c->id);
	}
	for (k = 0; k < ARRAY_SIZE(other); k++) {
		e = attr_read(c->i, other[k], buf, sizeof(buf));
		if (!verdict(c, W_ATTR, e, ALLOW(0), other[k]) || e)
			return;
	}
	e = attr_read(c->i, "state", buf, sizeof(buf));
	if (!verdict(c, W_ATTR, e, ALLOW(0), "state") || e)
		return;
	count_state(c, buf);
	attr_path(c->i, "console", path, sizeof(path));
	e = read_file(path, con, sizeof(con), &len);
	if (verdict(c, W_ATTR, e, ALLOW(0), "console") && !e)
		scan_console(c, con);
	e = read_file("/proc/multikernel", con, sizeof(con), NULL);
	c->i = -1;	/* not an attribute of the instance */
	verdict(c, W_ATTR, e, ALLOW(0), "/proc/multikernel");
}

/* wait (bounded) until the instance is not on its way somewhere */
static void op_settle(struct ctx *c)
{
	long deadline = now_ms() + settle_ms;
	char st[64];
	int e;

	do {
		e = attr_read(c->i, "state", st, sizeof(st));
		if (e || (strcmp(st, "starting") && strcmp(st, "booted") &&
			  strcmp(st, "stopping")))
			break;
		sleep_ms(50);
	} while (now_ms() < deadline);
	verdict(c, W_ATTR, e, ALLOW(0), "state");
	if (!e)
		count_state(c, st);
}

/* ---- the channel ---- */

static uint32_t fnv(const uint8_t *p, uint32_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

static size_t make_msg(struct ctx *c, uint8_t *buf, uint32_t seq)
{
	struct hdr *h = (struct hdr *)buf;
	uint64_t r = rng_next(&c->rng);
	uint32_t len, k;

	/* mostly small, some of any size up to the largest */
	len = r % 4 ? (r >> 8) % 512 : (r >> 8) % (MAX_MSG - sizeof(*h) + 1);
	for (k = 0; k < len; k++)
		buf[sizeof(*h) + k] = rng_next(&c->rng);
	h->magic = MAGIC_DATA;
	h->seq = seq;
	h->len = len;
	h->sum = fnv(buf + sizeof(*h), len);
	return sizeof(*h) + len;
}

static const int *chan_set(bool nonblock, bool rd, bool small)
{
	if (fired()) {
		if (rd)
			return small ? ALLOW(0, EAGAIN, ENODEV, EMSGSIZE, EINTR) :
				       ALLOW(0, EAGAIN, ENODEV, EINTR);
		return ALLOW(0, EAGAIN, ENOTCONN, EPIPE, ENODEV, EINTR);
	}
	if (rd) {
		if (small)
			return nonblock ? ALLOW(0, EAGAIN, ENODEV, EMSGSIZE) :
					  ALLOW(0, ENODEV, EMSGSIZE);
		return nonblock ? ALLOW(0, EAGAIN, ENODEV) : ALLOW(0, ENODEV);
	}
	return nonblock ? ALLOW(0, EAGAIN, ENOTCONN, EPIPE, ENODEV) :
			  ALLOW(0, ENOTCONN, EPIPE, ENODEV);
}

static void chan_writer(struct ctx *c, int fd, struct sess *s, int me,
			bool nonblock, long deadline, unsigned int count)
{
	static uint8_t out[MAX_MSG + 64];
	unsigned int k;

	arm_timer(deadline - now_ms());
	for (k = 0; (!count || k < count) && !fired(); k++) {
		uint32_t seq = (c->op << 8) | (me << 6) | (k & 63);
		size_t n = make_msg(c, out, seq);
		ssize_t r;
		int e;

		if (rng_next(&c->rng) % 64 == 0) {
			/* one byte over the limit: refused whatever the state */
			r = write(fd, out, MAX_MSG + 1);
			verdict(c, W_WRITE, r < 0 ? errno : 0, ALLOW(EMSGSIZE),
				"oversized");
			continue;
		}
		r = write(fd, out, n);
		e = r < 0 ? errno : 0;
		if (!verdict(c, W_WRITE, e, chan_set(nonblock, false, false), NULL))
			break;
		if (!e && (size_t)r != n) {
			fail(c, "write of %zu bytes returned %zd", n, r);
			break;
		}
		if (!e) {
			__atomic_add_fetch(&s->sent, 1, __ATOMIC_SEQ_CST);
			__atomic_add_fetch(&sh->sent, 1, __ATOMIC_RELAXED);
			continue;
		}
		if (e == ENODEV)
			break;
		if (e == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			k--;
			poll(&p, 1, 50);
			continue;
		}
		if (count)	/* foreground: not started or broken, done */
			break;
		sleep_ms(20);
	}
	__atomic_sub_fetch(&s->writers_left, 1, __ATOMIC_SEQ_CST);
}

static bool all_back(struct sess *s)
{
	return !__atomic_load_n(&s->writers_left, __ATOMIC_SEQ_CST) &&
	       __atomic_load_n(&s->back, __ATOMIC_SEQ_CST) >=
	       __atomic_load_n(&s->sent, __ATOMIC_SEQ_CST);
}

static void check_echo(struct ctx *c, const uint8_t *buf, ssize_t n,
		       struct sess *s)
{
	const struct hdr *h = (const struct hdr *)buf;
	bool intact = n >= (ssize_t)sizeof(*h) && h->magic == MAGIC_DATA &&
		      n == (ssize_t)(sizeof(*h) + h->len) &&
		      h->sum == fnv(buf + sizeof(*h), h->len);

	if (maybe_hostile(c)) {
		__atomic_add_fetch(&sh->unchecked, 1, __ATOMIC_RELAXED);
		return;
	}
	if (!intact) {
		fail(c, "echo corrupt: %zd bytes, magic %#x%s", n,
		     n >= 4 ? h->magic : 0,
		     n >= 4 && h->magic == MAGIC_BAD ?
		     " (the echo server got it corrupt)" : "");
		return;
	}
	if (h->seq >> 8 == (c->op & 0xffffff)) {
		__atomic_add_fetch(&s->back, 1, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&sh->back, 1, __ATOMIC_RELAXED);
	} else {
		__atomic_add_fetch(&sh->late, 1, __ATOMIC_RELAXED);
	}
}

static void chan_reader(struct ctx *c, int fd, struct sess *s, bool nonblock,
			long deadline, bool until_back)
{
	static uint8_t in[MAX_MSG + 64];

	arm_timer(deadline - now_ms());
	while (!fired() && !(until_back && all_back(s))) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		bool small = rng_next(&c->rng) % 8 == 0;
		ssize_t r;
		int e;

		if (nonblock || until_back) {
			if (poll(&p, 1, 50) < 0 && errno != EINTR)
				fail(c, "poll: %s", strerror(errno));
			if (p.revents & POLLNVAL)
				fail(c, "poll: POLLNVAL on an open file");
			if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
		}
		r = read(fd, in, small ? sizeof(struct hdr) : sizeof(in));
		e = r < 0 ? errno : 0;
		if (!verdict(c, W_READ, e, chan_set(nonblock, true, small), NULL))
			break;
		if (e == ENODEV)
			break;
		if (e == EAGAIN || e == EMSGSIZE || e == EINTR) {
			if (p.revents & (POLLHUP | POLLERR))
				sleep_ms(20);	/* no spinning on a stopped peer */
			continue;
		}
		if (!r) {
			sleep_ms(20);
			continue;
		}
		check_echo(c, in, r, s);
	}
}

/*
 * A session on /dev/mkchanN, in its own process: 1-2 writers and 1-2
 * readers (this process and a child) on one open file, for at most @ms;
 * @count messages per writer (0: until the time is up), and in that case
 * the readers stop once every echo is back.
 */
static void chan_session(struct ctx *c, unsigned int ms, unsigned int count)
{
	bool nonblock = c->r[2] % 2, until_back = count;
	unsigned int writers = 1 + c->r[3] % 2, readers = 1 + (c->r[3] >> 8) % 2;
	long deadline = now_ms() + ms;
	char dev[32], val[48];
	pid_t pids[3];
	struct sess *s;
	unsigned int k, np = 0;
	int fd, e;

	snprintf(dev, sizeof(dev), "/dev/mkchan%u", c->id);
	fd = open(dev, O_RDWR | (nonblock ? O_NONBLOCK : 0));
	e = fd < 0 ? errno : 0;
	snprintf(val, sizeof(val), "%s %s", dev, nonblock ? "non-blocking" : "blocking");
	/* a background session opens when it runs: later ops may be first */
	if (!verdict(c, W_OPEN, e, c->busy_dev || c->async ? ALLOW(0, EBUSY) : ALLOW(0),
		     val) || e)
		return;
	s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED) {
		fail(c, "mmap: %s", strerror(errno));
		close(fd);
		return;
	}
	s->writers_left = writers;
	for (k = 0; k < writers + readers - 1; k++) {
		pid_t pid;

		fflush(stdout);
		pid = fork();
		if (pid < 0) {
			fail(c, "fork: %s", strerror(errno));
			if (k < writers)
				__atomic_sub_fetch(&s->writers_left, 1, __ATOMIC_SEQ_CST);
			continue;
		}
		if (!pid) {
			c->rng ^= rng_next(&c->rng) + k;
			if (k < writers)
				chan_writer(c, fd, s, k, nonblock, deadline, count);
			else
				chan_reader(c, fd, s, nonblock, deadline, until_back);
			_exit(0);
		}
		pids[np++] = pid;
	}
	chan_reader(c, fd, s, nonblock, deadline, until_back);
	for (k = 0; k < np; k++) {
		int status;

		while (waitpid(pids[k], &status, 0) < 0 && errno == EINTR)
			;
		if (WIFSIGNALED(status))
			fail(c, "channel child died of signal %d", WTERMSIG(status));
	}
	logmsg(c, "session: %lu sent, %lu echoed back", s->sent, s->back);
	munmap(s, sizeof(*s));
	close(fd);
}

static void op_echo(struct ctx *c)
{
	pid_t pid;
	int status;

	if (!c->exists) {
		char dev[32];

		/* no instance, no device */
		snprintf(dev, sizeof(dev), "/dev/mkchan%u", c->id);
		verdict(c, W_OPEN, open(dev, O_RDWR) < 0 ? errno : 0, ALLOW(ENOENT),
			dev);
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fail(c, "fork: %s", strerror(errno));
		return;
	}
	if (!pid) {
		chan_session(c, echo_ms, 1 + c->r[1] % 8);
		_exit(0);
	}
	/* children are tracked by the table; this one is waited for here */
	{
		long deadline = now_ms() + hang_sec * 1000L;

		while (waitpid(pid, &status, WNOHANG) != pid) {
			if (now_ms() > deadline) {
				fail(c, "channel session did not end within %u s", hang_sec);
				show_task(pid, "session");
				dump_blocked_tasks();
				kill(pid, SIGKILL);
				deadline = now_ms() + hang_sec * 1000L;
			}
			sleep_ms(5);
		}
	}
	if (WIFSIGNALED(status))
		fail(c, "channel session died of signal %d", WTERMSIG(status));
}

static void op_traffic(struct ctx *c)
{
	pid_t pid;

	if (!c->exists) {
		op_echo(c);
		return;
	}
	pid = spawn_child(c, true);
	if (pid < 0)
		return;
	if (!pid) {
		c->async = true;
		chan_session(c, 300 + c->r[1] % traffic_ms, 0);
		_exit(0);
	}
	inst[c->i].traffic++;
}

/* ---- the main loop ---- */

static void run_op(struct ctx *c, enum op op);

static void op_async(struct ctx *c)
{
	enum op sub = async_ops[c->r[1] % (ARRAY_SIZE(async_ops))];
	pid_t pid;

	c->r[1] = rng_next(&c->rng);	/* the sub-op's own values */
	snprintf(c->desc + strlen(c->desc), sizeof(c->desc) - strlen(c->desc),
		 " %s", op_name[sub]);
	pid = spawn_child(c, false);
	if (pid)
		return;
	c->async = true;
	run_op(c, sub);
	_exit(0);
}

static void op_mkdir(struct ctx *c)
{
	char path[64], buf[32];
	int e;

	inst_name(c->i, buf, sizeof(buf));
	snprintf(path, sizeof(path), MK_CFG "/%s", buf);
	e = mkdir(path, 0755) ? errno : 0;
	verdict(c, W_MKDIR, e, inst[c->i].exists ? ALLOW(EEXIST) : ALLOW(0, ENOMEM),
		NULL);
	if (e)
		return;
	inst[c->i].exists = true;
	inst[c->i].traffic = 0;
	c->exists = true;
	c->gen = __atomic_load_n(&sh->gen[c->i], __ATOMIC_SEQ_CST);
	e = attr_read(c->i, "id", buf, sizeof(buf));
	verdict(c, W_ATTR, e, ALLOW(0), "id");
	inst[c->i].id = e ? NO_SUCH_ID + c->i : strtoul(buf, NULL, 10);
	c->id = inst[c->i].id;
	/* the default graceful stop waits 5 s: keep the run short */
	verdict(c, W_TIMEOUT,
		attr_write(c, "stop_timeout_ms", timeouts[c->r[1] % 5]),
		ALLOW(0), timeouts[c->r[1] % 5]);
}

static void op_rmdir(struct ctx *c)
{
	char path[64], name[16], dev[32];
	int e;

	inst_name(c->i, name, sizeof(name));
	snprintf(path, sizeof(path), MK_CFG "/%s", name);
	if (inst[c->i].exists)
		__atomic_add_fetch(&sh->gen[c->i], 1, __ATOMIC_SEQ_CST);
	e = rmdir(path) ? errno : 0;
	verdict(c, W_RMDIR, e, inst[c->i].exists ? ALLOW(0) : ALLOW(ENOENT), NULL);
	if (e)
		return;
	inst[c->i].exists = false;
	inst[c->i].traffic = 0;	/* its children now get ENODEV */
	snprintf(dev, sizeof(dev), "/dev/mkchan%u", inst[c->i].id);
	if (!access(dev, F_OK))
		fail(c, "%s still exists after rmdir", dev);
}

/*
 * What a user does to get a spawn going: memory, CPUs and a load in one
 * go, with good values (each step checked like its own operation).
 */
static void op_setup(struct ctx *c)
{
	uint64_t r1 = c->r[1];

	c->r[1] = c->r[1] % 9;			/* a valid size */
	op_memory(c);
	c->r[1] = (r1 >> 8) % 11;		/* one CPU, two, or all */
	op_cpus(c);
	c->r[1] = (r1 >> 16) % 14;		/* an image that boots */
	op_load(c);
}

static void op_start(struct ctx *c)
{
	op_state(c, W_START);
}

static void op_stop(struct ctx *c)
{
	op_state(c, W_STOP);
}

static void op_kill(struct ctx *c)
{
	op_state(c, W_KILL);
}

static void op_badword(struct ctx *c)
{
	op_state(c, W_BADWORD);
}

static void (* const op_fn[OP_NR])(struct ctx *c) = {
	[OP_MKDIR] = op_mkdir, [OP_RMDIR] = op_rmdir, [OP_CPUS] = op_cpus,
	[OP_MEMORY] = op_memory, [OP_UART] = op_uart,
	[OP_TIMEOUT] = op_timeout, [OP_LOAD] = op_load,
	[OP_UNLOAD] = op_unload, [OP_START] = op_start, [OP_STOP] = op_stop,
	[OP_KILL] = op_kill, [OP_BADWORD] = op_badword,
	[OP_HOTPLUG] = op_hotplug, [OP_ECHO] = op_echo,
	[OP_TRAFFIC] = op_traffic, [OP_READ] = op_read,
	[OP_SETTLE] = op_settle, [OP_ASYNC] = op_async, [OP_SETUP] = op_setup,
};

static void run_op(struct ctx *c, enum op op)
{
	op_fn[op](c);
}

static enum op pick_op(uint64_t r)
{
	unsigned int total = 0, k;

	for (k = 0; k < OP_NR; k++)
		total += op_weight[k];
	r %= total;
	for (k = 0; k < OP_NR; k++) {
		if (r < op_weight[k])
			return k;
		r -= op_weight[k];
	}
	return OP_READ;
}

/* reports an operation of the main loop that does not return */
static void watchdog(pid_t main_pid)
{
	unsigned int last = ~0u;

	for (;;) {
		unsigned int op = __atomic_load_n(&sh->cur_op, __ATOMIC_SEQ_CST);
		time_t since = __atomic_load_n(&sh->cur_since, __ATOMIC_SEQ_CST);

		if (getppid() != main_pid)
			_exit(0);
		if (since && op != last && time(NULL) - since > (time_t)hang_sec) {
			printf("# stress FAIL: op %u %s: no return within %u s\n", op,
			       sh->cur_desc, hang_sec);
			show_task(main_pid, "mkstress");
			fflush(stdout);
			__atomic_add_fetch(&sh->failures, 1, __ATOMIC_SEQ_CST);
			dump_blocked_tasks();
			last = op;
		}
		sleep(1);
	}
}

static void find_pool(void)
{
	char line[256];
	FILE *f = fopen("/proc/iomem", "r");

	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long a, b;

		if (strstr(line, "Multikernel pool") &&
		    sscanf(line, " %llx-%llx", &a, &b) == 2 && b > a) {
			pool_start = a;
			pool_size = b - a + 1;
		}
	}
	if (f)
		fclose(f);
}

/* present CPUs are 0..N-1 in the test VM: N from "0-3" */
static unsigned int present_cpus(void)
{
	char buf[64], *p;

	if (read_file(CPU_SYSFS "/present", buf, sizeof(buf), NULL))
		return 0;
	p = strrchr(buf, '-');
	return p ? strtoul(p + 1, NULL, 10) + 1 : 1;
}

/* calls and main-loop time per operation so far, and the slowest one */
static void print_op_times(void)
{
	char line[1024];
	unsigned int k;
	int n;

	line[0] = 0;
	for (k = 0, n = 0; k < OP_NR && n < (int)sizeof(line); k++)
		if (sh->op_calls[k])
			n += snprintf(line + n, sizeof(line) - n, " %s %lu/%.0fs",
				      op_name[k], sh->op_calls[k], sh->op_secs[k]);
	printf("# stress ops/time:%s; slowest: op %u (%s) %.1f s\n", line,
	       sh->slow_op, sh->slow_desc, sh->slow_secs);
	fflush(stdout);
}

static void summary(double secs)
{
	char line[768];
	unsigned int w;
	size_t k;
	int e, n;

	for (w = 0; w < W_NR; w++) {
		if (!sh->calls[w])
			continue;
		n = snprintf(line, sizeof(line), "# stress %-18s %6lu calls, %6lu ok",
			     what_name[w], sh->calls[w], sh->ok[w]);
		for (e = 1; e < NERR && n < (int)sizeof(line); e++)
			if (sh->err[w][e])
				n += snprintf(line + n, sizeof(line) - n, ", %s %lu",
					      ename(e), sh->err[w][e]);
		printf("%s\n", line);
	}
	printf("# stress channel: %lu messages sent, %lu echoed back in their session, ",
	       sh->sent, sh->back);
	printf("%lu later, %lu unchecked (scribbling peer)\n", sh->late, sh->unchecked);
	line[0] = 0;
	for (k = 0, n = 0; k < ARRAY_SIZE(state_words); k++)
		if (sh->states[k])
			n += snprintf(line + n, sizeof(line) - n, " %s %lu",
				      state_words[k], sh->states[k]);
	printf("# stress states read:%s\n", line);
	print_op_times();
	printf("# stress: %u operations in %.0f s, %u failures\n", nops, secs,
	       sh->failures);
}

/* destroy everything, give every CPU back to the host */
static void finish(void)
{
	struct ctx c = { .op = nops, .i = -1 };
	unsigned int cpu;
	int i;

	snprintf(c.desc, sizeof(c.desc), "end");
	wait_children(false, 0);
	for (i = 0; i < NINST; i++) {
		if (!inst[i].exists)
			continue;
		c.i = i;
		c.exists = true;
		c.gen = sh->gen[i];
		snprintf(c.desc, sizeof(c.desc), "end s%d", i + 1);
		op_rmdir(&c);
	}
	c.i = -1;
	for (cpu = 1; cpu < ncpus; cpu++) {
		char path[64], val[16];

		snprintf(path, sizeof(path), CPU_SYSFS "/cpu%u/online", cpu);
		snprintf(val, sizeof(val), "cpu%u", cpu);
		snprintf(c.desc, sizeof(c.desc), "end");
		verdict(&c, W_ONLINE, write_file(path, "1"), ALLOW(0), val);
	}
	reap();
	kmsg_scan(&c);
}

static int print_usage(void)
{
	fprintf(stderr, "usage: mkstress [--seed N] [--ops N] [--debug] [--log FILE]\n");
	return 2;
}

int main(int argc, char **argv)
{
	uint64_t rng;
	unsigned int k;
	double t;
	int a;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	seed = (uint64_t)time(NULL);
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--seed") && a + 1 < argc) {
			seed = strtoull(argv[++a], NULL, 0);
		} else if (!strcmp(argv[a], "--ops") && a + 1 < argc) {
			nops = strtoul(argv[++a], NULL, 0);
		} else if (!strcmp(argv[a], "--log") && a + 1 < argc) {
			log_path = argv[++a];
		} else if (!strcmp(argv[a], "--debug")) {
			/* a debug spawn needs 128M and is ~10x slower */
			mem_min = 128;
			echo_ms *= 5;
			settle_ms *= 5;
			hang_sec *= 3;
		} else {
			return print_usage();
		}
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mkstress: mmap");
		return 1;
	}
	log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	ncpus = present_cpus();
	if (ncpus < 2 || ncpus > MAX_CPUS) {
		fprintf(stderr, "mkstress: needs 2 to %d CPUs, not %u\n", MAX_CPUS, ncpus);
		return 1;
	}
	find_pool();
	printf("# stress seed %llu\n", (unsigned long long)seed);
	printf("# stress ops %u over instances s1..s%d, host cpus 1-%u, pool %lluM%s; log %s\n",
	       nops, NINST, ncpus - 1, pool_size >> 20,
	       mem_min > 64 ? ", debug kernel" : "", log_path);
	fflush(stdout);
	for (k = 0; k < NINST; k++)
		inst[k].id = NO_SUCH_ID + k;
	kmsg_open();
	fflush(stdout);
	watchdog_pid = fork();
	if (!watchdog_pid)
		watchdog(getppid());
	rng = seed;
	for (k = 0; k < nops; k++) {
		struct ctx c = { .op = k };
		enum op op = pick_op(rng_next(&rng));

		c.i = rng_next(&rng) % NINST;
		for (a = 0; a < 4; a++)
			c.r[a] = rng_next(&rng);
		c.rng = seed ^ ((uint64_t)k << 32) ^ 0x5bd1e995;
		c.exists = inst[c.i].exists;
		c.gen = __atomic_load_n(&sh->gen[c.i], __ATOMIC_SEQ_CST);
		c.id = inst[c.i].exists ? inst[c.i].id : NO_SUCH_ID + c.i;
		c.busy_dev = inst[c.i].traffic > 0;
		snprintf(c.desc, sizeof(c.desc), "%s s%d", op_name[op], c.i + 1);
		snprintf(sh->cur_desc, sizeof(sh->cur_desc), "%s", c.desc);
		__atomic_store_n(&sh->cur_op, k, __ATOMIC_SEQ_CST);
		__atomic_store_n(&sh->cur_since, time(NULL), __ATOMIC_SEQ_CST);
		if (op == OP_HOTPLUG)
			c.i = -1;
		t = now_s();
		run_op(&c, op);
		t = now_s() - t;
		sh->op_secs[op] += t;
		if (t > sh->slow_secs) {
			sh->slow_secs = t;
			sh->slow_op = k;
			snprintf(sh->slow_desc, sizeof(sh->slow_desc), "%s", c.desc);
		}
		sh->op_calls[op]++;
		__atomic_store_n(&sh->cur_since, 0, __ATOMIC_SEQ_CST);
		reap();
		kmsg_scan(&c);
		if ((k + 1) % 500 == 0) {
			printf("# stress: %u/%u operations, %.0f s\n", k + 1, nops, now_s());
			print_op_times();
		}
	}
	finish();
	kill(watchdog_pid, SIGKILL);
	waitpid(watchdog_pid, NULL, 0);
	summary(now_s());
	return sh->failures ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Multikernel channel benchmark, a test facility (CONFIG_MULTIKERNEL_BENCH):
 * writing an instance id to /sys/kernel/debug/multikernel/bench measures a
 * host -> spawn -> host round trip and bulk throughput over that instance's
 * channel against an in-host IPI round trip and memcpy, in the same run,
 * and logs one line of results.  Not part of any production path.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/sort.h>

#include "internal.h"

#define MK_BENCH_RTT_ITERS	1000
#define MK_BENCH_BULK_RUNS	5
#define MK_BENCH_BULK_BYTES	SZ_8M
#define MK_BENCH_CHUNK		MK_MSG_MAX

static int mk_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 mk_median(u64 *v, int n)
{
	sort(v, n, sizeof(*v), mk_cmp_u64, NULL);
	return v[n / 2];
}

static void mk_bench_nop(void *info)
{
}

/* Median round trip of an echo through the channel, in ns. */
static int mk_bench_rtt(struct mk_chan *ch, u64 *t, u64 *median)
{
	u8 reply[64], payload[64];
	int i, ret;
	u32 rlen;

	memset(payload, 0x5a, sizeof(payload));
	for (i = 0; i < MK_BENCH_RTT_ITERS; i++) {
		u64 t0 = ktime_get_ns();

		rlen = sizeof(reply);
		ret = mk_chan_call(ch, MK_MSG_ECHO, payload, sizeof(payload),
				   reply, &rlen, HZ);
		if (ret)
			return ret;
		t[i] = ktime_get_ns() - t0;
	}
	*median = mk_median(t, MK_BENCH_RTT_ITERS);
	return 0;
}

/* Median round trip of an in-host IPI to another CPU, in ns. */
static int mk_bench_ipi(u64 *t, u64 *median)
{
	unsigned int target;
	int i;

	target = cpumask_any_but(cpu_online_mask, raw_smp_processor_id());
	if (target >= nr_cpu_ids)
		return -ENODEV;
	for (i = 0; i < MK_BENCH_RTT_ITERS; i++) {
		u64 t0 = ktime_get_ns();

		smp_call_function_single(target, mk_bench_nop, NULL, 1);
		t[i] = ktime_get_ns() - t0;
	}
	*median = mk_median(t, MK_BENCH_RTT_ITERS);
	return 0;
}

/* Median MB/s of bulk channel transfers and of memcpy of the same chunks. */
static int mk_bench_bulk(struct mk_chan *ch, u8 *buf, u8 *dst, u64 *chan_mbps,
			 u64 *memcpy_mbps)
{
	u64 chan_bw[MK_BENCH_BULK_RUNS], cpy_bw[MK_BENCH_BULK_RUNS];
	u8 reply[64];
	int r, ret;
	u32 rlen;

	memset(buf, 0xa5, MK_BENCH_CHUNK);
	for (r = 0; r < MK_BENCH_BULK_RUNS; r++) {
		u64 t0 = ktime_get_ns(), bytes;

		for (bytes = 0; bytes < MK_BENCH_BULK_BYTES; bytes += MK_BENCH_CHUNK) {
			ret = mk_chan_send(ch, MK_MSG_SINK, buf, MK_BENCH_CHUNK,
					   5 * HZ);
			if (ret)
				return ret;
		}
		rlen = sizeof(reply);
		ret = mk_chan_call(ch, MK_MSG_SINK, NULL, 0, reply, &rlen,
				   5 * HZ);
		if (ret)
			return ret;
		chan_bw[r] = div64_u64(bytes * 1000, ktime_get_ns() - t0 ?: 1);

		t0 = ktime_get_ns();
		for (bytes = 0; bytes < MK_BENCH_BULK_BYTES; bytes += MK_BENCH_CHUNK)
			memcpy(dst + (bytes & (SZ_1M - 1)), buf, MK_BENCH_CHUNK);
		cpy_bw[r] = div64_u64(bytes * 1000, ktime_get_ns() - t0 ?: 1);
	}
	*chan_mbps = mk_median(chan_bw, MK_BENCH_BULK_RUNS);
	*memcpy_mbps = mk_median(cpy_bw, MK_BENCH_BULK_RUNS);
	return 0;
}

static int mk_bench(struct mk_instance *inst)
{
	struct mk_chan *ch = &inst->chan;
	u64 *t, rtt, ipi, cbw, mbw;
	u8 *buf, *dst;
	int ret;

	if (!mk_started(READ_ONCE(inst->state)))
		return -ENOTCONN;
	t = kcalloc(MK_BENCH_RTT_ITERS, sizeof(*t), GFP_KERNEL);
	buf = kvmalloc(MK_BENCH_CHUNK, GFP_KERNEL);
	dst = kvmalloc(SZ_1M, GFP_KERNEL);
	ret = t && buf && dst ? 0 : -ENOMEM;
	if (!ret)
		ret = mk_bench_rtt(ch, t, &rtt);
	if (!ret)
		ret = mk_bench_ipi(t, &ipi);
	if (!ret)
		ret = mk_bench_bulk(ch, buf, dst, &cbw, &mbw);
	if (!ret)
		pr_info("bench instance %u: rtt_median_ns=%llu ipi_rtt_median_ns=%llu rtt_ratio_x100=%llu chan_MBps=%llu memcpy_MBps=%llu bw_ratio_x100=%llu ipis=%lld msgs=%lld\n",
			inst->id, rtt, ipi, div64_u64(rtt * 100, ipi ?: 1),
			cbw, mbw, div64_u64(cbw * 100, mbw ?: 1),
			atomic64_read(&ch->ipis_sent),
			atomic64_read(&ch->tx_msgs));
	kfree(t);
	kvfree(buf);
	kvfree(dst);
	return ret;
}

static ssize_t mk_bench_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct mk_instance *inst;
	u32 id;
	int ret;

	if (!capable(CAP_SYS_BOOT))
		return -EPERM;
	ret = kstrtou32_from_user(ubuf, count, 0, &id);
	if (ret)
		return ret;
	inst = mk_instance_get(id);
	if (!inst)
		return -ENOENT;
	ret = mk_bench(inst);
	mk_instance_put(inst);
	return ret ?: count;
}

static const struct file_operations mk_bench_fops = {
	.write	= mk_bench_write,
	.llseek	= noop_llseek,
};

static int __init mk_bench_init(void)
{
	struct dentry *dir = debugfs_create_dir("multikernel", NULL);

	debugfs_create_file("bench", 0200, dir, NULL, &mk_bench_fops);
	return 0;
}
late_initcall(mk_bench_init);

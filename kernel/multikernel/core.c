// SPDX-License-Identifier: GPL-2.0
/*
 * Multikernel instances: CPUs and memory handed to spawned kernels.
 *
 * An instance is created through /sys/kernel/multikernel/control with a set
 * of offline CPUs and a size carved out of the boot-time pool.  An image is
 * loaded into it with kexec_load(KEXEC_MULTIKERNEL) or
 * kexec_file_load(KEXEC_FILE_MULTIKERNEL), and started, stopped, unloaded
 * and destroyed through the control file.  /proc/multikernel lists them.
 *
 * Locking: mk_lock serialises every operation on instances.  The set of
 * CPUs owned by instances (mk_owned_cpus) only changes with mk_lock held
 * and the CPU hotplug lock read-held, so the hotplug callback that refuses
 * to online an owned CPU sees a stable mask.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/capability.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/delay.h>
#include <linux/kernel_read_file.h>
#include <linux/kobject.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/multikernel.h>
#include <linux/multikernel_chan.h>
#include <linux/smp.h>
#include <linux/sort.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/sched/signal.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <asm/setup.h>

/* Largest kernel or initramfs file accepted by kexec_file_load(). */
#define MK_FILE_SIZE_MAX	SZ_1G

/* Default time a graceful stop waits for the spawned kernel to halt. */
#define MK_STOP_TIMEOUT_MS	5000

/* A running instance whose last heartbeat is older than this is unresponsive. */
#define MK_HEARTBEAT_LATE_MS	3000

/* Period of the host's channel health check. */
#define MK_HEALTH_PERIOD_MS	250

static DEFINE_MUTEX(mk_lock);
static struct mk_instance *mk_instances[MULTIKERNEL_MAX_INSTANCES];
static struct cpumask mk_owned_cpus;
static struct resource mk_pool;
static bool mk_have_pool;
static struct kobject *mk_kobj;

static struct mk_instance *mk_find(int id)
{
	int i;

	for (i = 0; i < MULTIKERNEL_MAX_INSTANCES; i++)
		if (mk_instances[i] && mk_instances[i]->id == id)
			return mk_instances[i];
	return NULL;
}

static bool mk_ranges_overlap(phys_addr_t a, size_t alen, phys_addr_t b,
			      size_t blen)
{
	return a < b + blen && b < a + alen;
}

/* First fit inside the pool, 2 MiB aligned; called with mk_lock held. */
static int mk_alloc_mem(size_t size, phys_addr_t *base)
{
	phys_addr_t cand[MULTIKERNEL_MAX_INSTANCES + 1];
	int n = 0, i, j;

	cand[n++] = ALIGN(mk_pool.start, SZ_2M);
	for (i = 0; i < MULTIKERNEL_MAX_INSTANCES; i++)
		if (mk_instances[i])
			cand[n++] = ALIGN(mk_instances[i]->base +
					  mk_instances[i]->size, SZ_2M);

	for (j = 0; j < n; j++) {
		bool free = cand[j] + size - 1 <= mk_pool.end;

		for (i = 0; free && i < MULTIKERNEL_MAX_INSTANCES; i++)
			if (mk_instances[i] &&
			    mk_ranges_overlap(cand[j], size,
					      mk_instances[i]->base,
					      mk_instances[i]->size))
				free = false;
		if (free) {
			*base = cand[j];
			return 0;
		}
	}
	return -ENOSPC;
}

/*
 * Take ownership of @inst's CPUs.  Every CPU must be offline and not owned
 * by another instance.  Called with mk_lock held.
 */
static int mk_claim_cpus(struct mk_instance *inst)
{
	unsigned int cpu;
	int ret = 0;

	if (inst->owns_cpus)
		return 0;
	cpus_read_lock();
	for_each_cpu(cpu, inst->cpus) {
		if (cpu_online(cpu)) {
			pr_info("instance %d: cpu%u is online; take it offline first\n",
				inst->id, cpu);
			ret = -EBUSY;
			break;
		}
		if (cpumask_test_cpu(cpu, &mk_owned_cpus)) {
			pr_info("instance %d: cpu%u belongs to another instance\n",
				inst->id, cpu);
			ret = -EBUSY;
			break;
		}
	}
	if (!ret) {
		cpumask_or(&mk_owned_cpus, &mk_owned_cpus, inst->cpus);
		inst->owns_cpus = true;
	}
	cpus_read_unlock();
	if (!ret)
		arch_multikernel_lend_cpus(true);
	return ret;
}

static void mk_release_cpus(struct mk_instance *inst)
{
	if (!inst->owns_cpus)
		return;
	cpus_read_lock();
	cpumask_andnot(&mk_owned_cpus, &mk_owned_cpus, inst->cpus);
	inst->owns_cpus = false;
	cpus_read_unlock();
	arch_multikernel_lend_cpus(false);
}

/* CPU hotplug: an owned CPU runs another kernel and must not be onlined. */
static int mk_cpu_prepare(unsigned int cpu)
{
	/* the sysfs online path retries EBUSY for ~600 ms: log once */
	static unsigned long last_warned;

	if (!cpumask_test_cpu(cpu, &mk_owned_cpus))
		return 0;
	if (!last_warned || time_after(jiffies, last_warned + 2 * HZ)) {
		pr_info("cpu%u is owned by a multikernel instance; stop it first\n",
			cpu);
		last_warned = jiffies;
	}
	return -EBUSY;
}

static void mk_free_image(struct mk_instance *inst)
{
	unsigned int i;

	for (i = 0; i < inst->nr_segments; i++)
		kvfree(inst->segment[i].buf);
	memset(inst->segment, 0, sizeof(inst->segment));
	inst->nr_segments = 0;
	inst->entry = 0;
	inst->boot_params = 0;
	inst->file_loaded = false;
}

static bool mk_unresponsive(struct mk_instance *inst)
{
	return inst->heartbeats &&
	       time_after(jiffies, READ_ONCE(inst->last_heartbeat) +
			  msecs_to_jiffies(MK_HEARTBEAT_LATE_MS));
}

static const char *mk_state_name(struct mk_instance *inst)
{
	u32 gs;

	switch (inst->state) {
	case MK_EMPTY:
		return "empty";
	case MK_LOADED:
		return "loaded";
	case MK_STOPPING:
		return "stopping";
	case MK_STOPPED:
		return "stopped";
	case MK_STARTED:
		break;
	}
	/* the channel reports progress; the shared page backs up crash/halt */
	gs = READ_ONCE(inst->info->guest_state);
	if (READ_ONCE(inst->crashed) || gs == MK_GUEST_PANIC)
		return "crashed";
	if (gs == MK_GUEST_HALTED || READ_ONCE(inst->lc_event) == MK_LC_HALTING)
		return "halted";
	if (READ_ONCE(inst->lc_event) >= MK_LC_INIT_STARTED ||
	    gs == MK_GUEST_RUNNING)
		return mk_unresponsive(inst) ? "unresponsive" : "running";
	if (READ_ONCE(inst->lc_event) == MK_LC_BOOTED)
		return "booted";
	return "starting";
}

/* Copy the image into the instance's memory; called with mk_lock held. */
static void mk_place_image(struct mk_instance *inst)
{
	unsigned int i;

	for (i = 0; i < inst->nr_segments; i++) {
		struct mk_segment *s = &inst->segment[i];
		void *dst = phys_to_virt(s->mem);

		memcpy(dst, s->buf, s->bufsz);
		memset(dst + s->bufsz, 0, s->memsz - s->bufsz);
	}
}

static int mk_start(struct mk_instance *inst)
{
	bool owned;
	int ret;

	switch (inst->state) {
	case MK_EMPTY:
		pr_info("instance %d: nothing loaded\n", inst->id);
		return -ENOEXEC;
	case MK_STARTED:
	case MK_STOPPING:
		pr_info("instance %d: already started\n", inst->id);
		return -EBUSY;
	default:
		break;
	}

	owned = inst->owns_cpus;
	ret = mk_claim_cpus(inst);
	if (ret)
		return ret;

	mk_place_image(inst);
	memset(inst->info, 0, sizeof(*inst->info));
	arch_multikernel_fill_info(inst);
	mk_chan_reset_shared(phys_to_virt(inst->base));
	mk_chan_attach(&inst->chan, phys_to_virt(inst->base),
		       inst->info->apic_ids[0]);
	inst->lc_event = 0;
	inst->crashed = false;
	inst->panic_reason[0] = '\0';
	inst->heartbeats = 0;
	atomic64_set(&inst->sink_bytes, 0);
	mk_chan_activate(&inst->chan);

	ret = arch_multikernel_start(inst);
	if (ret) {
		mk_chan_deactivate(&inst->chan);
		if (!owned)
			mk_release_cpus(inst);
		pr_err("instance %d: cpu%u did not start: %d\n", inst->id,
		       inst->boot_cpu, ret);
		return ret;
	}
	inst->state = MK_STARTED;
	inst->starts++;
	inst->start_time = ktime_get_boottime_seconds();
	pr_info("instance %d: started on cpus %*pbl\n", inst->id,
		cpumask_pr_args(inst->cpus));
	return 0;
}

static int mk_stop(struct mk_instance *inst, unsigned int timeout_ms)
{
	const char *how = "forced";
	unsigned long deadline;
	u32 gs;

	if (inst->state != MK_STARTED) {
		pr_info("instance %d: not started\n", inst->id);
		return -EINVAL;
	}
	inst->state = MK_STOPPING;

	gs = READ_ONCE(inst->info->guest_state);
	if (gs == MK_GUEST_HALTED)
		how = "had halted by itself";
	if (timeout_ms && gs != MK_GUEST_PANIC && gs != MK_GUEST_HALTED) {
		struct mk_lifecycle lc = { .event = MK_LC_STOP };

		/* over the channel, and in the shared page if that is broken */
		mk_chan_send(&inst->chan, MK_MSG_LIFECYCLE, &lc, sizeof(lc), 0);
		WRITE_ONCE(inst->info->host_request, MK_HOST_REQ_STOP);
		deadline = jiffies + msecs_to_jiffies(timeout_ms);
		while (READ_ONCE(inst->info->guest_state) != MK_GUEST_HALTED &&
		       time_before(jiffies, deadline) &&
		       !fatal_signal_pending(current))
			msleep(20);
		if (READ_ONCE(inst->info->guest_state) == MK_GUEST_HALTED)
			how = "halted on request";
	}

	mk_chan_deactivate(&inst->chan);
	arch_multikernel_stop_cpus(inst);
	mk_release_cpus(inst);
	inst->state = MK_STOPPED;
	pr_info("instance %d: stopped (%s)\n", inst->id, how);
	return 0;
}

static int mk_unload(struct mk_instance *inst)
{
	if (inst->state == MK_STARTED || inst->state == MK_STOPPING) {
		pr_info("instance %d: stop it before unloading\n", inst->id);
		return -EBUSY;
	}
	mk_free_image(inst);
	inst->state = MK_EMPTY;
	return 0;
}

static int mk_destroy(struct mk_instance *inst)
{
	int i;

	if (mk_cdev_retire(inst->cdev)) {
		pr_info("instance %d: /dev/mkchan%d is open\n", inst->id,
			inst->id);
		return -EBUSY;
	}
	if (inst->state == MK_STARTED)
		mk_stop(inst, MK_STOP_TIMEOUT_MS);
	mk_free_image(inst);
	mk_release_cpus(inst);
	for (i = 0; i < MULTIKERNEL_MAX_INSTANCES; i++)
		if (mk_instances[i] == inst)
			mk_instances[i] = NULL;
	mk_chan_deactivate(&inst->chan);
	mk_cdev_destroy(inst->cdev);
	sysfs_remove_bin_file(inst->kobj, &inst->console_attr);
	kobject_del(inst->kobj);
	kobject_put(inst->kobj);
	pr_info("instance %d: destroyed\n", inst->id);
	free_cpumask_var(inst->cpus);
	kfree(inst);
	return 0;
}

/* ---- host side of the channel services ---- */

static int mk_host_lifecycle(struct mk_chan *ch, const struct mk_msg *msg)
{
	struct mk_instance *inst = ch->priv;
	const struct mk_lifecycle *lc = msg->data;

	if (msg->len != sizeof(*lc)) {
		atomic64_inc(&ch->errors);
		return 0;
	}
	switch (lc->event) {
	case MK_LC_BOOTED:
	case MK_LC_INIT_STARTED:
	case MK_LC_HALTING:
		WRITE_ONCE(inst->lc_event, lc->event);
		fallthrough;
	case MK_LC_HEARTBEAT:
		WRITE_ONCE(inst->last_heartbeat, jiffies);
		inst->heartbeats++;
		break;
	default:
		atomic64_inc(&ch->errors);
	}
	return 0;
}

static int mk_host_panic(struct mk_chan *ch, const struct mk_msg *msg)
{
	struct mk_instance *inst = ch->priv;
	size_t n = min_t(size_t, msg->len, sizeof(inst->panic_reason) - 1);

	memcpy(inst->panic_reason, msg->data, n);
	inst->panic_reason[n] = '\0';
	WRITE_ONCE(inst->crashed, true);
	pr_err("instance %d crashed: %s\n", inst->id, inst->panic_reason);
	return 0;
}

static int mk_host_sink(struct mk_chan *ch, const struct mk_msg *msg)
{
	struct mk_instance *inst = ch->priv;

	atomic64_add(msg->len, &inst->sink_bytes);
	if (msg->flags & MK_MSG_F_REQUEST)
		mk_chan_reply(ch, msg, NULL, 0);
	return 0;
}

static void mk_health_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(mk_health_work, mk_health_fn);

/* Notice a peer that corrupts an idle ring, and keep watching. */
static void mk_health_fn(struct work_struct *work)
{
	int i;

	mutex_lock(&mk_lock);
	for (i = 0; i < MULTIKERNEL_MAX_INSTANCES; i++) {
		struct mk_instance *inst = mk_instances[i];

		if (inst && inst->state == MK_STARTED &&
		    mk_chan_ring_check(&inst->chan))
			mk_chan_poke(&inst->chan);	/* backstop for a lost doorbell */
	}
	mutex_unlock(&mk_lock);
	schedule_delayed_work(&mk_health_work,
			      msecs_to_jiffies(MK_HEALTH_PERIOD_MS));
}

/* ---- benchmark: channel vs. in-host IPI and memcpy ---- */

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

static int mk_bench(struct mk_instance *inst)
{
	u64 *rtt, *ipi, chan_bw[MK_BENCH_BULK_RUNS];
	u64 cpy_bw[MK_BENCH_BULK_RUNS], rtt_med, ipi_med, cbw, mbw;
	u8 *buf, *dst, reply[64], payload[64];
	struct mk_chan *ch = &inst->chan;
	unsigned int target;
	int i, r, ret = 0;
	u32 rlen;

	if (inst->state != MK_STARTED)
		return -ENOTCONN;
	rtt = kcalloc(MK_BENCH_RTT_ITERS, sizeof(*rtt), GFP_KERNEL);
	ipi = kcalloc(MK_BENCH_RTT_ITERS, sizeof(*ipi), GFP_KERNEL);
	buf = kvmalloc(MK_BENCH_CHUNK, GFP_KERNEL);
	dst = kvmalloc(SZ_1M, GFP_KERNEL);
	if (!rtt || !ipi || !buf || !dst) {
		ret = -ENOMEM;
		goto out;
	}
	memset(payload, 0x5a, sizeof(payload));
	memset(buf, 0xa5, MK_BENCH_CHUNK);

	for (i = 0; i < MK_BENCH_RTT_ITERS; i++) {
		u64 t0 = ktime_get_ns();

		rlen = sizeof(reply);
		ret = mk_chan_call(ch, MK_MSG_ECHO, payload, sizeof(payload),
				   reply, &rlen, HZ);
		if (ret)
			goto out;
		rtt[i] = ktime_get_ns() - t0;
	}
	target = cpumask_any_but(cpu_online_mask, raw_smp_processor_id());
	if (target >= nr_cpu_ids) {
		ret = -ENODEV;
		goto out;
	}
	for (i = 0; i < MK_BENCH_RTT_ITERS; i++) {
		u64 t0 = ktime_get_ns();

		smp_call_function_single(target, mk_bench_nop, NULL, 1);
		ipi[i] = ktime_get_ns() - t0;
	}
	for (r = 0; r < MK_BENCH_BULK_RUNS; r++) {
		u64 t0 = ktime_get_ns(), bytes;

		for (bytes = 0; bytes < MK_BENCH_BULK_BYTES; bytes += MK_BENCH_CHUNK) {
			ret = mk_chan_send(ch, MK_MSG_SINK, buf, MK_BENCH_CHUNK,
					   5 * HZ);
			if (ret)
				goto out;
		}
		rlen = sizeof(reply);
		ret = mk_chan_call(ch, MK_MSG_SINK, NULL, 0, reply, &rlen,
				   5 * HZ);
		if (ret)
			goto out;
		chan_bw[r] = div64_u64(bytes * 1000, ktime_get_ns() - t0 ?: 1);

		t0 = ktime_get_ns();
		for (bytes = 0; bytes < MK_BENCH_BULK_BYTES; bytes += MK_BENCH_CHUNK)
			memcpy(dst + (bytes & (SZ_1M - 1)), buf, MK_BENCH_CHUNK);
		cpy_bw[r] = div64_u64(bytes * 1000, ktime_get_ns() - t0 ?: 1);
	}
	rtt_med = mk_median(rtt, MK_BENCH_RTT_ITERS);
	ipi_med = mk_median(ipi, MK_BENCH_RTT_ITERS);
	cbw = mk_median(chan_bw, MK_BENCH_BULK_RUNS);
	mbw = mk_median(cpy_bw, MK_BENCH_BULK_RUNS);
	pr_info("bench instance %d: rtt_median_ns=%llu ipi_rtt_median_ns=%llu rtt_ratio_x100=%llu chan_MBps=%llu memcpy_MBps=%llu bw_ratio_x100=%llu ipis=%lld msgs=%lld\n",
		inst->id, rtt_med, ipi_med, div64_u64(rtt_med * 100, ipi_med ?: 1),
		cbw, mbw, div64_u64(cbw * 100, mbw ?: 1),
		atomic64_read(&ch->ipis_sent), atomic64_read(&ch->tx_msgs));
out:
	kfree(rtt);
	kfree(ipi);
	kvfree(buf);
	kvfree(dst);
	return ret;
}

/* /sys/kernel/multikernel/<id>/console: the spawned kernel's console log */
static ssize_t console_read(struct file *file, struct kobject *kobj,
			    struct bin_attribute *attr, char *buf, loff_t pos,
			    size_t count)
{
	struct mk_instance *inst = attr->private;
	struct mk_console_shared *con;
	const u8 *data;
	u64 head, start;
	size_t n, done = 0;

	con = phys_to_virt(inst->base) + MK_CONSOLE_OFFSET;
	data = (const u8 *)con + MK_CONSOLE_HDR_SIZE;
	/* the guest writes the head: use it only modulo the buffer size */
	head = READ_ONCE(con->head);
	start = head > MK_CONSOLE_SIZE ? head - MK_CONSOLE_SIZE : 0;
	if (pos < 0 || pos >= head - start)
		return 0;
	count = min_t(size_t, count, head - start - pos);
	while (done < count) {
		u64 off = (start + pos + done) & (MK_CONSOLE_SIZE - 1);

		n = min_t(size_t, count - done, MK_CONSOLE_SIZE - off);
		memcpy(buf + done, data + off, n);
		done += n;
	}
	return done;
}

static int mk_instance_sysfs(struct mk_instance *inst)
{
	struct bin_attribute *ba;
	char name[8];
	int ret;

	snprintf(name, sizeof(name), "%d", inst->id);
	inst->kobj = kobject_create_and_add(name, mk_kobj);
	if (!inst->kobj)
		return -ENOMEM;
	ba = &inst->console_attr;
	sysfs_bin_attr_init(ba);
	ba->attr.name = "console";
	ba->attr.mode = 0400;
	ba->read = console_read;
	ba->private = inst;
	ret = sysfs_create_bin_file(inst->kobj, ba);
	if (ret) {
		kobject_put(inst->kobj);
		inst->kobj = NULL;
	}
	return ret;
}

/*
 * create ID CPULIST SIZE [uart=PORT]
 */
static int mk_create(char *args)
{
	char *id_s = strsep(&args, " "), *cpus_s = strsep(&args, " ");
	char *size_s = strsep(&args, " "), *opt;
	struct mk_instance *inst;
	unsigned int cpu, slot;
	unsigned long long size;
	int id, ret;
	u16 uart = 0;

	if (!id_s || !cpus_s || !size_s || kstrtoint(id_s, 0, &id) ||
	    id < 1 || id > 255) {
		pr_info("usage: create ID(1-255) CPULIST SIZE [uart=PORT]\n");
		return -EINVAL;
	}
	while ((opt = strsep(&args, " "))) {
		if (!*opt)
			continue;
		if (strncmp(opt, "uart=", 5) || kstrtou16(opt + 5, 0, &uart) ||
		    !uart) {
			pr_info("create: unknown option '%s'\n", opt);
			return -EINVAL;
		}
	}
	if (mk_find(id)) {
		pr_info("instance %d exists\n", id);
		return -EEXIST;
	}
	for (slot = 0; slot < MULTIKERNEL_MAX_INSTANCES; slot++)
		if (!mk_instances[slot])
			break;
	if (slot == MULTIKERNEL_MAX_INSTANCES) {
		pr_info("all %d instance slots are in use\n",
			MULTIKERNEL_MAX_INSTANCES);
		return -ENOSPC;
	}

	size = memparse(size_s, &size_s);
	if (!*size_s && size > resource_size(&mk_pool)) {
		pr_info("create: the pool holds only %lluM\n",
			(unsigned long long)resource_size(&mk_pool) >> 20);
		return -ENOSPC;
	}
	if (*size_s || size < MULTIKERNEL_SHARED_SIZE + SZ_32M) {
		pr_info("create: size must be at least %luM\n",
			(MULTIKERNEL_SHARED_SIZE + SZ_32M) >> 20);
		return -EINVAL;
	}
	size = ALIGN(size, SZ_2M);

	inst = kzalloc(sizeof(*inst), GFP_KERNEL);
	if (!inst)
		return -ENOMEM;
	if (!zalloc_cpumask_var(&inst->cpus, GFP_KERNEL)) {
		kfree(inst);
		return -ENOMEM;
	}
	inst->id = id;
	inst->uart = uart;

	ret = cpulist_parse(cpus_s, inst->cpus);
	if (ret || cpumask_empty(inst->cpus)) {
		pr_info("create: bad CPU list '%s'\n", cpus_s);
		ret = -EINVAL;
		goto err;
	}
	if (cpumask_weight(inst->cpus) > MULTIKERNEL_MAX_CPUS) {
		pr_info("create: at most %d CPUs per instance\n",
			MULTIKERNEL_MAX_CPUS);
		ret = -E2BIG;
		goto err;
	}
	for_each_cpu(cpu, inst->cpus) {
		if (cpu >= nr_cpu_ids || !cpu_present(cpu)) {
			pr_info("create: cpu%u does not exist\n", cpu);
			ret = -EINVAL;
			goto err;
		}
		ret = arch_multikernel_cpu_ok(cpu);
		if (ret)
			goto err;
	}
	inst->boot_cpu = cpumask_first(inst->cpus);

	ret = mk_alloc_mem(size, &inst->base);
	if (ret) {
		pr_info("create: no %lluM left in the pool\n", size >> 20);
		goto err;
	}
	inst->size = size;
	inst->ram_base = inst->base + MULTIKERNEL_SHARED_SIZE;
	inst->ram_size = size - MULTIKERNEL_SHARED_SIZE;
	ret = arch_multikernel_low_slice(slot, &inst->low_base,
					 &inst->low_size);
	if (ret)
		goto err;
	inst->info = phys_to_virt(inst->base) + MULTIKERNEL_INFO_OFFSET;

	mk_chan_init(&inst->chan, true, id, inst);
	ret = mk_instance_sysfs(inst);
	if (ret)
		goto err;
	inst->cdev = mk_cdev_create(&inst->chan, id);
	if (IS_ERR(inst->cdev)) {
		ret = PTR_ERR(inst->cdev);
		inst->cdev = NULL;
		goto err_kobj;
	}

	ret = mk_claim_cpus(inst);
	if (ret)
		goto err_cdev;

	mk_instances[slot] = inst;
	pr_info("instance %d: created, cpus %*pbl, %lluM at %pa\n", id,
		cpumask_pr_args(inst->cpus), size >> 20, &inst->base);
	return 0;
err_cdev:
	mk_cdev_destroy(inst->cdev);
err_kobj:
	kobject_put(inst->kobj);
err:
	free_cpumask_var(inst->cpus);
	kfree(inst);
	return ret;
}

static int mk_control(char *buf)
{
	char *cmd, *id_s, *arg;
	struct mk_instance *inst;
	unsigned int ms = MK_STOP_TIMEOUT_MS;
	int id;

	buf = strim(buf);
	cmd = strsep(&buf, " ");
	if (!strcmp(cmd, "create"))
		return mk_create(buf);

	id_s = strsep(&buf, " ");
	if (!id_s || kstrtoint(id_s, 0, &id)) {
		pr_info("usage: create|start|stop|kill|unload|destroy ID\n");
		return -EINVAL;
	}
	inst = mk_find(id);
	if (!inst) {
		pr_info("no instance %d\n", id);
		return -ENOENT;
	}
	arg = strsep(&buf, " ");

	if (!strcmp(cmd, "start"))
		return mk_start(inst);
	if (!strcmp(cmd, "stop")) {
		if (arg && kstrtouint(arg, 0, &ms))
			return -EINVAL;
		return mk_stop(inst, ms);
	}
	if (!strcmp(cmd, "kill"))
		return mk_stop(inst, 0);
	if (!strcmp(cmd, "unload"))
		return mk_unload(inst);
	if (!strcmp(cmd, "bench"))
		return mk_bench(inst);
	if (!strcmp(cmd, "destroy"))
		return mk_destroy(inst);
	pr_info("unknown command '%s'\n", cmd);
	return -EINVAL;
}

static ssize_t control_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	char *cmd;
	int ret;

	if (!capable(CAP_SYS_BOOT))
		return -EPERM;
	if (!mk_have_pool) {
		pr_info("no memory reserved; boot with multikernel=SIZE[@ADDR]\n");
		return -ENODEV;
	}
	cmd = kstrndup(buf, count, GFP_KERNEL);
	if (!cmd)
		return -ENOMEM;
	mutex_lock(&mk_lock);
	ret = mk_control(cmd);
	mutex_unlock(&mk_lock);
	kfree(cmd);
	return ret ? ret : count;
}

static struct kobj_attribute control_attr = __ATTR_WO(control);

static struct attribute *mk_attrs[] = {
	&control_attr.attr,
	NULL,
};

static const struct attribute_group mk_attr_group = {
	.attrs = mk_attrs,
};

static int mk_proc_show(struct seq_file *m, void *v)
{
	bool priv = security_capable(m->file->f_cred, &init_user_ns,
				     CAP_SYS_ADMIN, CAP_OPT_NOAUDIT) == 0;
	char cpus[32];
	int i;

	mutex_lock(&mk_lock);
	if (priv && mk_have_pool)
		seq_printf(m, "# pool %pa-%pa\n", &mk_pool.start, &mk_pool.end);
	seq_puts(m, "id state    cpus     ram_start          ram_end            low_start  low_end    entry              segs loads starts started_s uart   heartbeat tx_msgs  rx_msgs  errors hb_age_ms\n");
	for (i = 0; i < MULTIKERNEL_MAX_INSTANCES; i++) {
		struct mk_instance *inst = mk_instances[i];
		phys_addr_t ram_end;

		if (!inst)
			continue;
		ram_end = inst->ram_base + inst->ram_size - 1;
		scnprintf(cpus, sizeof(cpus), "%*pbl",
			  cpumask_pr_args(inst->cpus));
		seq_printf(m, "%-2d %-8s %-8s ", inst->id, mk_state_name(inst),
			   cpus);
		if (priv)
			seq_printf(m, "%#-18llx %#-18llx %#-10llx %#-10llx %#-18lx ",
				   (u64)inst->ram_base, (u64)ram_end,
				   (u64)inst->low_base,
				   (u64)(inst->low_base + inst->low_size - 1),
				   inst->entry);
		else
			seq_printf(m, "%-18s %-18s %-10s %-10s %-18s ", "-", "-",
				   "-", "-", "-");
		seq_printf(m, "%-4u %-5u %-6u ", inst->nr_segments,
			   inst->loads, inst->starts);
		if (inst->starts)
			seq_printf(m, "%-9lld ", (long long)inst->start_time);
		else
			seq_printf(m, "%-9s ", "-");
		seq_printf(m, "%#-6x %-9llu %-8lld %-8lld %-6lld ", inst->uart,
			   inst->state == MK_STARTED ? inst->heartbeats : 0ULL,
			   atomic64_read(&inst->chan.tx_msgs),
			   atomic64_read(&inst->chan.rx_msgs),
			   atomic64_read(&inst->chan.errors));
		if (inst->state == MK_STARTED && inst->heartbeats)
			seq_printf(m, "%u\n", jiffies_to_msecs(jiffies -
				   READ_ONCE(inst->last_heartbeat)));
		else
			seq_puts(m, "-\n");
		if (inst->chan.broken)
			seq_printf(m, "# %d channel broken: %s\n", inst->id,
				   inst->chan.broken_reason);
		if (inst->crashed)
			seq_printf(m, "# %d panic: %s\n", inst->id,
				   inst->panic_reason);
	}
	mutex_unlock(&mk_lock);
	return 0;
}

/* Validate and take a copy of user-supplied segments for @inst. */
static int mk_check_segments(struct mk_instance *inst,
			     const struct kexec_segment *ks, unsigned long nr)
{
	unsigned long i, j;

	for (i = 0; i < nr; i++) {
		phys_addr_t mstart = ks[i].mem, mend = mstart + ks[i].memsz;

		if (!PAGE_ALIGNED(mstart) || !PAGE_ALIGNED(ks[i].memsz) ||
		    ks[i].bufsz > ks[i].memsz || mend < mstart) {
			pr_info("instance %d: segment %lu is malformed\n",
				inst->id, i);
			return -EINVAL;
		}
		if (mstart < inst->ram_base ||
		    mend > inst->ram_base + inst->ram_size) {
			pr_info("instance %d: segment %lu [%pa-%pa) is outside the instance's RAM\n",
				inst->id, i, &mstart, &mend);
			return -EADDRNOTAVAIL;
		}
		for (j = 0; j < i; j++)
			if (mk_ranges_overlap(mstart, ks[i].memsz, ks[j].mem,
					      ks[j].memsz)) {
				pr_info("instance %d: segments %lu and %lu overlap\n",
					inst->id, j, i);
				return -EINVAL;
			}
	}
	return 0;
}

static struct mk_instance *mk_find_by_addr(phys_addr_t addr)
{
	int i;

	for (i = 0; i < MULTIKERNEL_MAX_INSTANCES; i++) {
		struct mk_instance *inst = mk_instances[i];

		if (inst && addr >= inst->base && addr < inst->base + inst->size)
			return inst;
	}
	return NULL;
}

static int mk_can_load(struct mk_instance *inst)
{
	if (inst->state == MK_STARTED || inst->state == MK_STOPPING) {
		pr_info("instance %d: running; stop it before loading\n",
			inst->id);
		return -EBUSY;
	}
	return 0;
}

static void mk_loaded(struct mk_instance *inst, bool file)
{
	inst->file_loaded = file;
	inst->state = MK_LOADED;
	inst->loads++;
	pr_info("instance %d: loaded %u segments via %s, entry %#lx\n",
		inst->id, inst->nr_segments,
		file ? "kexec_file_load" : "kexec_load", inst->entry);
}

/**
 * multikernel_kexec_load - kexec_load() with KEXEC_MULTIKERNEL
 * @entry:	physical entry point (64-bit boot protocol entry or purgatory)
 * @nr_segments: number of segments
 * @ks:		segment list, copied from user space by the caller
 * @flags:	kexec_load() flags, KEXEC_MULTIKERNEL set
 *
 * The instance is the one whose RAM holds the segments.  Called after the
 * generic permission, LSM and lockdown checks of kexec_load(), for native
 * and compat callers alike.
 *
 * Return: 0 or a negative errno.
 */
long multikernel_kexec_load(unsigned long entry, unsigned long nr_segments,
			    struct kexec_segment *ks, unsigned long flags)
{
	struct mk_instance *inst;
	unsigned long i;
	long ret;

	if (flags & ~(KEXEC_MULTIKERNEL | KEXEC_ARCH_MASK)) {
		pr_info("kexec_load: flags %#lx cannot be combined with KEXEC_MULTIKERNEL\n",
			flags);
		return -EINVAL;
	}
	if (!nr_segments) {
		pr_info("kexec_load: unload instances with 'unload ID' on /sys/kernel/multikernel/control\n");
		return -EINVAL;
	}
	mutex_lock(&mk_lock);
	inst = mk_find_by_addr(ks[0].mem);
	if (!inst) {
		pr_info("kexec_load: segment 0 at %#lx is in no instance\n",
			ks[0].mem);
		ret = -EADDRNOTAVAIL;
		goto out;
	}
	ret = mk_can_load(inst);
	if (ret)
		goto out;
	ret = mk_check_segments(inst, ks, nr_segments);
	if (ret)
		goto out;
	if (entry < inst->ram_base || entry >= inst->ram_base + inst->ram_size) {
		pr_info("instance %d: entry %#lx is outside the instance's RAM\n",
			inst->id, entry);
		ret = -EADDRNOTAVAIL;
		goto out;
	}

	mk_free_image(inst);
	inst->state = MK_EMPTY;
	for (i = 0; i < nr_segments; i++) {
		struct mk_segment *s = &inst->segment[i];

		s->buf = kvmalloc(max_t(size_t, ks[i].bufsz, 1), GFP_KERNEL);
		if (!s->buf) {
			ret = -ENOMEM;
			goto out_free;
		}
		inst->nr_segments = i + 1;
		if (copy_from_user(s->buf, ks[i].buf, ks[i].bufsz)) {
			ret = -EFAULT;
			goto out_free;
		}
		s->bufsz = ks[i].bufsz;
		s->mem = ks[i].mem;
		s->memsz = ks[i].memsz;
	}
	inst->entry = entry;
	ret = arch_multikernel_check_image(inst);
	if (ret)
		goto out_free;
	mk_loaded(inst, false);
	goto out;

out_free:
	mk_free_image(inst);
out:
	mutex_unlock(&mk_lock);
	return ret;
}

/**
 * multikernel_kexec_file_load - kexec_file_load() with KEXEC_FILE_MULTIKERNEL
 * @kernel_fd:	kernel image file
 * @initrd_fd:	initramfs file, ignored with KEXEC_FILE_NO_INITRAMFS
 * @cmdline_len: command line length including the NUL
 * @cmdline_ptr: command line
 * @flags:	KEXEC_FILE_MULTIKERNEL, the instance id in
 *		KEXEC_FILE_MK_ID_MASK, optionally KEXEC_FILE_UNLOAD or
 *		KEXEC_FILE_NO_INITRAMFS
 *
 * Called after the permission check of kexec_file_load().  The kernel is
 * read through the kexec integrity hooks and its signature is checked as
 * for a plain kexec_file_load().
 *
 * Return: 0 or a negative errno.
 */
long multikernel_kexec_file_load(int kernel_fd, int initrd_fd,
				 unsigned long cmdline_len,
				 const char __user *cmdline_ptr,
				 unsigned long flags)
{
	const unsigned long ok = KEXEC_FILE_MULTIKERNEL | KEXEC_FILE_UNLOAD |
		KEXEC_FILE_NO_INITRAMFS | KEXEC_FILE_DEBUG |
		KEXEC_FILE_MK_ID_MASK;
	int id = (flags & KEXEC_FILE_MK_ID_MASK) >> KEXEC_FILE_MK_ID_SHIFT;
	void *kernel = NULL, *initrd = NULL;
	ssize_t klen = 0, ilen = 0;
	struct mk_instance *inst;
	char *cmdline = NULL;
	long ret;

	if (flags & ~ok) {
		pr_info("kexec_file_load: flags %#lx cannot be combined with KEXEC_FILE_MULTIKERNEL\n",
			flags);
		return -EINVAL;
	}

	mutex_lock(&mk_lock);
	inst = mk_find(id);
	if (!inst) {
		pr_info("kexec_file_load: no instance %d\n", id);
		ret = -ENOENT;
		goto out;
	}
	ret = mk_can_load(inst);
	if (ret)
		goto out;
	if (flags & KEXEC_FILE_UNLOAD) {
		ret = mk_unload(inst);
		goto out;
	}

	if (cmdline_len) {
		if (cmdline_len > COMMAND_LINE_SIZE) {
			ret = -EINVAL;
			goto out;
		}
		cmdline = memdup_user(cmdline_ptr, cmdline_len);
		if (IS_ERR(cmdline)) {
			ret = PTR_ERR(cmdline);
			cmdline = NULL;
			goto out;
		}
		if (cmdline[cmdline_len - 1] != '\0') {
			pr_info("kexec_file_load: command line not NUL-terminated\n");
			ret = -EINVAL;
			goto out;
		}
	}

	klen = kernel_read_file_from_fd(kernel_fd, 0, &kernel, MK_FILE_SIZE_MAX,
					NULL, READING_KEXEC_IMAGE);
	if (klen < 0) {
		ret = klen;
		kernel = NULL;
		goto out;
	}
#ifdef CONFIG_KEXEC_SIG
	ret = kexec_kernel_verify_pe_sig(kernel, klen);
	if (ret) {
		if (IS_ENABLED(CONFIG_KEXEC_SIG_FORCE)) {
			pr_notice("kexec_file_load: kernel signature verification failed (%ld)\n",
				  ret);
			goto out;
		}
		if (security_locked_down(LOCKDOWN_KEXEC)) {
			ret = -EPERM;
			goto out;
		}
		pr_debug("kernel signature verification failed (%ld), continuing\n",
			 ret);
	}
#endif
	if (!(flags & KEXEC_FILE_NO_INITRAMFS)) {
		ilen = kernel_read_file_from_fd(initrd_fd, 0, &initrd,
						MK_FILE_SIZE_MAX, NULL,
						READING_KEXEC_INITRAMFS);
		if (ilen < 0) {
			ret = ilen;
			initrd = NULL;
			goto out;
		}
	}

	mk_free_image(inst);
	inst->state = MK_EMPTY;
	ret = arch_multikernel_load_file(inst, kernel, klen, initrd, ilen,
					 cmdline ? cmdline : "",
					 cmdline ? cmdline_len : 1);
	if (ret) {
		mk_free_image(inst);
		goto out;
	}
	mk_loaded(inst, true);
out:
	mutex_unlock(&mk_lock);
	vfree(kernel);
	vfree(initrd);
	kfree(cmdline);
	return ret;
}

static int __init multikernel_init(void)
{
	struct kobject *kobj;
	int ret;

	proc_create_single("multikernel", 0444, NULL, mk_proc_show);

	mk_have_pool = !arch_multikernel_pool(&mk_pool);
	if (!mk_have_pool)
		return 0;

	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN,
					"multikernel:prepare", mk_cpu_prepare,
					NULL);
	if (ret < 0)
		goto err;
	kobj = kobject_create_and_add("multikernel", kernel_kobj);
	if (!kobj) {
		ret = -ENOMEM;
		goto err;
	}
	ret = sysfs_create_group(kobj, &mk_attr_group);
	if (ret)
		goto err;
	mk_kobj = kobj;
	mk_chan_register_handler(MK_MSG_LIFECYCLE, mk_host_lifecycle);
	mk_chan_register_handler(MK_MSG_PANIC, mk_host_panic);
	mk_chan_register_handler(MK_MSG_ECHO, mk_chan_echo);
	mk_chan_register_handler(MK_MSG_SINK, mk_host_sink);
	ret = mk_cdev_init();
	if (ret)
		goto err;
	schedule_delayed_work(&mk_health_work,
			      msecs_to_jiffies(MK_HEALTH_PERIOD_MS));
	pr_info("pool %pa-%pa ready\n", &mk_pool.start, &mk_pool.end);
	return 0;
err:
	mk_have_pool = false;
	pr_err("initialisation failed: %d\n", ret);
	return ret;
}
late_initcall(multikernel_init);

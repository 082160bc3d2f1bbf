// SPDX-License-Identifier: GPL-2.0
/*
 * Multikernel user interface: instances as configfs objects under
 * /sys/kernel/config/multikernel/.
 *
 * mkdir creates an instance, rmdir destroys it; each attribute holds one
 * value and a failed write returns its own errno, with the reason in the
 * log (rate-limited).  Status attributes are read-only, physical addresses
 * are readable by root only (mode 0400).  This file only translates: the
 * rules live in instance.c.  Documented in
 * Documentation/ABI/testing/configfs-multikernel.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/capability.h>
#include <linux/configfs.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "internal.h"

static struct mk_instance *to_inst(struct config_item *item)
{
	return container_of(to_config_group(item), struct mk_instance, group);
}

/*
 * Every store: CAP_SYS_BOOT (a root process without it may own the file),
 * and the value without its trailing newline in a NUL-terminated copy.
 */
static char *mk_store_arg(const char *page, size_t count)
{
	char *arg;

	if (!capable(CAP_SYS_BOOT))
		return ERR_PTR(-EPERM);
	arg = kstrndup(page, count, GFP_KERNEL);
	if (!arg)
		return ERR_PTR(-ENOMEM);
	arg[strcspn(arg, "\n")] = '\0';
	return arg;
}

#define MK_STORE(_name, _fn)						\
static ssize_t mk_##_name##_store(struct config_item *item,		\
				  const char *page, size_t count)	\
{									\
	char *arg = mk_store_arg(page, count);				\
	int ret;							\
									\
	if (IS_ERR(arg))						\
		return PTR_ERR(arg);					\
	ret = _fn(to_inst(item), arg);					\
	kfree(arg);							\
	return ret ?: count;						\
}

/* ---- configuration ---- */

static ssize_t mk_id_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", to_inst(item)->id);
}

static ssize_t mk_cpus_show(struct config_item *item, char *page)
{
	struct mk_instance *inst = to_inst(item);
	ssize_t n;

	mutex_lock(&inst->lock);
	n = sysfs_emit(page, "%*pbl\n", cpumask_pr_args(inst->cpus));
	mutex_unlock(&inst->lock);
	return n;
}

MK_STORE(cpus, mk_instance_set_cpus)

static ssize_t mk_memory_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%zu\n", READ_ONCE(to_inst(item)->size));
}

MK_STORE(memory, mk_instance_set_memory)

static ssize_t mk_uart_show(struct config_item *item, char *page)
{
	u16 port = READ_ONCE(to_inst(item)->uart);

	return port ? sysfs_emit(page, "%#x\n", port) : sysfs_emit(page, "\n");
}

MK_STORE(uart, mk_instance_set_uart)

static ssize_t mk_doorbell_cpu_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(to_inst(item)->doorbell_cpu));
}

MK_STORE(doorbell_cpu, mk_instance_set_doorbell_cpu)

static ssize_t mk_stop_timeout_ms_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(to_inst(item)->stop_timeout_ms));
}

static int mk_set_stop_timeout(struct mk_instance *inst, const char *arg)
{
	unsigned int ms;

	if (kstrtouint(arg, 0, &ms) || ms > MK_STOP_TIMEOUT_MAX_MS) {
		mk_inst_info(inst, "stop_timeout_ms must be 0..%u\n",
			     MK_STOP_TIMEOUT_MAX_MS);
		return -EINVAL;
	}
	WRITE_ONCE(inst->stop_timeout_ms, ms);
	return 0;
}

MK_STORE(stop_timeout_ms, mk_set_stop_timeout)

static ssize_t mk_restart_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%s\n",
			  mk_restart_policy_name(READ_ONCE(to_inst(item)->restart)));
}

MK_STORE(restart, mk_restart_set_policy)

static ssize_t mk_restart_limit_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(to_inst(item)->restart_limit));
}

MK_STORE(restart_limit, mk_restart_set_limit)

static ssize_t mk_restart_delay_ms_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n",
			  READ_ONCE(to_inst(item)->restart_delay_ms));
}

MK_STORE(restart_delay_ms, mk_restart_set_delay)

static ssize_t mk_state_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%s\n",
			  mk_state_name(READ_ONCE(to_inst(item)->state)));
}

static int mk_set_state_word(struct mk_instance *inst, const char *arg)
{
	if (!strcmp(arg, "start")) {
		int ret = mk_instance_start(inst);

		/* the operator's start: automatic restarts count from zero */
		if (!ret)
			mk_restart_reset(inst);
		return ret;
	}
	if (!strcmp(arg, "stop"))
		return mk_instance_stop(inst, READ_ONCE(inst->stop_timeout_ms));
	if (!strcmp(arg, "kill"))
		return mk_instance_stop(inst, 0);
	mk_inst_info(inst, "state takes start, stop or kill, not '%s'\n", arg);
	return -EINVAL;
}

MK_STORE(state, mk_set_state_word)

/* ---- physical placement, root only ---- */

static ssize_t mk_range_show(char *page, phys_addr_t base, size_t size)
{
	u64 end = (u64)base + size - 1;

	if (!size)
		return sysfs_emit(page, "\n");
	return sysfs_emit(page, "%#llx-%#llx\n", (u64)base, end);
}

static ssize_t mk_ram_range_show(struct config_item *item, char *page)
{
	struct mk_instance *inst = to_inst(item);
	ssize_t n;

	mutex_lock(&inst->lock);
	n = mk_range_show(page, inst->ram_base, inst->ram_size);
	mutex_unlock(&inst->lock);
	return n;
}

static ssize_t mk_low_range_show(struct config_item *item, char *page)
{
	struct mk_instance *inst = to_inst(item);

	return mk_range_show(page, inst->low_base, inst->low_size);
}

static ssize_t mk_shared_range_show(struct config_item *item, char *page)
{
	struct mk_instance *inst = to_inst(item);
	ssize_t n;

	mutex_lock(&inst->lock);
	n = mk_range_show(page, inst->base,
			  inst->size ? MULTIKERNEL_SHARED_SIZE : 0);
	mutex_unlock(&inst->lock);
	return n;
}

static ssize_t mk_entry_show(struct config_item *item, char *page)
{
	struct mk_instance *inst = to_inst(item);
	ssize_t n;

	mutex_lock(&inst->lock);
	n = inst->image ? sysfs_emit(page, "%pa\n", &inst->entry) :
			  sysfs_emit(page, "\n");
	mutex_unlock(&inst->lock);
	return n;
}

/* ---- status ---- */

static ssize_t mk_segments_show(struct config_item *item, char *page)
{
	struct mk_instance *inst = to_inst(item);
	ssize_t n;

	mutex_lock(&inst->lock);
	n = sysfs_emit(page, "%lu\n", inst->image ? inst->image->nr_segments : 0);
	mutex_unlock(&inst->lock);
	return n;
}

static ssize_t mk_loads_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(to_inst(item)->loads));
}

static ssize_t mk_starts_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(to_inst(item)->starts));
}

static ssize_t mk_heartbeats_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%lld\n",
			  atomic64_read(&to_inst(item)->heartbeats));
}

static ssize_t mk_heartbeat_age_ms_show(struct config_item *item, char *page)
{
	long age = mk_heartbeat_age_ms(to_inst(item));

	return age < 0 ? sysfs_emit(page, "\n") : sysfs_emit(page, "%ld\n", age);
}

static ssize_t mk_tx_msgs_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%lld\n",
			  atomic64_read(&to_inst(item)->chan.tx_msgs));
}

static ssize_t mk_rx_msgs_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%lld\n",
			  atomic64_read(&to_inst(item)->chan.rx_msgs));
}

static ssize_t mk_chan_errors_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%lld\n",
			  atomic64_read(&to_inst(item)->chan.errors));
}

static ssize_t mk_channel_error_show(struct config_item *item, char *page)
{
	struct mk_chan *ch = &to_inst(item)->chan;

	if (!READ_ONCE(ch->broken))
		return sysfs_emit(page, "\n");
	return sysfs_emit(page, "%.*s\n", (int)sizeof(ch->broken_reason),
			  ch->broken_reason);
}

static ssize_t mk_crash_reason_show(struct config_item *item, char *page)
{
	struct mk_instance *inst = to_inst(item);
	char reason[sizeof(inst->panic_reason)];

	if (READ_ONCE(inst->state) != MK_ST_CRASHED)
		return sysfs_emit(page, "\n");
	strscpy(reason, inst->panic_reason, sizeof(reason));
	return sysfs_emit(page, "%*pE\n", (int)strlen(reason), reason);
}

static ssize_t mk_restarts_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(to_inst(item)->restarts));
}

static ssize_t mk_restart_reason_show(struct config_item *item, char *page)
{
	struct mk_instance *inst = to_inst(item);
	ssize_t n;

	mutex_lock(&inst->lock);
	n = sysfs_emit(page, "%s\n", inst->restart_reason);
	mutex_unlock(&inst->lock);
	return n;
}

CONFIGFS_ATTR_RO(mk_, id);
CONFIGFS_ATTR(mk_, cpus);
CONFIGFS_ATTR(mk_, memory);
CONFIGFS_ATTR(mk_, uart);
CONFIGFS_ATTR(mk_, doorbell_cpu);
CONFIGFS_ATTR(mk_, stop_timeout_ms);
CONFIGFS_ATTR(mk_, state);
CONFIGFS_ATTR(mk_, restart);
CONFIGFS_ATTR(mk_, restart_limit);
CONFIGFS_ATTR(mk_, restart_delay_ms);
CONFIGFS_ATTR_RO(mk_, restarts);
CONFIGFS_ATTR_RO(mk_, restart_reason);
CONFIGFS_ATTR_RO(mk_, segments);
CONFIGFS_ATTR_RO(mk_, loads);
CONFIGFS_ATTR_RO(mk_, starts);
CONFIGFS_ATTR_RO(mk_, heartbeats);
CONFIGFS_ATTR_RO(mk_, heartbeat_age_ms);
CONFIGFS_ATTR_RO(mk_, tx_msgs);
CONFIGFS_ATTR_RO(mk_, rx_msgs);
CONFIGFS_ATTR_RO(mk_, chan_errors);
CONFIGFS_ATTR_RO(mk_, channel_error);
CONFIGFS_ATTR_RO(mk_, crash_reason);

#define MK_ROOT_ATTR(_name)					\
static struct configfs_attribute mk_attr_##_name = {		\
	.ca_name	= __stringify(_name),			\
	.ca_mode	= 0400,					\
	.ca_owner	= THIS_MODULE,				\
	.show		= mk_##_name##_show,			\
}

MK_ROOT_ATTR(ram_range);
MK_ROOT_ATTR(low_range);
MK_ROOT_ATTR(shared_range);
MK_ROOT_ATTR(entry);

static struct configfs_attribute *mk_instance_attrs[] = {
	&mk_attr_id,
	&mk_attr_cpus,
	&mk_attr_memory,
	&mk_attr_uart,
	&mk_attr_doorbell_cpu,
	&mk_attr_stop_timeout_ms,
	&mk_attr_state,
	&mk_attr_ram_range,
	&mk_attr_low_range,
	&mk_attr_shared_range,
	&mk_attr_entry,
	&mk_attr_segments,
	&mk_attr_loads,
	&mk_attr_starts,
	&mk_attr_heartbeats,
	&mk_attr_heartbeat_age_ms,
	&mk_attr_tx_msgs,
	&mk_attr_rx_msgs,
	&mk_attr_chan_errors,
	&mk_attr_channel_error,
	&mk_attr_crash_reason,
	&mk_attr_restart,
	&mk_attr_restart_limit,
	&mk_attr_restart_delay_ms,
	&mk_attr_restarts,
	&mk_attr_restart_reason,
	NULL,
};

/* console: the spawned kernel's log ring in the shared area, oldest first */
static ssize_t mk_console_read(struct config_item *item, void *buf,
			       size_t max)
{
	struct mk_instance *inst = to_inst(item);
	const struct mk_console_shared *con;
	const u8 *data;
	u64 head, start, len, done = 0;

	mutex_lock(&inst->lock);
	if (!inst->base) {
		mutex_unlock(&inst->lock);
		return 0;
	}
	con = phys_to_virt(inst->base) + MK_CONSOLE_OFFSET;
	data = (const u8 *)con + MK_CONSOLE_HDR_SIZE;
	/* the guest writes the head: use it only modulo the buffer size */
	head = READ_ONCE(con->head);
	start = head > MK_CONSOLE_SIZE ? head - MK_CONSOLE_SIZE : 0;
	len = head - start;
	if (buf) {
		len = min_t(u64, len, max);
		while (done < len) {
			u64 off = (start + done) & (MK_CONSOLE_SIZE - 1);
			u64 n = min_t(u64, len - done, MK_CONSOLE_SIZE - off);

			memcpy(buf + done, data + off, n);
			done += n;
		}
	}
	mutex_unlock(&inst->lock);
	return len;
}

static struct configfs_bin_attribute mk_attr_console = {
	.cb_attr = {
		.ca_name	= "console",
		.ca_mode	= 0400,
		.ca_owner	= THIS_MODULE,
	},
	.cb_max_size	= MK_CONSOLE_SIZE,
	.read		= mk_console_read,
};

static struct configfs_bin_attribute *mk_instance_bin_attrs[] = {
	&mk_attr_console,
	NULL,
};

static void mk_instance_item_release(struct config_item *item)
{
	mk_instance_free(to_inst(item));
}

static struct configfs_item_operations mk_instance_item_ops = {
	.release	= mk_instance_item_release,
};

static const struct config_item_type mk_instance_type = {
	.ct_item_ops	= &mk_instance_item_ops,
	.ct_attrs	= mk_instance_attrs,
	.ct_bin_attrs	= mk_instance_bin_attrs,
	.ct_owner	= THIS_MODULE,
};

static struct config_group *mk_make_group(struct config_group *group,
					  const char *name)
{
	struct mk_instance *inst;

	if (!capable(CAP_SYS_BOOT))
		return ERR_PTR(-EPERM);
	inst = mk_instance_create(name, &mk_instance_type);
	if (IS_ERR(inst))
		return ERR_CAST(inst);
	return &inst->group;
}

static void mk_drop_item(struct config_group *group, struct config_item *item)
{
	mk_instance_destroy(to_inst(item));
	config_item_put(item);
}

static struct configfs_group_operations mk_root_group_ops = {
	.make_group	= mk_make_group,
	.drop_item	= mk_drop_item,
};

static const struct config_item_type mk_root_type = {
	.ct_group_ops	= &mk_root_group_ops,
	.ct_owner	= THIS_MODULE,
};

static struct configfs_subsystem mk_subsys = {
	.su_group = {
		.cg_item = {
			.ci_namebuf	= "multikernel",
			.ci_type	= &mk_root_type,
		},
	},
};

/**
 * mk_configfs_init - register /sys/kernel/config/multikernel
 *
 * Return: 0 or a negative errno.
 */
int __init mk_configfs_init(void)
{
	config_group_init(&mk_subsys.su_group);
	mutex_init(&mk_subsys.su_mutex);
	return configfs_register_subsystem(&mk_subsys);
}

#if IS_ENABLED(CONFIG_MULTIKERNEL_KUNIT_TEST)
#include "configfs_kunit.c"
#endif /* CONFIG_MULTIKERNEL_KUNIT_TEST */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multikernel host internals shared by the files of kernel/multikernel/:
 * the pool (pool.c), instance lifecycle (instance.c), host channel
 * services (host.c), the user interfaces (configfs.c, proc.c) and the
 * benchmark (bench.c).
 */
#ifndef _KERNEL_MULTIKERNEL_INTERNAL_H
#define _KERNEL_MULTIKERNEL_INTERNAL_H

#include <linux/multikernel.h>
#include <linux/ratelimit.h>

struct seq_file;

/* Default time a graceful stop waits for the spawned kernel to halt. */
#define MK_STOP_TIMEOUT_MS	5000
#define MK_STOP_TIMEOUT_MAX_MS	600000

/* A running instance whose last heartbeat is older than this is unresponsive. */
#define MK_HEARTBEAT_LATE_MS	3000

/* Smallest instance: the shared area plus RAM a kernel can boot in. */
#define MK_MEM_MIN		(MULTIKERNEL_SHARED_SIZE + SZ_32M)

/* Log the reason of a refused request, rate-limited, naming the instance. */
#define mk_inst_info(inst, fmt, ...)					\
do {									\
	struct mk_instance *__mi = (inst);				\
									\
	pr_info_ratelimited("instance %u (%s): " fmt, __mi->id,		\
			    config_item_name(&__mi->group.cg_item),	\
			    ##__VA_ARGS__);				\
} while (0)

/* pool.c */
int mk_pool_init(void);
int mk_pool_realloc(int slot, size_t size, phys_addr_t want,
		    phys_addr_t *base);
size_t mk_pool_size(void);
bool mk_pool_runtime(void);
bool mk_pool_range(struct resource *res);
void mk_zero(void *dst, size_t len);

/* instance.c */
extern struct mutex mk_list_lock;
extern struct mk_instance *mk_slots[MULTIKERNEL_MAX_INSTANCES];

struct mk_instance *mk_instance_create(const char *name,
				       const struct config_item_type *type);
void mk_instance_destroy(struct mk_instance *inst);
void mk_instance_free(struct mk_instance *inst);
const char *mk_state_name(enum mk_state state);
bool mk_set_state(struct mk_instance *inst, enum mk_state to);
bool mk_started(enum mk_state state);
int mk_instance_start(struct mk_instance *inst);
int mk_instance_stop(struct mk_instance *inst, unsigned int timeout_ms);
int mk_instance_restart(struct mk_instance *inst, unsigned int epoch);
int mk_instance_set_cpus(struct mk_instance *inst, const char *list);
int mk_instance_set_memory(struct mk_instance *inst, const char *spec);
int mk_instance_set_uart(struct mk_instance *inst, const char *spec);
int mk_instance_set_doorbell_cpu(struct mk_instance *inst, const char *spec);
int mk_hotplug_init(void);
void mk_quarantine_show(struct seq_file *m, bool priv);

/* host.c */
void mk_host_note_heartbeat(struct mk_instance *inst);
void mk_host_health_check(struct mk_instance *inst);
int mk_host_services_init(void);

/* restart.c */
#define MK_RESTART_LIMIT	3
#define MK_RESTART_LIMIT_MAX	1000
#define MK_RESTART_DELAY_MS	1000
#define MK_RESTART_DELAY_MAX_MS	60000
/* how soon a restart looks again while a CPU change of the run ends */
#define MK_RESTART_RETRY_MS	50
void mk_restart_init(struct mk_instance *inst);
void mk_restart_event(struct mk_instance *inst, enum mk_state to,
		      unsigned int epoch);
void mk_restart_cancel(struct mk_instance *inst);
void mk_restart_reset(struct mk_instance *inst);
int mk_restart_set_policy(struct mk_instance *inst, const char *arg);
const char *mk_restart_policy_name(enum mk_restart_policy policy);
int mk_restart_set_limit(struct mk_instance *inst, const char *arg);
int mk_restart_set_delay(struct mk_instance *inst, const char *arg);

/* lifecycle.c */
bool mk_host_going_down(void);
int mk_lifecycle_init(void);

/* configfs.c */
int mk_configfs_init(void);

/* proc.c */
int mk_proc_init(void);
long mk_heartbeat_age_ms(struct mk_instance *inst);

#endif /* _KERNEL_MULTIKERNEL_INTERNAL_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mkchanN: user-space datagrams over a multikernel channel.
 *
 * On the host, /dev/mkchan<id> talks to instance <id>; in a spawned kernel,
 * /dev/mkchan0 talks to the host.  write() sends one message of at most
 * MK_MSG_MAX bytes; read() returns one message.  Flow control is end to
 * end: at most MK_CDEV_QUEUE messages wait to be read, beyond that the
 * receiving kernel leaves them in the ring, the ring fills, and the
 * sender's write() blocks (or fails with EAGAIN with O_NONBLOCK).  Nothing
 * is dropped; a failed allocation is retried after MK_CDEV_RETRY_MS.  The
 * queue belongs to one run of the peer: it is emptied when the channel is
 * activated and deactivated.  One process at a time may have the device
 * open.
 *
 * poll(): EPOLLIN while a message is queued, EPOLLOUT while the ring has
 * room for a message of the largest size, EPOLLHUP while the peer is not
 * started, EPOLLERR once the channel is broken, both once the device is
 * destroyed.
 *
 * Lifetime: the device is reference counted (the owner's and one per open
 * file).  mk_cdev_destroy() may run while a file is open: blocked calls
 * return, every later call fails with ENODEV, and the memory goes with the
 * last close.  Every file operation holds @sem for reading while it uses
 * the channel; destroy takes it for writing to wait them out.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/fault-inject.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/multikernel_chan.h>
#include <linux/poll.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#define MK_CDEV_QUEUE		64
#define MK_CDEV_RETRY_MS	10	/* after a failed allocation */

/*
 * Fault injection (Documentation/fault-injection/fault-injection.rst):
 * fail_mkchan_deliver fails the allocation of a received message's queue
 * entry; its attributes are in debugfs.
 */
static DECLARE_FAULT_ATTR(mk_fail_deliver);

struct mk_cdev_msg {
	struct list_head	node;
	u32			len;
	u8			data[];
};

struct mk_cdev {
	struct miscdevice	misc;
	char			name[16];
	struct kref		ref;
	struct rw_semaphore	sem;		/* read: an op uses @ch */
	struct mk_chan		*ch;		/* NULL once destroyed */
	spinlock_t		lock;		/* protects the fields below */
	struct list_head	queue;
	unsigned int		queued;
	bool			opened;
	bool			dead;		/* being destroyed */
	wait_queue_head_t	readq;
	wait_queue_head_t	writeq;		/* poll(): the state changed */
	struct wait_queue_entry	tx_waiter;	/* on @ch->tx_wait: wakes @writeq */
	struct delayed_work	retry;		/* kicks after a failed allocation */
};

static void mk_cdev_free(struct kref *ref)
{
	struct mk_cdev *cd = container_of(ref, struct mk_cdev, ref);
	struct mk_cdev_msg *m, *tmp;

	list_for_each_entry_safe(m, tmp, &cd->queue, node)
		kfree(m);
	kfree(cd);
}

static int mk_cdev_open(struct inode *inode, struct file *file)
{
	struct mk_cdev *cd = container_of(file->private_data, struct mk_cdev,
					  misc);
	int ret = 0;

	spin_lock(&cd->lock);
	if (cd->dead)
		ret = -ENODEV;
	else if (cd->opened)
		ret = -EBUSY;
	else
		cd->opened = true;
	spin_unlock(&cd->lock);
	if (ret)
		return ret;
	kref_get(&cd->ref);
	file->private_data = cd;
	return 0;
}

static int mk_cdev_release(struct inode *inode, struct file *file)
{
	struct mk_cdev *cd = file->private_data;

	spin_lock(&cd->lock);
	cd->opened = false;
	spin_unlock(&cd->lock);
	kref_put(&cd->ref, mk_cdev_free);
	return 0;
}

static ssize_t mk_cdev_write(struct file *file, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	struct mk_cdev *cd = file->private_data;
	void *buf;
	int ret;

	if (len > MK_MSG_MAX)
		return -EMSGSIZE;
	buf = memdup_user(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	down_read(&cd->sem);
	if (!cd->ch || READ_ONCE(cd->dead))
		ret = -ENODEV;
	else
		ret = mk_chan_send(cd->ch, MK_MSG_USER, buf, len,
				   (file->f_flags & O_NONBLOCK) ? 0 :
				   MAX_SCHEDULE_TIMEOUT);
	if (ret && READ_ONCE(cd->dead))
		ret = -ENODEV;
	up_read(&cd->sem);
	kfree(buf);
	return ret ? ret : len;
}

/* Take the first queued message if it fits in @len; @need gets its length. */
static struct mk_cdev_msg *mk_cdev_take(struct mk_cdev *cd, size_t len,
					u32 *need)
{
	struct mk_cdev_msg *m;

	spin_lock(&cd->lock);
	m = list_first_entry_or_null(&cd->queue, struct mk_cdev_msg, node);
	*need = m ? m->len : 0;
	if (m && m->len <= len) {
		list_del(&m->node);
		cd->queued--;
	} else {
		m = NULL;
	}
	spin_unlock(&cd->lock);
	return m;
}

static ssize_t mk_cdev_read(struct file *file, char __user *ubuf, size_t len,
			    loff_t *ppos)
{
	struct mk_cdev *cd = file->private_data;
	struct mk_cdev_msg *m;
	ssize_t ret;
	u32 need;

	down_read(&cd->sem);
	for (;;) {
		ret = -ENODEV;
		if (!cd->ch || READ_ONCE(cd->dead))
			goto out;
		m = mk_cdev_take(cd, len, &need);
		if (m)
			break;
		/* left queued: retry with a larger buffer */
		ret = -EMSGSIZE;
		if (need)
			goto out;
		ret = -EAGAIN;
		if (file->f_flags & O_NONBLOCK)
			goto out;
		ret = wait_event_interruptible(cd->readq,
					       !list_empty(&cd->queue) ||
					       READ_ONCE(cd->dead));
		if (ret)
			goto out;
	}
	/* room again: let the channel deliver what it held back */
	mk_chan_kick(cd->ch);
	ret = copy_to_user(ubuf, m->data, m->len) ? -EFAULT : m->len;
	kfree(m);
out:
	up_read(&cd->sem);
	return ret;
}

static __poll_t mk_cdev_poll(struct file *file, poll_table *wait)
{
	struct mk_cdev *cd = file->private_data;
	__poll_t mask = 0;
	struct mk_chan *ch;

	/* both queues live as long as the file: @ch may go before it */
	poll_wait(file, &cd->readq, wait);
	poll_wait(file, &cd->writeq, wait);
	if (!list_empty(&cd->queue))
		mask |= EPOLLIN | EPOLLRDNORM;
	down_read(&cd->sem);
	ch = cd->ch;
	if (!ch || READ_ONCE(cd->dead)) {
		mask |= EPOLLHUP | EPOLLERR;
	} else {
		if (READ_ONCE(ch->broken))
			mask |= EPOLLERR;
		if (!READ_ONCE(ch->active))
			mask |= EPOLLHUP;
		if (!(mask & (EPOLLHUP | EPOLLERR)) &&
		    mk_chan_writable(ch, MK_MSG_USER))
			mask |= EPOLLOUT | EPOLLWRNORM;
	}
	up_read(&cd->sem);
	return mask;
}

static const struct file_operations mk_cdev_fops = {
	.owner		= THIS_MODULE,
	.open		= mk_cdev_open,
	.release	= mk_cdev_release,
	.read		= mk_cdev_read,
	.write		= mk_cdev_write,
	.poll		= mk_cdev_poll,
	.llseek		= noop_llseek,
};

/* MK_MSG_USER handler: queue for the reader, or hold the ring. */
static int mk_cdev_deliver(struct mk_chan *ch, const struct mk_msg *msg)
{
	struct mk_cdev *cd = READ_ONCE(ch->cdev);
	struct mk_cdev_msg *m;

	if (!cd) {
		atomic64_inc(&ch->errors);
		return 0;
	}
	/* full: the next read() kicks the channel */
	if (READ_ONCE(cd->queued) >= MK_CDEV_QUEUE)
		return -EAGAIN;
	m = NULL;
	if (!should_fail(&mk_fail_deliver, msg->len))
		m = kmalloc(struct_size(m, data, msg->len),
			    GFP_KERNEL | __GFP_NOWARN);
	if (!m) {
		/* no reader may come to kick: retry by ourselves */
		schedule_delayed_work(&cd->retry,
				      msecs_to_jiffies(MK_CDEV_RETRY_MS) ?: 1);
		return -EAGAIN;
	}
	m->len = msg->len;
	memcpy(m->data, msg->data, msg->len);
	spin_lock(&cd->lock);
	list_add_tail(&m->node, &cd->queue);
	cd->queued++;
	spin_unlock(&cd->lock);
	wake_up_interruptible(&cd->readq);
	return 0;
}

static void mk_cdev_retry(struct work_struct *work)
{
	struct mk_cdev *cd = container_of(to_delayed_work(work), struct mk_cdev,
					  retry);

	mk_chan_kick(cd->ch);
}

/* @ch->tx_wait was woken (space, stop, break): poll() looks again */
static int mk_cdev_tx_wake(struct wait_queue_entry *wq_entry,
			   unsigned int mode, int sync, void *key)
{
	struct mk_cdev *cd = container_of(wq_entry, struct mk_cdev, tx_waiter);

	wake_up_interruptible_all(&cd->writeq);
	return 0;
}

/**
 * mk_cdev_create - create /dev/mkchan<minor_id> for a channel
 * @ch:		channel, initialised with mk_chan_init()
 * @minor_id:	number in the device name
 *
 * Return: the device or an ERR_PTR().
 */
struct mk_cdev *mk_cdev_create(struct mk_chan *ch, int minor_id)
{
	struct mk_cdev *cd = kzalloc(sizeof(*cd), GFP_KERNEL);
	int ret;

	if (!cd)
		return ERR_PTR(-ENOMEM);
	snprintf(cd->name, sizeof(cd->name), "mkchan%d", minor_id);
	cd->misc.minor = MISC_DYNAMIC_MINOR;
	cd->misc.name = cd->name;
	cd->misc.fops = &mk_cdev_fops;
	cd->misc.mode = 0600;
	cd->ch = ch;
	kref_init(&cd->ref);
	init_rwsem(&cd->sem);
	spin_lock_init(&cd->lock);
	INIT_LIST_HEAD(&cd->queue);
	init_waitqueue_head(&cd->readq);
	init_waitqueue_head(&cd->writeq);
	init_waitqueue_func_entry(&cd->tx_waiter, mk_cdev_tx_wake);
	INIT_DELAYED_WORK(&cd->retry, mk_cdev_retry);
	ret = misc_register(&cd->misc);
	if (ret) {
		kfree(cd);
		return ERR_PTR(ret);
	}
	add_wait_queue(&ch->tx_wait, &cd->tx_waiter);
	WRITE_ONCE(ch->cdev, cd);
	return cd;
}

/**
 * mk_cdev_reset - empty the queue when the channel starts or stops a run
 * @cd: device from mk_cdev_create(), or NULL
 *
 * Called by mk_chan_activate() and mk_chan_deactivate() while no message
 * is being delivered, so that a reader never gets an earlier run's data.
 */
void mk_cdev_reset(struct mk_cdev *cd)
{
	struct mk_cdev_msg *m, *tmp;
	LIST_HEAD(old);

	if (!cd)
		return;
	cancel_delayed_work_sync(&cd->retry);
	spin_lock(&cd->lock);
	list_splice_init(&cd->queue, &old);
	cd->queued = 0;
	spin_unlock(&cd->lock);
	list_for_each_entry_safe(m, tmp, &old, node)
		kfree(m);
}

/**
 * mk_cdev_hangup - make every file operation on the device fail with -ENODEV
 * @cd: device from mk_cdev_create(), or NULL
 *
 * Blocked readers are woken at once; a blocked writer returns -ENODEV as
 * soon as the channel is deactivated.  The first step of mk_cdev_destroy(),
 * for owners that stop the channel before destroying the device.
 */
void mk_cdev_hangup(struct mk_cdev *cd)
{
	if (!cd)
		return;
	spin_lock(&cd->lock);
	cd->dead = true;
	spin_unlock(&cd->lock);
	wake_up_interruptible_all(&cd->readq);
	wake_up_interruptible_all(&cd->writeq);
}

/**
 * mk_cdev_destroy - remove a channel's device, even while it is open
 * @cd: device from mk_cdev_create(), or NULL
 *
 * Deactivates the channel so that blocked writers return, and wakes
 * blocked readers; both then fail with -ENODEV, as does every later file
 * operation.  Once this returns no file operation uses the channel.
 */
void mk_cdev_destroy(struct mk_cdev *cd)
{
	if (!cd)
		return;
	mk_cdev_hangup(cd);
	mk_chan_deactivate(cd->ch);
	/* the channel is inactive: nothing arms the retry again */
	cancel_delayed_work_sync(&cd->retry);
	remove_wait_queue(&cd->ch->tx_wait, &cd->tx_waiter);
	WRITE_ONCE(cd->ch->cdev, NULL);
	down_write(&cd->sem);
	cd->ch = NULL;
	up_write(&cd->sem);
	misc_deregister(&cd->misc);
	kref_put(&cd->ref, mk_cdev_free);
}

/**
 * mk_cdev_init - register the MK_MSG_USER handler
 *
 * Also creates the fail_mkchan_deliver fault injection attributes in
 * debugfs.
 *
 * Return: 0 or a negative errno.
 */
int mk_cdev_init(void)
{
	if (IS_ENABLED(CONFIG_FAULT_INJECTION_DEBUG_FS))
		fault_create_debugfs_attr("fail_mkchan_deliver", NULL,
					  &mk_fail_deliver);
	return mk_chan_register_handler(MK_MSG_USER, mk_cdev_deliver);
}

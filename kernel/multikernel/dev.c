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
 * is dropped.  One process at a time may have the device open.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/multikernel_chan.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#define MK_CDEV_QUEUE	64

struct mk_cdev_msg {
	struct list_head	node;
	u32			len;
	u8			data[];
};

struct mk_cdev {
	struct miscdevice	misc;
	char			name[16];
	struct mk_chan		*ch;
	spinlock_t		lock;		/* protects queue, queued */
	struct list_head	queue;
	unsigned int		queued;
	wait_queue_head_t	readq;
	bool			opened;		/* under lock */
	bool			dead;		/* under lock: being destroyed */
};

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
	file->private_data = cd;
	return ret;
}

static int mk_cdev_release(struct inode *inode, struct file *file)
{
	struct mk_cdev *cd = file->private_data;

	spin_lock(&cd->lock);
	cd->opened = false;
	spin_unlock(&cd->lock);
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
	ret = mk_chan_send(cd->ch, MK_MSG_USER, buf, len,
			   (file->f_flags & O_NONBLOCK) ? 0 : MAX_SCHEDULE_TIMEOUT);
	kfree(buf);
	return ret ? ret : len;
}

static ssize_t mk_cdev_read(struct file *file, char __user *ubuf, size_t len,
			    loff_t *ppos)
{
	struct mk_cdev *cd = file->private_data;
	struct mk_cdev_msg *m;
	ssize_t ret;

	for (;;) {
		spin_lock(&cd->lock);
		m = list_first_entry_or_null(&cd->queue, struct mk_cdev_msg,
					     node);
		if (m && m->len <= len) {
			list_del(&m->node);
			cd->queued--;
		}
		spin_unlock(&cd->lock);
		if (m)
			break;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(cd->readq,
					       !list_empty(&cd->queue));
		if (ret)
			return ret;
	}
	if (m->len > len)
		return -EMSGSIZE;	/* left queued: retry with a larger buffer */

	/* room again: let the channel deliver what it held back */
	mk_chan_kick(cd->ch);
	ret = copy_to_user(ubuf, m->data, m->len) ? -EFAULT : m->len;
	kfree(m);
	return ret;
}

static __poll_t mk_cdev_poll(struct file *file, poll_table *wait)
{
	struct mk_cdev *cd = file->private_data;
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	poll_wait(file, &cd->readq, wait);
	poll_wait(file, &cd->ch->tx_wait, wait);
	if (!list_empty(&cd->queue))
		mask |= EPOLLIN | EPOLLRDNORM;
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
	if (READ_ONCE(cd->queued) >= MK_CDEV_QUEUE)
		return -EAGAIN;
	m = kmalloc(struct_size(m, data, msg->len), GFP_KERNEL);
	if (!m)
		return -EAGAIN;
	m->len = msg->len;
	memcpy(m->data, msg->data, msg->len);
	spin_lock(&cd->lock);
	list_add_tail(&m->node, &cd->queue);
	cd->queued++;
	spin_unlock(&cd->lock);
	wake_up_interruptible(&cd->readq);
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
	spin_lock_init(&cd->lock);
	INIT_LIST_HEAD(&cd->queue);
	init_waitqueue_head(&cd->readq);
	ret = misc_register(&cd->misc);
	if (ret) {
		kfree(cd);
		return ERR_PTR(ret);
	}
	WRITE_ONCE(ch->cdev, cd);
	return cd;
}

/**
 * mk_cdev_retire - make a channel's device refuse new opens
 * @cd: device from mk_cdev_create(), or NULL
 *
 * Return: 0, or -EBUSY while a process has it open (nothing changed).
 */
int mk_cdev_retire(struct mk_cdev *cd)
{
	int ret = 0;

	if (!cd)
		return 0;
	spin_lock(&cd->lock);
	if (cd->opened)
		ret = -EBUSY;
	else
		cd->dead = true;
	spin_unlock(&cd->lock);
	return ret;
}

/**
 * mk_cdev_destroy - remove a channel's device and drop queued messages
 * @cd: device from mk_cdev_create() retired with mk_cdev_retire(), or NULL
 */
void mk_cdev_destroy(struct mk_cdev *cd)
{
	struct mk_cdev_msg *m, *tmp;

	if (!cd)
		return;
	WRITE_ONCE(cd->ch->cdev, NULL);
	misc_deregister(&cd->misc);
	list_for_each_entry_safe(m, tmp, &cd->queue, node)
		kfree(m);
	kfree(cd);
}

/**
 * mk_cdev_init - register the MK_MSG_USER handler
 *
 * Return: 0 or a negative errno.
 */
int mk_cdev_init(void)
{
	return mk_chan_register_handler(MK_MSG_USER, mk_cdev_deliver);
}

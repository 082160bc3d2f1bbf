// SPDX-License-Identifier: GPL-2.0
/*
 * Multikernel loads: kexec_load() with KEXEC_MULTIKERNEL and
 * kexec_file_load() with KEXEC_FILE_MULTIKERNEL.
 *
 * An image for an instance is a kexec image of type KEXEC_TYPE_MULTIKERNEL
 * and goes through kexec's own code: permission, LSM, lockdown and IMA
 * checks, signature verification, the bzImage64 loader and the purgatory
 * digests.  Like a crash kernel's segments into crashk_res, its segments
 * are confined to the instance's RAM and written straight there.  This
 * file provides kexec's hooks: it finds the instance named by the id in
 * the flags, checks boot parameters built by user space (kexec_load()),
 * and keeps a host copy of the segments, placed again before every start
 * so that each start boots the image as it was loaded.
 *
 * Locking: kexec's lock serialises loads.  inst->lock is only taken
 * briefly; while inst->loading is set the instance's memory and image
 * belong to the load.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/kexec.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/multikernel.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../kexec_internal.h"
#include "internal.h"

/* Segments are copied in chunks of this size, rescheduling in between. */
#define MK_COPY_CHUNK	SZ_1M

/**
 * struct mk_image_copy - host copy of a loaded image
 * @nr:		number of segments, as in the image
 * @seg:	the contents of each segment: @seg.len bytes at @seg.buf (NULL
 *		when 0), its bufsz as loaded unless the host unpacked the
 *		kernel into it; zero up to its memsz
 */
struct mk_image_copy {
	unsigned long	nr;
	struct {
		void	*buf;
		size_t	len;
	} seg[] __counted_by(nr);
};

/*
 * Write @len bytes at @src to @dst, or zeroes with @src NULL, page by page,
 * leaving alone the pages that already hold them: most of a kernel is as
 * it was loaded after a run, and not writing it spares the caches (and an
 * emulator the invalidation of code it translated from those pages).
 * Returns false, the rest not written, once *@abort is set.
 */
static bool mk_refresh(void *dst, const void *src, size_t len,
		       const bool *abort)
{
	size_t done = 0;

	while (done < len) {
		size_t n = min_t(size_t, len - done, PAGE_SIZE);

		if (src ? memcmp(dst + done, src + done, n) :
			  !!memchr_inv(dst + done, 0, n)) {
			if (src)
				memcpy(dst + done, src + done, n);
			else
				memset(dst + done, 0, n);
		}
		done += n;
		if (!(done % MK_COPY_CHUNK)) {
			cond_resched();
			if (abort && READ_ONCE(*abort))
				return false;
		}
	}
	return true;
}

static void mk_copy(void *dst, const void *src, size_t len)
{
	while (len) {
		size_t n = min_t(size_t, len, MK_COPY_CHUNK);

		memcpy(dst, src, n);
		dst += n;
		src += n;
		len -= n;
		cond_resched();
	}
}

static void mk_image_copy_free(struct mk_image_copy *copy)
{
	unsigned long i;

	if (!copy)
		return;
	for (i = 0; i < copy->nr; i++)
		kvfree(copy->seg[i].buf);
	kfree(copy);
}

/**
 * mk_image_save - keep a host copy of a freshly loaded image
 * @inst: instance whose @inst->image was just written into its RAM
 * @seg: index of a segment whose contents are now @len bytes, not its bufsz
 * @len: 0 when no segment changed
 *
 * Return: 0 or -ENOMEM.
 */
static int mk_image_save(struct mk_instance *inst, unsigned long seg,
			 size_t len)
{
	struct kimage *image = inst->image;
	struct mk_image_copy *copy;
	unsigned long i;

	copy = kzalloc(struct_size(copy, seg, image->nr_segments), GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	copy->nr = image->nr_segments;
	for (i = 0; i < copy->nr; i++) {
		const struct kexec_segment *s = &image->segment[i];
		size_t n = len && i == seg ? len : s->bufsz;

		if (!n)
			continue;
		copy->seg[i].buf = kvmalloc(n, GFP_KERNEL);
		if (!copy->seg[i].buf) {
			mk_image_copy_free(copy);
			return -ENOMEM;
		}
		copy->seg[i].len = n;
		mk_copy(copy->seg[i].buf, phys_to_virt(s->mem), n);
	}
	inst->image_copy = copy;
	return 0;
}

/**
 * mk_image_place - put the loaded image back into the instance's RAM
 * @inst:  instance, with an image saved by mk_image_save(), @inst->lock
 *	   held
 * @abort: if not NULL, stop early once it is set
 *
 * Writes every segment as it was loaded, zero-filled up to its memsz,
 * undoing whatever an earlier run of the instance changed; pages that hold
 * what they should are not written.
 *
 * Return: true when the whole image is in place.
 */
bool mk_image_place(struct mk_instance *inst, const bool *abort)
{
	const struct mk_image_copy *copy = inst->image_copy;
	unsigned long i;

	if (WARN_ON_ONCE(!inst->image || !copy))
		return false;
	for (i = 0; i < copy->nr; i++) {
		const struct kexec_segment *s = &inst->image->segment[i];
		size_t len = copy->seg[i].len;
		void *dst = phys_to_virt(s->mem);

		if (!mk_refresh(dst, copy->seg[i].buf, len, abort) ||
		    !mk_refresh(dst + len, NULL, s->memsz - len, abort))
			return false;
	}
	return true;
}

/**
 * mk_image_free - drop the instance's image and its host copy
 * @inst: instance, with @inst->lock held or a load in progress
 */
void mk_image_free(struct mk_instance *inst)
{
	mk_image_copy_free(inst->image_copy);
	inst->image_copy = NULL;
	kimage_free(inst->image);
	inst->image = NULL;
}

/**
 * multikernel_load_begin - start a load into the instance named in @flags
 * @flags:	load flags, the instance id in bits 32..63
 *		(KEXEC_MULTIKERNEL_ID())
 * @instp:	set to the instance, referenced until multikernel_load_end()
 *
 * Called with kexec's lock held.  Drops the instance's previous image, as
 * the new one is written over it, and clears the instance's RAM, so that
 * the new image finds nothing an earlier run left there (kexec then writes
 * only the segments).
 *
 * Return: the instance's image slot, or ERR_PTR(-EINVAL) for an id out of
 * range or an instance without memory, ERR_PTR(-ENOENT) if no instance
 * has the id, ERR_PTR(-EBUSY) while it is started or being loaded.
 */
struct kimage **multikernel_load_begin(unsigned long flags,
				       struct mk_instance **instp)
{
	unsigned long id = flags >> KEXEC_MULTIKERNEL_ID_SHIFT;
	struct mk_instance *inst;
	int ret;

	if (!id || id > MULTIKERNEL_MAX_ID) {
		pr_info_ratelimited("load: instance id %lu is not in 1..%u\n",
				    id, MULTIKERNEL_MAX_ID);
		return ERR_PTR(-EINVAL);
	}
	inst = mk_instance_get(id);
	if (!inst) {
		pr_info_ratelimited("load: no instance has id %lu\n", id);
		return ERR_PTR(-ENOENT);
	}
	ret = mk_instance_load_begin(inst);
	if (ret) {
		mk_instance_put(inst);
		/* removed since it was looked up */
		return ERR_PTR(ret == -ENODEV ? -ENOENT : ret);
	}
	/* the memory belongs to the load now (inst->loading) */
	mk_zero(phys_to_virt(inst->ram_base), inst->ram_size);
	*instp = inst;
	return &inst->image;
}

/**
 * multikernel_image_init - make a new kimage a multikernel image
 * @image:	image just allocated by kexec_load() or kexec_file_load()
 * @inst:	instance from multikernel_load_begin()
 *
 * Its segments may then only lie in the instance's RAM.
 */
void multikernel_image_init(struct kimage *image, struct mk_instance *inst)
{
	image->type = KEXEC_TYPE_MULTIKERNEL;
	image->mk_instance = inst;
	image->mk_ram = DEFINE_RES_MEM_NAMED(inst->ram_base, inst->ram_size,
					     "Multikernel instance RAM");
}

/**
 * multikernel_load_end - finish a load begun by multikernel_load_begin()
 * @inst:	instance
 * @ret:	result of kexec's part of the load
 *
 * Called with kexec's lock held, after kexec installed the image into the
 * instance's slot or failed.  Checks the boot parameters of a kexec_load()
 * image, saves the image and marks the instance loaded.  An unload (no
 * image) leaves it empty.  Drops the reference on @inst.
 *
 * Return: @ret, or the error that made the image unusable.
 */
int multikernel_load_end(struct mk_instance *inst, int ret)
{
	struct kimage *image = inst->image;
	bool file = image && image->file_mode;
	unsigned long seg = 0;
	size_t len = 0;

	if (!ret && image) {
		if (file) {
			ret = arch_multikernel_file_entry(inst, &seg, &len);
		} else {
			inst->entry = image->start;
			ret = arch_multikernel_check_image(inst);
		}
		if (!ret)
			ret = mk_image_save(inst, seg, len);
		if (ret) {
			mutex_lock(&inst->lock);
			mk_image_free(inst);
			inst->boot_params = 0;
			mutex_unlock(&inst->lock);
		}
	}
	mk_instance_load_end(inst, !ret && inst->image, file);
	mk_instance_put(inst);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Multikernel: kexec_file_load() images entered without purgatory and,
 * where the host can, without decompression.
 *
 * A bzImage loaded by kexec_file_load() normally starts in purgatory,
 * which checks the SHA-256 digests of the segments and jumps to the
 * bzImage's 64-bit entry, whose decompressor unpacks the kernel in place
 * and enters it.  For an instance both are avoidable work on every start:
 * the host keeps its own copy of the loaded segments and writes them again
 * before each start (load.c), which is what the digests protect, and the
 * kernel can be unpacked once, at load time, with the host's own
 * decompressors.
 *
 * At load, the compressed payload of the bzImage (vmlinux.bin, an ELF
 * file, followed by its relocation table) is decompressed with lib/xz,
 * zlib or zstd, whichever is built in, its PT_LOAD segments are put where
 * the decompressor would put them (at the kernel segment, offset by their
 * physical address from LOAD_PHYSICAL_ADDR), and the start enters the
 * kernel's own startup_64 with %rsi pointing at the boot parameters, the
 * 64-bit boot protocol.  As the decompressor does, the kernel is moved to
 * a random virtual offset through its relocation table unless its command
 * line has "nokaslr" (a kernel built without RANDOMIZE_BASE has no table
 * and runs where it was linked); its physical place is the one kexec
 * chose.  The offset is chosen per load: every start of one load uses the
 * same one.
 *
 * An image the host cannot unpack (another compression, no relocation
 * table when one is needed, an unknown layout) is entered at the
 * bzImage's 64-bit entry and decompresses itself.  Every offset and size
 * comes from the image and is checked before the instance's memory is
 * written.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/crc32.h>
#include <linux/elf.h>
#include <linux/kexec.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/multikernel.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <linux/vmalloc.h>
#include <linux/xz.h>
#include <linux/zlib.h>
#include <linux/zstd.h>

#include <asm/boot.h>
#include <asm/bootparam.h>
#include <asm/cmdline.h>
#include <asm/kexec.h>
#include <asm/multikernel.h>
#include <asm/page_64_types.h>

/* The 64-bit entry of a bzImage, from the start of its protected-mode part */
#define MK_BZ_ENTRY64		0x200
/* Largest unpacked kernel accepted */
#define MK_UNPACK_MAX		SZ_512M
/* gzip header: magic, method, flags, mtime, xfl, os */
#define MK_GZ_HDR		10
#define MK_GZ_FHCRC		0x02
#define MK_GZ_FEXTRA		0x04
#define MK_GZ_FNAME		0x08
#define MK_GZ_FCOMMENT		0x10
/* gzip trailer: CRC-32 and size of the data */
#define MK_GZ_TRAILER		8

static int mk_unxz(const u8 *in, size_t in_len, u8 *out, size_t out_len)
{
	struct xz_buf b = {
		.in = in, .in_size = in_len, .out = out, .out_size = out_len,
	};
	struct xz_dec *s;
	enum xz_ret ret;

	if (!IS_BUILTIN(CONFIG_XZ_DEC))
		return -EOPNOTSUPP;
	s = xz_dec_init(XZ_SINGLE, 0);
	if (!s)
		return -ENOMEM;
	ret = xz_dec_run(s, &b);
	xz_dec_end(s);
	return ret == XZ_STREAM_END && b.out_pos == out_len ? 0 : -EOPNOTSUPP;
}

/* Skip a NUL-terminated field of a gzip header at *@off. */
static bool mk_gz_skip_string(const u8 *in, size_t len, size_t *off)
{
	size_t n = *off < len ? strnlen((const char *)in + *off, len - *off) :
				len;

	*off += n + 1;
	return *off < len;
}

static int mk_gunzip(const u8 *in, size_t in_len, u8 *out, size_t out_len)
{
	size_t off = MK_GZ_HDR;
	z_stream s = {};
	u8 flags;
	int ret;

	if (!IS_BUILTIN(CONFIG_ZLIB_INFLATE) || !IS_BUILTIN(CONFIG_CRC32))
		return -EOPNOTSUPP;
	if (in_len <= MK_GZ_HDR || in[2] != Z_DEFLATED)
		return -EOPNOTSUPP;
	flags = in[3];
	if (flags & MK_GZ_FEXTRA) {
		if (off + 2 > in_len)
			return -EOPNOTSUPP;
		off += 2 + get_unaligned_le16(in + off);
	}
	if ((flags & MK_GZ_FNAME) && !mk_gz_skip_string(in, in_len, &off))
		return -EOPNOTSUPP;
	if ((flags & MK_GZ_FCOMMENT) && !mk_gz_skip_string(in, in_len, &off))
		return -EOPNOTSUPP;
	if (flags & MK_GZ_FHCRC)
		off += 2;
	if (off >= in_len)
		return -EOPNOTSUPP;

	s.workspace = vmalloc(zlib_inflate_workspacesize());
	if (!s.workspace)
		return -ENOMEM;
	ret = zlib_inflateInit2(&s, -MAX_WBITS);
	if (ret == Z_OK) {
		s.next_in = in + off;
		s.avail_in = in_len - off;
		s.next_out = out;
		s.avail_out = out_len;
		ret = zlib_inflate(&s, Z_FINISH);
		zlib_inflateEnd(&s);
	}
	vfree(s.workspace);
	if (ret != Z_STREAM_END || s.total_out != out_len ||
	    s.avail_in < MK_GZ_TRAILER)
		return -EOPNOTSUPP;
	/* raw inflate does not check the trailer: its CRC-32, then the size */
	return (crc32_le(~0, out, out_len) ^ ~0) == get_unaligned_le32(s.next_in) ?
	       0 : -EOPNOTSUPP;
}

static int mk_unzstd(const u8 *in, size_t in_len, u8 *out, size_t out_len)
{
	size_t ws_size, n;
	zstd_dctx *dctx;
	void *ws;

	if (!IS_BUILTIN(CONFIG_ZSTD_DECOMPRESS))
		return -EOPNOTSUPP;
	ws_size = zstd_dctx_workspace_bound();
	ws = vmalloc(ws_size);
	if (!ws)
		return -ENOMEM;
	dctx = zstd_init_dctx(ws, ws_size);
	n = dctx ? zstd_decompress_dctx(dctx, out, out_len, in, in_len) : 0;
	vfree(ws);
	return dctx && !zstd_is_error(n) && n == out_len ? 0 : -EOPNOTSUPP;
}

/*
 * Decompress the payload @in of @len bytes (the compressed stream, then
 * the unpacked size as 32 bits, the layout of every bzImage compression)
 * into a new buffer.  *@what names the compression.
 */
static void *mk_decompress(const u8 *in, size_t len, size_t *out_len,
			   const char **what)
{
	static const u8 xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	static const u8 gz[] = { 0x1f, 0x8b };
	static const u8 zst[] = { 0x28, 0xb5, 0x2f, 0xfd };
	size_t n;
	void *out;
	int ret;

	if (len < sizeof(xz) + 4)
		return ERR_PTR(-EOPNOTSUPP);
	n = get_unaligned_le32(in + len - 4);
	if (n < sizeof(Elf64_Ehdr) || n > MK_UNPACK_MAX)
		return ERR_PTR(-EOPNOTSUPP);
	out = vmalloc(n);
	if (!out)
		return ERR_PTR(-ENOMEM);
	if (!memcmp(in, xz, sizeof(xz))) {
		*what = "xz";
		ret = mk_unxz(in, len - 4, out, n);
	} else if (!memcmp(in, gz, sizeof(gz))) {
		*what = "gzip";
		ret = mk_gunzip(in, len, out, n);	/* its trailer has the size */
	} else if (!memcmp(in, zst, sizeof(zst))) {
		*what = "zstd";
		ret = mk_unzstd(in, len - 4, out, n);
	} else {
		ret = -EOPNOTSUPP;
	}
	if (ret) {
		vfree(out);
		return ERR_PTR(ret);
	}
	*out_len = n;
	return out;
}

/**
 * struct mk_kernel_layout - where an unpacked kernel's parts go
 * @ehdr:	its ELF header
 * @phdr:	its program headers
 * @file_end:	end of the ELF file in the unpacked data; the relocation
 *		table, if any, follows
 * @copy_len:	bytes from the kernel segment's start that PT_LOAD file
 *		contents fill
 * @span:	bytes the kernel occupies in memory, its BSS included
 * @entry:	offset of its 64-bit entry from the kernel segment's start
 */
struct mk_kernel_layout {
	const Elf64_Ehdr	*ehdr;
	const Elf64_Phdr	*phdr;
	size_t			file_end;
	size_t			copy_len;
	size_t			span;
	size_t			entry;
};

/* Check the unpacked ELF @elf of @len bytes for a segment of @room bytes. */
static int mk_kernel_layout(const u8 *elf, size_t len, size_t room,
			    struct mk_kernel_layout *l)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf;
	size_t end;
	int i;

	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64 ||
	    eh->e_phentsize != sizeof(Elf64_Phdr) || !eh->e_phnum ||
	    eh->e_phoff > len ||
	    (len - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum)
		return -ENOEXEC;
	l->ehdr = eh;
	l->phdr = (const Elf64_Phdr *)(elf + eh->e_phoff);
	l->file_end = eh->e_phoff + eh->e_phnum * sizeof(Elf64_Phdr);
	l->copy_len = 0;
	l->span = 0;
	if (eh->e_shnum) {
		if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > len ||
		    (len - eh->e_shoff) / sizeof(Elf64_Shdr) < eh->e_shnum)
			return -ENOEXEC;
		end = eh->e_shoff + eh->e_shnum * sizeof(Elf64_Shdr);
		l->file_end = max(l->file_end, end);
	}
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = &l->phdr[i];
		u64 off;

		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_offset > len || len - ph->p_offset < ph->p_filesz ||
		    ph->p_filesz > ph->p_memsz ||
		    ph->p_paddr < LOAD_PHYSICAL_ADDR ||
		    ph->p_paddr - LOAD_PHYSICAL_ADDR > room ||
		    room - (ph->p_paddr - LOAD_PHYSICAL_ADDR) < ph->p_memsz)
			return -ENOEXEC;
		off = ph->p_paddr - LOAD_PHYSICAL_ADDR;
		l->file_end = max_t(size_t, l->file_end,
				    ph->p_offset + ph->p_filesz);
		l->copy_len = max_t(size_t, l->copy_len, off + ph->p_filesz);
		l->span = max_t(size_t, l->span, off + ph->p_memsz);
	}
	if (!l->copy_len || eh->e_entry < LOAD_PHYSICAL_ADDR ||
	    eh->e_entry - LOAD_PHYSICAL_ADDR >= l->copy_len)
		return -ENOEXEC;
	l->entry = eh->e_entry - LOAD_PHYSICAL_ADDR;
	return 0;
}

/*
 * Apply the relocation table at the end of the unpacked data (@rel up to
 * @end, read backwards) to the kernel at @dst of @len bytes, moved by
 * @delta in virtual memory: 32-bit entries, then inverse 32-bit ones, then
 * 64-bit ones, each list ended by a zero, each entry the link-time kernel
 * address of a field.
 */
static int mk_relocate(u8 *dst, size_t len, const u8 *rel, const u8 *end,
		       u64 delta)
{
	const u64 base = __START_KERNEL_map + LOAD_PHYSICAL_ADDR;
	const u8 *p = end;
	int list;

	for (list = 0; list < 3; list++) {
		size_t width = list == 2 ? sizeof(u64) : sizeof(u32);

		for (;;) {
			u64 off;
			s32 r;

			if (p - rel < (ptrdiff_t)sizeof(r))
				return -ENOEXEC;
			p -= sizeof(r);
			r = get_unaligned_le32(p);
			if (!r)
				break;
			off = (u64)(s64)r - base;
			if (off > len - width)
				return -ENOEXEC;
			if (list == 0)
				put_unaligned_le32(get_unaligned_le32(dst + off) +
						   (u32)delta, dst + off);
			else if (list == 1)
				put_unaligned_le32(get_unaligned_le32(dst + off) -
						   (u32)delta, dst + off);
			else
				put_unaligned_le64(get_unaligned_le64(dst + off) +
						   delta, dst + off);
		}
	}
	return 0;
}

/* Is "nokaslr" on the command line of the boot parameters @bp? */
static bool mk_nokaslr(struct mk_instance *inst, const struct boot_params *bp)
{
	u64 pa = bp->hdr.cmd_line_ptr | (u64)bp->ext_cmd_line_ptr << 32;
	size_t max = min_t(size_t, bp->hdr.cmdline_size, COMMAND_LINE_SIZE);
	bool found;
	char *buf;

	if (!pa || pa < inst->ram_base ||
	    pa - inst->ram_base >= inst->ram_size)
		return false;
	max = min_t(size_t, max, inst->ram_size - (pa - inst->ram_base));
	buf = kmemdup_nul(phys_to_virt(pa), max, GFP_KERNEL);
	if (!buf)
		return true;	/* no relocation is the safe side */
	found = cmdline_find_option_bool(buf, "nokaslr") > 0;
	kfree(buf);
	return found;
}

/*
 * Unpack the kernel of @bp, whose protected-mode part is @seg, in place.
 * Return: 0, -EOPNOTSUPP (nothing written), -ENOMEM, or -ENOEXEC for an
 * unpacked kernel that does not fit its own description (the segment was
 * partly written).
 */
static int mk_unpack(struct mk_instance *inst, const struct kexec_segment *seg,
		     struct boot_params *bp, size_t *len, size_t *entry)
{
	const struct setup_header *hdr = &bp->hdr;
	u8 *dst = phys_to_virt(seg->mem);
	const char *what = NULL;
	struct mk_kernel_layout l;
	size_t out_len, i;
	u64 delta = 0;
	u8 *out;
	int ret;

	if (hdr->version < 0x0208 || hdr->payload_offset > seg->bufsz ||
	    seg->bufsz - hdr->payload_offset < hdr->payload_length)
		return -EOPNOTSUPP;
	out = mk_decompress(dst + hdr->payload_offset, hdr->payload_length,
			    &out_len, &what);
	if (IS_ERR(out))
		return PTR_ERR(out);
	ret = mk_kernel_layout(out, out_len, seg->memsz, &l);
	if (ret) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	/*
	 * The decompressor's KASLR: a virtual offset in PHYSICAL_ALIGN steps,
	 * for a kernel that has a relocation table (built with
	 * RANDOMIZE_BASE), whatever this kernel was built with.
	 */
	if (out_len > l.file_end &&
	    l.span < KERNEL_IMAGE_SIZE - LOAD_PHYSICAL_ADDR &&
	    !mk_nokaslr(inst, bp)) {
		u32 slots = 1 + (KERNEL_IMAGE_SIZE - LOAD_PHYSICAL_ADDR -
				 l.span) / CONFIG_PHYSICAL_ALIGN;

		delta = (u64)get_random_u32_below(slots) * CONFIG_PHYSICAL_ALIGN;
	}

	/* from here on the segment holds the unpacked kernel */
	memset(dst, 0, l.copy_len);
	for (i = 0; i < l.ehdr->e_phnum; i++) {
		const Elf64_Phdr *ph = &l.phdr[i];

		if (ph->p_type == PT_LOAD)
			memcpy(dst + ph->p_paddr - LOAD_PHYSICAL_ADDR,
			       out + ph->p_offset, ph->p_filesz);
	}
	if (delta) {
		ret = mk_relocate(dst, l.copy_len, out + l.file_end,
				  out + out_len, delta);
		if (ret)
			goto out;
	}
	if (delta)
		bp->hdr.loadflags |= KASLR_FLAG;
	else
		bp->hdr.loadflags &= ~KASLR_FLAG;
	*len = l.copy_len;
	*entry = l.entry;
	pr_info("instance %u: kernel unpacked at load (%s, %zu bytes), entered at its startup_64, virtual offset %s\n",
		inst->id, what, l.copy_len, delta ? "random" : "none");
out:
	vfree(out);
	return ret;
}

/**
 * arch_multikernel_file_entry - enter a kexec_file_load() image directly
 * @inst:	instance whose bzImage was just loaded into its RAM, with
 *		@inst->entry and @inst->boot_params as the bzImage64 loader
 *		set purgatory's registers (multikernel_setup_boot_params())
 * @seg:	set to the index of the kernel's segment if it was unpacked
 * @len:	set to the bytes of that segment the unpacked kernel fills
 *		(the rest, up to its memsz, is zero), 0 if it was not
 *
 * Moves @inst->entry to the unpacked kernel's startup_64 where the host
 * can unpack it; else the start enters the bzImage's own 64-bit entry.
 * Either way not purgatory, and with the boot parameters in %rsi.  Called
 * by multikernel_load_end() under kexec's lock, before the host copy of
 * the segments is taken.
 *
 * Return: 0; -ENOEXEC for a kernel that decompressed but does not fit its
 * own description, -ENOMEM; the load then fails.
 */
int arch_multikernel_file_entry(struct mk_instance *inst, unsigned long *seg,
				size_t *len)
{
	struct kimage *image = inst->image;
	struct boot_params *bp;
	size_t entry;
	unsigned long i;
	int ret;

	*len = 0;
	for (i = 0; i < image->nr_segments; i++)
		if (image->segment[i].mem + MK_BZ_ENTRY64 == inst->entry)
			break;
	if (i == image->nr_segments || inst->boot_params < inst->ram_base ||
	    inst->boot_params - inst->ram_base > inst->ram_size - sizeof(*bp)) {
		/* not as the bzImage64 loader does it: through purgatory */
		inst->entry = image->start;
		inst->boot_params = 0;
		return 0;
	}
	bp = phys_to_virt(inst->boot_params);
	ret = mk_unpack(inst, &image->segment[i], bp, len, &entry);
	if (ret == -EOPNOTSUPP) {
		pr_info_ratelimited("instance %u: kernel not unpacked by the host (compression or layout unknown); it decompresses itself at every start\n",
				    inst->id);
		return 0;
	}
	if (ret) {
		pr_info_ratelimited("instance %u: the unpacked kernel does not fit its ELF headers or relocations: %d\n",
				    inst->id, ret);
		return ret;
	}
	*seg = i;
	inst->entry = image->segment[i].mem + entry;
	return 0;
}

#if IS_ENABLED(CONFIG_MULTIKERNEL_KUNIT_TEST)
#include "multikernel_unpack_kunit.c"
#endif /* CONFIG_MULTIKERNEL_KUNIT_TEST */

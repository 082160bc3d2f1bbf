// SPDX-License-Identifier: GPL-2.0
/*
 * mkexec - minimal kexec and configfs driver for the multikernel selftests.
 *
 *   mkexec load-file [-c] [-d] KERNEL INITRD CMDLINE
 *                                                 kexec_file_load (-c: crash,
 *                                                 -d: KEXEC_FILE_DEBUG)
 *   mkexec unload-file [-c]                       unload a kexec_file image
 *   mkexec exec                                   reboot into the loaded image
 *   mkexec mkdir NAME                             create instance NAME
 *   mkexec rmdir NAME                             destroy instance NAME
 *   mkexec attr NAME ATTR VALUE                   write one attribute of NAME
 *                                                 (an empty VALUE writes "\n")
 *   mkexec mk-load-file ID KERNEL INITRD CMDLINE  kexec_file_load into instance ID
 *   mkexec mk-unload-file ID                      unload instance ID's image
 *   mkexec mk-load [-x] ID KERNEL INITRD CMDLINE  kexec_load(KEXEC_MULTIKERNEL) with
 *                                                 boot_params built here; -x adds
 *                                                 an e820 entry outside the instance
 *   mkexec mk-unload ID                           kexec_load with no segments
 *   mkexec raw-load ID ADDR                       kexec_load of one empty page at
 *                                                 ADDR into instance ID
 *   mkexec page-load [-c] ADDR                    plain kexec_load of one empty page
 *                                                 at ADDR (-c: crash, KEXEC_ON_CRASH)
 *   mkexec page-unload [-c]                       kexec_load with no segments
 *   mkexec boot-abi FILE [OLDEST NEWEST | none]   print the boot ABI the bzImage
 *                                                 FILE advertises in kernel_info,
 *                                                 or rewrite it (none: hide it)
 *   mkexec spin                                   (spawned kernel) spin forever at
 *                                                 the highest SCHED_FIFO priority,
 *                                                 RT throttling and fair server off
 *   mkexec vmcore-shared ADDR FIELD               (kdump kernel) print FIELD of the
 *                                                 shared area at physical ADDR of
 *                                                 the crashed kernel, read through
 *                                                 /proc/vmcore: heartbeat,
 *                                                 guest_state, console_head or
 *                                                 console_magic
 *   mkexec ram-disjoint START END                 succeed if no "System RAM" range
 *                                                 of /proc/iomem meets START-END
 *   mkexec drain                                  wait until the terminal on
 *                                                 stdout has sent all its output
 *                                                 (before a crash or a reboot)
 *   mkexec run CMD [ARGS]                         exec CMD (with -U: as nobody)
 *   mkexec -U ...                                 drop all capabilities first
 *
 * Instances are the directories of /sys/kernel/config/multikernel; the load
 * syscalls name them by id, KEXEC_MULTIKERNEL_ID(id) in the upper half of
 * their flags.  mk-load finds the instance whose "id" file reads ID and
 * takes its memory from the ram_range, low_range and shared_range files;
 * the layout of the shared area comes from the uapi headers.
 *
 * Errors are printed as "mkexec: <what>: <ERRNO name> (<message>)" so the
 * tests can match the errno the kernel returned.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <linux/capability.h>
#include <linux/elf.h>
#include <linux/kexec.h>
#include <linux/multikernel.h>
#include <linux/reboot.h>
#include <asm/bootparam.h>
#include <asm/setup_data.h>
/* the x86 uapi boot information (installed headers, -I), not <linux/...> */
#include "asm/multikernel.h"

#include "mk_errno.h"

#define MK_CFG		"/sys/kernel/config/multikernel"

static int print_usage(void)
{
	fprintf(stderr,
		"usage: mkexec load-file [-c] [-d] KERNEL INITRD CMDLINE\n"
		"       mkexec unload-file [-c]\n"
		"       mkexec exec\n"
		"       mkexec mkdir NAME | rmdir NAME\n"
		"       mkexec attr NAME ATTR VALUE\n"
		"       mkexec write FILE VALUE\n"
		"       mkexec mk-load-file ID KERNEL INITRD|- CMDLINE\n"
		"       mkexec mk-unload-file ID\n"
		"       mkexec mk-load [-x] ID KERNEL INITRD|- CMDLINE\n"
		"       mkexec mk-unload ID\n"
		"       mkexec raw-load ID ADDR\n"
		"       mkexec page-load [-c] ADDR | page-unload [-c]\n"
		"       mkexec boot-abi FILE [OLDEST NEWEST | none]\n"
		"       mkexec spin\n"
		"       mkexec vmcore-shared ADDR heartbeat|guest_state|console_head|console_magic\n"
		"       mkexec ram-disjoint START END\n"
		"       mkexec drain\n"
		"       mkexec run CMD [ARGS...]\n"
		"       mkexec -U COMMAND...   (without capabilities)\n");
	return 2;
}

static int fail(const char *what)
{
	int e = errno;

	fprintf(stderr, "mkexec: %s: %s (%s)\n", what, errno_name(e), strerror(e));
	return 1;
}

/*
 * An instance id as given, not range-checked: the tests pass 0 and 65536
 * on purpose to see the kernel refuse them.
 */
static int parse_id(const char *s, unsigned long long *id)
{
	char *end;

	errno = 0;
	*id = strtoull(s, &end, 0);
	if (errno || end == s || *end || *id > 0xffffffffULL) {
		fprintf(stderr, "mkexec: %s: not an instance id\n", s);
		return -1;
	}
	return 0;
}

static int load_file(int argc, char **argv)
{
	unsigned long flags = 0;
	int kfd, ifd, i = 0;
	const char *cmdline;

	for (; i < argc; i++) {
		if (!strcmp(argv[i], "-c"))
			flags |= KEXEC_FILE_ON_CRASH;
		else if (!strcmp(argv[i], "-d"))
			flags |= KEXEC_FILE_DEBUG;
		else
			break;
	}
	if (argc - i != 3)
		return print_usage();
	kfd = open(argv[i], O_RDONLY);
	if (kfd < 0)
		return fail(argv[i]);
	ifd = open(argv[i + 1], O_RDONLY);
	if (ifd < 0)
		return fail(argv[i + 1]);
	cmdline = argv[i + 2];
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmdline) + 1,
		    cmdline, flags))
		return fail("kexec_file_load");
	return 0;
}

static int unload_file(int argc, char **argv)
{
	unsigned long flags = KEXEC_FILE_UNLOAD;

	if (argc > 0 && !strcmp(argv[0], "-c"))
		flags |= KEXEC_FILE_ON_CRASH;
	if (syscall(SYS_kexec_file_load, -1, -1, 0, NULL, flags))
		return fail("kexec_file_load(unload)");
	return 0;
}

/* ---- configfs ---- */

static int cfg_mkdir(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), MK_CFG "/%s", name);
	if (mkdir(path, 0755))
		return fail(path);
	return 0;
}

static int cfg_rmdir(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), MK_CFG "/%s", name);
	if (rmdir(path))
		return fail(path);
	return 0;
}

/*
 * Write VAL to PATH in one write(), as an attribute expects it; failures
 * name WHAT.
 */
static int write_str(const char *path, const char *val, const char *what)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return fail(path);
	n = write(fd, val, strlen(val));
	if (n < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return fail(what);
	}
	close(fd);
	if ((size_t)n != strlen(val)) {
		fprintf(stderr, "mkexec: %s: short write (%zd of %zu bytes)\n",
			path, n, strlen(val));
		return 1;
	}
	return 0;
}

/* Write VALUE to NAME/ATTR; an empty VALUE is written as a newline. */
static int cfg_attr(const char *name, const char *attr, const char *val)
{
	char path[PATH_MAX], what[PATH_MAX + 64];

	snprintf(path, sizeof(path), MK_CFG "/%s/%s", name, attr);
	snprintf(what, sizeof(what), "%s/%s=%s", name, attr, val);
	return write_str(path, *val ? val : "\n", what);
}

static int cfg_read(const char *name, const char *attr, char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), MK_CFG "/%s/%s", name, attr);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return fail(path);
	n = read(fd, buf, size - 1);
	if (n < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return fail(path);
	}
	close(fd);
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* The name of the instance whose id file reads ID. */
static int cfg_find(unsigned long long id, char *name, size_t size)
{
	DIR *d = opendir(MK_CFG);
	struct dirent *e;
	char val[32];

	if (!d)
		return fail(MK_CFG);
	while ((e = readdir(d))) {
		char path[PATH_MAX];
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), MK_CFG "/%s/id", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(val, sizeof(val), f) && strtoull(val, NULL, 10) == id) {
			fclose(f);
			closedir(d);
			snprintf(name, size, "%s", e->d_name);
			return 0;
		}
		fclose(f);
	}
	closedir(d);
	fprintf(stderr, "mkexec: no instance with id %llu in " MK_CFG "\n", id);
	return 1;
}

struct range {
	unsigned long long start, end;	/* inclusive */
};

/* Parse a "0xSTART-0xEND" attribute of instance NAME. */
static int cfg_range(const char *name, const char *attr, struct range *r)
{
	char buf[128], extra;

	if (cfg_read(name, attr, buf, sizeof(buf)))
		return 1;
	if (sscanf(buf, "%llx-%llx%c", &r->start, &r->end, &extra) != 2 ||
	    r->end < r->start) {
		fprintf(stderr, "mkexec: %s/%s: '%s' is not a range\n", name,
			attr, buf);
		return 1;
	}
	return 0;
}

/* ---- load syscalls, naming the instance by id ---- */

static int mk_load_file(int argc, char **argv)
{
	unsigned long flags = KEXEC_FILE_MULTIKERNEL;
	unsigned long long id;
	int kfd, ifd = -1;

	if (argc != 4)
		return print_usage();
	if (parse_id(argv[0], &id))
		return 2;
	flags |= KEXEC_MULTIKERNEL_ID(id);
	kfd = open(argv[1], O_RDONLY);
	if (kfd < 0)
		return fail(argv[1]);
	if (!strcmp(argv[2], "-")) {
		flags |= KEXEC_FILE_NO_INITRAMFS;
	} else {
		ifd = open(argv[2], O_RDONLY);
		if (ifd < 0)
			return fail(argv[2]);
	}
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(argv[3]) + 1,
		    argv[3], flags))
		return fail("kexec_file_load(multikernel)");
	return 0;
}

static int mk_unload_file(const char *arg)
{
	unsigned long long id;

	if (parse_id(arg, &id))
		return 2;
	if (syscall(SYS_kexec_file_load, -1, -1, 0, NULL,
		    KEXEC_FILE_MULTIKERNEL | KEXEC_FILE_UNLOAD |
		    KEXEC_MULTIKERNEL_ID(id)))
		return fail("kexec_file_load(multikernel unload)");
	return 0;
}

#define PAGE		4096UL
#define ALIGN_UP(x, a)	(((x) + (a) - 1) & ~((a) - 1))
#define PHYS(a)		((const void *)(unsigned long)(a))

/* bzImage layout, Documentation/arch/x86/boot.rst */
#define BZ_HDR_OFFSET		0x1f1	/* struct setup_header in the image */
#define BZ_HDR_END_OFFSET	0x202	/* where the header's jump lands ... */
#define BZ_JUMP_OFFSET		0x201	/* ... plus this byte */
#define BZ_MAGIC		0x53726448	/* "HdrS" */
#define BZ_SETUP_SECTS_DEFAULT	4
#define BZ_SECTOR		512
#define BZ_ENTRY64_OFFSET	0x200	/* 64-bit entry from the load address */
#define BZ_MIN_ALIGN		0x200000UL	/* CONFIG_PHYSICAL_ALIGN's minimum */
#define LOADER_UNDEFINED	0xff	/* type_of_loader: not a registered one */
#define E820_RAM		1

static void *read_whole(const char *path, size_t *len)
{
	struct stat st;
	void *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st)) {
		close(fd);
		return NULL;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (buf && read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	*len = st.st_size;
	return buf;
}

static unsigned long kexec_flags(unsigned long long id)
{
	return KEXEC_MULTIKERNEL | KEXEC_ARCH_DEFAULT | KEXEC_MULTIKERNEL_ID(id);
}

/*
 * A user-space bzImage loader for the kexec_load() path: the same layout
 * the kernel uses for kexec_file_load(), built from the instance's
 * configfs ranges.  The shared area's start is where the host puts the
 * setup_data the spawned kernel finds its boot information in.
 */
static int mk_load(int argc, char **argv)
{
	unsigned long long kaddr, bpaddr, cladr, iaddr = 0, end, align, id;
	size_t klen, ilen = 0, setup, hlen, cl_len;
	struct range ram, low, shared;
	struct kexec_segment seg[4];
	char name[NAME_MAX + 1];
	struct boot_params *bp;
	struct setup_header *h;
	void *kernel, *initrd = NULL;
	int n = 0, bad_e820 = 0;

	if (argc > 0 && !strcmp(argv[0], "-x")) {
		bad_e820 = 1;
		argc--;
		argv++;
	}
	if (argc != 4)
		return print_usage();
	if (parse_id(argv[0], &id))
		return 2;
	if (cfg_find(id, name, sizeof(name)) ||
	    cfg_range(name, "ram_range", &ram) ||
	    cfg_range(name, "low_range", &low) ||
	    cfg_range(name, "shared_range", &shared))
		return 1;
	if (shared.end - shared.start + 1 != MULTIKERNEL_SHARED_SIZE) {
		fprintf(stderr,
			"mkexec: %s/shared_range is %#llx bytes, not MULTIKERNEL_SHARED_SIZE\n",
			name, shared.end - shared.start + 1);
		return 1;
	}
	kernel = read_whole(argv[1], &klen);
	if (!kernel)
		return fail(argv[1]);
	if (strcmp(argv[2], "-")) {
		initrd = read_whole(argv[2], &ilen);
		if (!initrd)
			return fail(argv[2]);
	}
	h = (struct setup_header *)((char *)kernel + BZ_HDR_OFFSET);
	if (klen < PAGE || h->header != BZ_MAGIC ||
	    !(h->xloadflags & XLF_KERNEL_64)) {
		fprintf(stderr, "mkexec: %s: not a 64-bit bzImage\n", argv[1]);
		return 1;
	}
	setup = ((h->setup_sects ? h->setup_sects : BZ_SETUP_SECTS_DEFAULT) + 1) *
		BZ_SECTOR;
	align = h->kernel_alignment > BZ_MIN_ALIGN ? h->kernel_alignment : BZ_MIN_ALIGN;
	end = ram.end + 1;
	kaddr = ALIGN_UP(ram.start, align);
	bpaddr = ALIGN_UP(kaddr + h->init_size, PAGE);
	cladr = bpaddr + PAGE;
	cl_len = strlen(argv[3]) + 1;
	if (ilen)
		iaddr = (end - ilen) & ~(PAGE - 1);

	bp = calloc(1, sizeof(*bp));
	if (!bp)
		return fail("calloc");
	hlen = BZ_HDR_END_OFFSET + ((unsigned char *)kernel)[BZ_JUMP_OFFSET] -
	       BZ_HDR_OFFSET;
	if (hlen > sizeof(bp->hdr))
		hlen = sizeof(bp->hdr);
	memcpy(&bp->hdr, h, hlen);
	bp->hdr.type_of_loader = LOADER_UNDEFINED;
	bp->hdr.loadflags |= LOADED_HIGH | KEEP_SEGMENTS;
	bp->hdr.code32_start = kaddr;
	bp->hdr.cmd_line_ptr = (unsigned int)cladr;
	bp->ext_cmd_line_ptr = cladr >> 32;
	bp->hdr.ramdisk_image = (unsigned int)iaddr;
	bp->ext_ramdisk_image = iaddr >> 32;
	bp->hdr.ramdisk_size = ilen;
	bp->hdr.setup_data = shared.start + MULTIKERNEL_BOOT_HDR_OFFSET;
	bp->e820_entries = 2;
	bp->e820_table[0].addr = low.start;
	bp->e820_table[0].size = low.end - low.start + 1;
	bp->e820_table[0].type = E820_RAM;
	bp->e820_table[1].addr = ram.start;
	bp->e820_table[1].size = end - ram.start;
	bp->e820_table[1].type = E820_RAM;
	if (bad_e820) {
		/* 16 MiB at 1 MiB: host memory, never an instance's */
		bp->e820_table[2].addr = 0x100000;
		bp->e820_table[2].size = 0x1000000;
		bp->e820_table[2].type = E820_RAM;
		bp->e820_entries = 3;
	}

	seg[n++] = (struct kexec_segment){ (char *)kernel + setup, klen - setup,
					   PHYS(kaddr), ALIGN_UP(h->init_size, PAGE) };
	seg[n++] = (struct kexec_segment){ bp, sizeof(*bp), PHYS(bpaddr), PAGE };
	seg[n++] = (struct kexec_segment){ argv[3], cl_len, PHYS(cladr),
					   ALIGN_UP(cl_len, PAGE) };
	if (ilen)
		seg[n++] = (struct kexec_segment){ initrd, ilen, PHYS(iaddr),
						   end - iaddr };
	if (syscall(SYS_kexec_load, kaddr + BZ_ENTRY64_OFFSET, n, seg,
		    kexec_flags(id)))
		return fail("kexec_load(multikernel)");
	return 0;
}

static int mk_unload(const char *arg)
{
	unsigned long long id;

	if (parse_id(arg, &id))
		return 2;
	if (syscall(SYS_kexec_load, 0, 0, NULL, kexec_flags(id)))
		return fail("kexec_load(multikernel unload)");
	return 0;
}

static int raw_load(const char *idarg, const char *addr)
{
	static char page[PAGE];
	struct kexec_segment seg = { page, PAGE, 0, PAGE };
	unsigned long long id;

	if (parse_id(idarg, &id))
		return 2;
	seg.mem = PHYS(strtoull(addr, NULL, 0));
	if (syscall(SYS_kexec_load, (unsigned long)seg.mem, 1, &seg,
		    kexec_flags(id)))
		return fail("kexec_load(multikernel)");
	return 0;
}

/*
 * A plain (or with -c crash) kexec_load of one empty page at ADDR, the
 * entry at its start: enough for the kernel to check and keep the image,
 * which is never executed.  Without ADDR: unload.
 */
static int page_load(int argc, char **argv, int load)
{
	static char page[PAGE];
	struct kexec_segment seg = { page, PAGE, 0, PAGE };
	unsigned long flags = 0;

	if (argc > 0 && !strcmp(argv[0], "-c")) {
		flags = KEXEC_ON_CRASH;
		argc--;
		argv++;
	}
	if (argc != load)
		return print_usage();
	if (!load) {
		if (syscall(SYS_kexec_load, 0, 0, NULL, flags))
			return fail("kexec_load(unload)");
		return 0;
	}
	seg.mem = PHYS(strtoull(argv[0], NULL, 0));
	if (syscall(SYS_kexec_load, (unsigned long)seg.mem, 1, &seg, flags))
		return fail("kexec_load");
	return 0;
}

#define BZ_KINFO_VERSION	0x020f	/* boot protocol 2.15: kernel_info */

/*
 * The multikernel chunk of kernel_info as Documentation/userspace-api/
 * multikernel.rst lays it out, read independently of the kernel's header
 * (struct multikernel_image_abi) so that the test checks the documented
 * format.
 */
struct image_abi {
	char	magic[4];	/* "MKBA" */
	__u32	size;		/* bytes of the chunk, this header included */
	__u16	boot_oldest;
	__u16	boot_newest;
};

/*
 * The multikernel chunk (struct image_abi) in the kernel_info of the bzImage
 * in buf (Documentation/arch/x86/boot.rst): its offset in the file, 0 if
 * there is none.  Test images only; the host checks every offset itself.
 */
static size_t image_abi_offset(const char *buf, size_t len)
{
	const struct setup_header *h = (const void *)(buf + BZ_HDR_OFFSET);
	size_t ki, off, size;
	__u32 fixed, total;

	if (len < PAGE || h->header != BZ_MAGIC || h->version < BZ_KINFO_VERSION)
		return 0;
	ki = ((h->setup_sects ? h->setup_sects : BZ_SETUP_SECTS_DEFAULT) + 1) *
	     BZ_SECTOR + h->kernel_info_offset;
	if (ki + 12 > len || memcmp(buf + ki, "LToP", 4))
		return 0;
	memcpy(&fixed, buf + ki + 4, 4);
	memcpy(&total, buf + ki + 8, 4);
	if (total > len - ki)
		return 0;
	for (off = fixed; off + 8 <= total; off += size) {
		__u32 sz;

		memcpy(&sz, buf + ki + off + 4, 4);
		size = sz;
		if (size < 8 || size > total - off)
			return 0;
		if (!memcmp(buf + ki + off, "MKBA", 4) &&
		    size >= sizeof(struct image_abi))
			return ki + off;
	}
	return 0;
}

/* Print, or rewrite in place, the boot ABI a bzImage advertises. */
static int boot_abi(int argc, char **argv)
{
	struct image_abi abi;
	size_t len, off;
	char *buf;
	FILE *f;

	if (argc != 1 && argc != 2 && argc != 3)
		return print_usage();
	if (argc == 2 && strcmp(argv[1], "none"))
		return print_usage();
	buf = read_whole(argv[0], &len);
	if (!buf)
		return fail(argv[0]);
	off = image_abi_offset(buf, len);
	if (!off) {
		printf("none\n");
		return argc == 1 ? 0 : 1;
	}
	memcpy(&abi, buf + off, sizeof(abi));
	if (argc == 1) {
		printf("%u %u\n", abi.boot_oldest, abi.boot_newest);
		return 0;
	}
	if (argc == 2) {
		memcpy(abi.magic, "NONE", 4);	/* an unknown chunk now */
	} else {
		abi.boot_oldest = strtoul(argv[1], NULL, 0);
		abi.boot_newest = strtoul(argv[2], NULL, 0);
	}
	f = fopen(argv[0], "r+");
	if (!f)
		return fail(argv[0]);
	if (fseek(f, off, SEEK_SET) || fwrite(&abi, sizeof(abi), 1, f) != 1 ||
	    fclose(f))
		return fail(argv[0]);
	return 0;
}

#define DEBUGFS		"/sys/kernel/debug"
#define FAIR_SERVER	DEBUGFS "/sched/fair_server"
#define RT_RUNTIME	"/proc/sys/kernel/sched_rt_runtime_us"

/*
 * In a spawned kernel: take the (only) CPU and never give it back, so that
 * the kernel cannot act on the host's stop request.  RT throttling and the
 * fair server, which would let kernel workers run now and then, go off
 * first.
 */
static int spin(void)
{
	struct sched_param sp = {
		.sched_priority = sched_get_priority_max(SCHED_FIFO),
	};
	char path[PATH_MAX];
	long cpu, ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (access(FAIR_SERVER, F_OK) &&
	    mount("none", DEBUGFS, "debugfs", 0, NULL))
		return fail("mount " DEBUGFS);
	for (cpu = 0; cpu < ncpu; cpu++) {
		snprintf(path, sizeof(path), FAIR_SERVER "/cpu%ld/runtime", cpu);
		if (write_str(path, "0", path))
			return 1;
	}
	if (write_str(RT_RUNTIME, "-1", RT_RUNTIME))
		return 1;
	if (sched_setscheduler(0, SCHED_FIFO, &sp))
		return fail("sched_setscheduler");
	printf("mkexec: spinning at SCHED_FIFO %d\n", sp.sched_priority);
	fflush(stdout);
	for (;;)
		;
}

static int drop_caps(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capset, &hdr, data))
		return fail("capset");
	return 0;
}

/* ---- kdump kernel: the crashed host's memory ---- */

#define VMCORE		"/proc/vmcore"
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Read LEN bytes at physical address ADDR of the crashed kernel from
 * /proc/vmcore: find the PT_LOAD segment that holds them whole and read at
 * its file offset.  Every read goes to the old memory again (vmcore keeps
 * no copy), so two reads of a word another kernel writes can differ.
 */
static int vmcore_read(unsigned long long addr, void *buf, size_t len)
{
	struct elf64_hdr eh;
	struct elf64_phdr ph;
	int fd, i;

	fd = open(VMCORE, O_RDONLY);
	if (fd < 0)
		return fail(VMCORE);
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(ph)) {
		fprintf(stderr, "mkexec: %s: not an ELF64 core\n", VMCORE);
		close(fd);
		return 1;
	}
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * sizeof(ph)) !=
		    sizeof(ph)) {
			close(fd);
			return fail(VMCORE);
		}
		if (ph.p_type != PT_LOAD || addr < ph.p_paddr ||
		    addr + len > ph.p_paddr + ph.p_filesz)
			continue;
		if (pread(fd, buf, len, ph.p_offset + (addr - ph.p_paddr)) !=
		    (ssize_t)len) {
			close(fd);
			return fail(VMCORE);
		}
		close(fd);
		return 0;
	}
	close(fd);
	fprintf(stderr, "mkexec: %s: 0x%llx-0x%llx is in no PT_LOAD segment\n",
		VMCORE, addr, addr + len - 1);
	return 1;
}

#define MK_INFO_FIELD(f)	(MULTIKERNEL_INFO_OFFSET + \
				 offsetof(struct multikernel_boot_info, f))

static const struct {
	const char *name;
	unsigned long offset;
	size_t size;
} vmcore_fields[] = {
	{ "heartbeat", MK_INFO_FIELD(heartbeat), 8 },
	{ "guest_state", MK_INFO_FIELD(guest_state), 4 },
	{ "console_head", MK_CONSOLE_OFFSET +
		offsetof(struct mk_console_shared, head), 8 },
	{ "console_magic", MK_CONSOLE_OFFSET +
		offsetof(struct mk_console_shared, magic), 4 },
};

/* Print FIELD of the shared area at physical SHARED (little-endian x86) */
static int vmcore_shared(const char *shared, const char *field)
{
	unsigned long long base, val = 0;
	unsigned int i;
	char *end;

	errno = 0;
	base = strtoull(shared, &end, 0);
	if (errno || end == shared || *end) {
		fprintf(stderr, "mkexec: %s: not an address\n", shared);
		return 2;
	}
	for (i = 0; i < ARRAY_SIZE(vmcore_fields); i++) {
		if (strcmp(field, vmcore_fields[i].name))
			continue;
		if (vmcore_read(base + vmcore_fields[i].offset, &val,
				vmcore_fields[i].size))
			return 1;
		printf("%llu\n", val);
		return 0;
	}
	return print_usage();
}

/*
 * Succeed if no "System RAM" range of /proc/iomem (any level) meets
 * START-END; print each one that does.
 */
static int ram_disjoint(const char *sarg, const char *earg)
{
	unsigned long long start, end, s, e;
	char line[256], *p;
	int overlap = 0;
	FILE *f;

	start = strtoull(sarg, &p, 0);
	if (*p || p == sarg)
		return print_usage();
	end = strtoull(earg, &p, 0);
	if (*p || p == earg || end < start)
		return print_usage();
	f = fopen("/proc/iomem", "r");
	if (!f)
		return fail("/proc/iomem");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %llx-%llx", &s, &e) != 2 ||
		    !strstr(line, ": System RAM"))
			continue;
		if (s <= end && e >= start) {
			fprintf(stderr, "mkexec: System RAM %llx-%llx meets %llx-%llx\n",
				s, e, start, end);
			overlap = 1;
		}
	}
	fclose(f);
	return overlap;
}

int main(int argc, char **argv)
{
	int unpriv = 0;

	if (argc > 1 && !strcmp(argv[1], "-U")) {
		unpriv = 1;
		argc--;
		argv++;
		if (argc > 1 && strcmp(argv[1], "run") && drop_caps())
			return 1;
	}
	if (argc < 2)
		return print_usage();
	if (!strcmp(argv[1], "run") && argc > 2) {
		/* exec would give uid 0 its capabilities back: become nobody */
		if (unpriv && (setgid(65534) || setuid(65534)))
			return fail("setuid");
		execvp(argv[2], argv + 2);
		return fail(argv[2]);
	}
	if (!strcmp(argv[1], "load-file"))
		return load_file(argc - 2, argv + 2);
	if (!strcmp(argv[1], "unload-file"))
		return unload_file(argc - 2, argv + 2);
	if (!strcmp(argv[1], "mkdir") && argc == 3)
		return cfg_mkdir(argv[2]);
	if (!strcmp(argv[1], "rmdir") && argc == 3)
		return cfg_rmdir(argv[2]);
	if (!strcmp(argv[1], "attr") && argc == 5)
		return cfg_attr(argv[2], argv[3], argv[4]);
	if (!strcmp(argv[1], "write") && argc == 4)
		return write_str(argv[2], argv[3], argv[2]);
	if (!strcmp(argv[1], "mk-load"))
		return mk_load(argc - 2, argv + 2);
	if (!strcmp(argv[1], "mk-unload") && argc == 3)
		return mk_unload(argv[2]);
	if (!strcmp(argv[1], "raw-load") && argc == 4)
		return raw_load(argv[2], argv[3]);
	if (!strcmp(argv[1], "page-load"))
		return page_load(argc - 2, argv + 2, 1);
	if (!strcmp(argv[1], "page-unload"))
		return page_load(argc - 2, argv + 2, 0);
	if (!strcmp(argv[1], "boot-abi"))
		return boot_abi(argc - 2, argv + 2);
	if (!strcmp(argv[1], "mk-load-file"))
		return mk_load_file(argc - 2, argv + 2);
	if (!strcmp(argv[1], "mk-unload-file") && argc == 3)
		return mk_unload_file(argv[2]);
	if (!strcmp(argv[1], "spin") && argc == 2)
		return spin();
	if (!strcmp(argv[1], "vmcore-shared") && argc == 4)
		return vmcore_shared(argv[2], argv[3]);
	if (!strcmp(argv[1], "ram-disjoint") && argc == 4)
		return ram_disjoint(argv[2], argv[3]);
	/* a terminal's queued output is lost when the kernel panics */
	if (!strcmp(argv[1], "drain") && argc == 2) {
		if (isatty(STDOUT_FILENO) && tcdrain(STDOUT_FILENO))
			return fail("tcdrain");
		return 0;
	}
	if (!strcmp(argv[1], "exec")) {
		sync();
		if (reboot(LINUX_REBOOT_CMD_KEXEC))
			return fail("reboot(KEXEC)");
		return 0;
	}
	return print_usage();
}

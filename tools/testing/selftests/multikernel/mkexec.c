// SPDX-License-Identifier: GPL-2.0
/*
 * mkexec - minimal kexec driver for the multikernel selftests.
 *
 *   mkexec load-file [-c] KERNEL INITRD CMDLINE   kexec_file_load (-c: crash)
 *   mkexec unload-file [-c]                       unload a kexec_file image
 *   mkexec exec                                   reboot into the loaded image
 *   mkexec ctl "COMMAND"                          write COMMAND to the multikernel
 *                                                 control file
 *   mkexec mk-load-file ID KERNEL INITRD CMDLINE  kexec_file_load into instance ID
 *   mkexec mk-unload-file ID                      unload instance ID's image
 *   mkexec mk-load [-x] ID KERNEL INITRD CMDLINE  kexec_load(KEXEC_MULTIKERNEL) with
 *                                                 boot_params built here; -x adds
 *                                                 an e820 entry outside the instance
 *   mkexec raw-load ADDR                          kexec_load(KEXEC_MULTIKERNEL) of
 *                                                 one empty page at ADDR
 *   mkexec run CMD [ARGS]                         exec CMD (with -U: without caps)
 *   mkexec -U ...                                 drop all capabilities first
 *
 * Errors are printed as "mkexec: <what>: <ERRNO name> (<message>)" so the
 * tests can match the errno the kernel returned.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <linux/capability.h>
#include <linux/kexec.h>
#include <linux/reboot.h>
#include <asm/bootparam.h>
#include <asm/setup_data.h>

#include "mk_errno.h"

static int print_usage(void)
{
	fprintf(stderr,
		"usage: mkexec load-file [-c] KERNEL INITRD CMDLINE\n"
		"       mkexec unload-file [-c]\n"
		"       mkexec exec\n"
		"       mkexec ctl \"COMMAND\"\n"
		"       mkexec mk-load-file ID KERNEL INITRD|- CMDLINE\n"
		"       mkexec mk-unload-file ID\n"
		"       mkexec mk-load [-x] ID KERNEL INITRD|- CMDLINE\n"
		"       mkexec raw-load ADDR\n"
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

static int load_file(int argc, char **argv)
{
	unsigned long flags = 0;
	int kfd, ifd, i = 0;
	const char *cmdline;

	if (argc > 0 && !strcmp(argv[0], "-c")) {
		flags |= KEXEC_FILE_ON_CRASH;
		i++;
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

static int ctl(const char *cmd)
{
	int fd = open("/sys/kernel/multikernel/control", O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return fail("/sys/kernel/multikernel/control");
	n = write(fd, cmd, strlen(cmd));
	if (n < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return fail(cmd);
	}
	close(fd);
	return 0;
}

static int mk_load_file(int argc, char **argv)
{
	unsigned long flags = KEXEC_FILE_MULTIKERNEL;
	int kfd, ifd = -1, id;

	if (argc != 4)
		return print_usage();
	id = atoi(argv[0]);
	flags |= KEXEC_FILE_MK_ID(id);
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

#define PAGE		4096UL
#define ALIGN_UP(x, a)	(((x) + (a) - 1) & ~((a) - 1))
#define PHYS(a)		((const void *)(unsigned long)(a))
#define SHARED_SIZE	0x200000UL	/* MULTIKERNEL_SHARED_SIZE */

struct mk_row {
	unsigned long long ram_start, ram_end, low_start, low_end;
};

/* Find instance ID in /proc/multikernel (needs CAP_SYS_ADMIN for addresses). */
static int mk_find_row(int id, struct mk_row *r)
{
	FILE *f = fopen("/proc/multikernel", "r");
	char line[512];

	if (!f)
		return fail("/proc/multikernel");
	while (fgets(line, sizeof(line), f)) {
		char state[32], cpus[64];
		int rid;

		if (sscanf(line, "%d %31s %63s %llx %llx %llx %llx", &rid, state,
			   cpus, &r->ram_start, &r->ram_end, &r->low_start,
			   &r->low_end) == 7 && rid == id) {
			fclose(f);
			return 0;
		}
	}
	fclose(f);
	fprintf(stderr, "mkexec: instance %d not in /proc/multikernel\n", id);
	return 1;
}

static void *read_file(const char *path, size_t *len)
{
	struct stat st;
	void *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		return NULL;
	buf = malloc(st.st_size ? st.st_size : 1);
	if (buf && read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	*len = st.st_size;
	return buf;
}

/*
 * A user-space bzImage loader for the kexec_load() path: the same layout
 * the kernel uses for kexec_file_load(), built here from /proc/multikernel.
 */
static int mk_load(int argc, char **argv)
{
	struct kexec_segment seg[4];
	unsigned long long kaddr, bpaddr, cladr, iaddr = 0, end, align;
	size_t klen, ilen = 0, setup, hlen, cl_len;
	struct boot_params *bp;
	struct setup_header *h;
	void *kernel, *initrd = NULL;
	int id, n = 0, bad_e820 = 0;
	struct mk_row r;

	if (argc > 0 && !strcmp(argv[0], "-x")) {
		bad_e820 = 1;
		argc--;
		argv++;
	}
	if (argc != 4)
		return print_usage();
	id = atoi(argv[0]);
	if (mk_find_row(id, &r))
		return 1;
	kernel = read_file(argv[1], &klen);
	if (!kernel)
		return fail(argv[1]);
	if (strcmp(argv[2], "-")) {
		initrd = read_file(argv[2], &ilen);
		if (!initrd)
			return fail(argv[2]);
	}
	h = (struct setup_header *)((char *)kernel + 0x1f1);
	if (klen < 0x1000 || h->header != 0x53726448 ||
	    !(h->xloadflags & XLF_KERNEL_64)) {
		fprintf(stderr, "mkexec: %s: not a 64-bit bzImage\n", argv[1]);
		return 1;
	}
	setup = ((h->setup_sects ? h->setup_sects : 4) + 1) * 512;
	align = h->kernel_alignment > 0x200000 ? h->kernel_alignment : 0x200000;
	end = r.ram_end + 1;
	kaddr = ALIGN_UP(r.ram_start, align);
	bpaddr = ALIGN_UP(kaddr + h->init_size, PAGE);
	cladr = bpaddr + PAGE;
	cl_len = strlen(argv[3]) + 1;
	if (ilen)
		iaddr = (end - ilen) & ~(PAGE - 1);

	bp = calloc(1, sizeof(*bp));
	hlen = 0x202 + ((unsigned char *)kernel)[0x201] - 0x1f1;
	if (hlen > sizeof(bp->hdr))
		hlen = sizeof(bp->hdr);
	memcpy(&bp->hdr, h, hlen);
	bp->hdr.type_of_loader = 0xff;
	bp->hdr.loadflags |= LOADED_HIGH | KEEP_SEGMENTS;
	bp->hdr.code32_start = kaddr;
	bp->hdr.cmd_line_ptr = (unsigned int)cladr;
	bp->ext_cmd_line_ptr = cladr >> 32;
	bp->hdr.ramdisk_image = (unsigned int)iaddr;
	bp->ext_ramdisk_image = iaddr >> 32;
	bp->hdr.ramdisk_size = ilen;
	bp->hdr.setup_data = r.ram_start - SHARED_SIZE;
	bp->e820_entries = 2;
	bp->e820_table[0].addr = r.low_start;
	bp->e820_table[0].size = r.low_end - r.low_start + 1;
	bp->e820_table[0].type = 1;
	bp->e820_table[1].addr = r.ram_start;
	bp->e820_table[1].size = end - r.ram_start;
	bp->e820_table[1].type = 1;
	if (bad_e820) {
		bp->e820_table[2].addr = 0x100000;
		bp->e820_table[2].size = 0x1000000;
		bp->e820_table[2].type = 1;
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
	if (syscall(SYS_kexec_load, kaddr + 0x200, n, seg,
		    KEXEC_MULTIKERNEL | KEXEC_ARCH_DEFAULT))
		return fail("kexec_load(multikernel)");
	return 0;
}

static int raw_load(const char *addr)
{
	static char page[PAGE];
	struct kexec_segment seg = { page, PAGE, 0, PAGE };

	seg.mem = PHYS(strtoull(addr, NULL, 0));
	if (syscall(SYS_kexec_load, (unsigned long)seg.mem, 1, &seg,
		    KEXEC_MULTIKERNEL | KEXEC_ARCH_DEFAULT))
		return fail("kexec_load(multikernel)");
	return 0;
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
	if (!strcmp(argv[1], "mk-load"))
		return mk_load(argc - 2, argv + 2);
	if (!strcmp(argv[1], "raw-load") && argc == 3)
		return raw_load(argv[2]);
	if (!strcmp(argv[1], "ctl") && argc == 3)
		return ctl(argv[2]);
	if (!strcmp(argv[1], "mk-load-file"))
		return mk_load_file(argc - 2, argv + 2);
	if (!strcmp(argv[1], "mk-unload-file") && argc == 3) {
		unsigned long flags = KEXEC_FILE_MULTIKERNEL | KEXEC_FILE_UNLOAD |
			KEXEC_FILE_MK_ID(atoi(argv[2]));

		if (syscall(SYS_kexec_file_load, -1, -1, 0, NULL, flags))
			return fail("kexec_file_load(multikernel unload)");
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

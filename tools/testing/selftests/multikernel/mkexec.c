// SPDX-License-Identifier: GPL-2.0
/*
 * mkexec - minimal kexec driver for the multikernel selftests.
 *
 *   mkexec load-file [-c] KERNEL INITRD CMDLINE   kexec_file_load (-c: crash)
 *   mkexec unload-file [-c]                       unload a kexec_file image
 *   mkexec exec                                   reboot into the loaded image
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
#include <linux/kexec.h>
#include <linux/reboot.h>

#include "mk_errno.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: mkexec load-file [-c] KERNEL INITRD CMDLINE\n"
		"       mkexec unload-file [-c]\n"
		"       mkexec exec\n");
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
		return usage();
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

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "load-file"))
		return load_file(argc - 2, argv + 2);
	if (!strcmp(argv[1], "unload-file"))
		return unload_file(argc - 2, argv + 2);
	if (!strcmp(argv[1], "exec")) {
		sync();
		if (reboot(LINUX_REBOOT_CMD_KEXEC))
			return fail("reboot(KEXEC)");
		return 0;
	}
	return usage();
}

/* SPDX-License-Identifier: GPL-2.0 */
/* errno value -> symbolic name, for messages the tests can match. */
#ifndef MK_ERRNO_H
#define MK_ERRNO_H
#include <errno.h>

static inline const char *errno_name(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case ENOMEM: return "ENOMEM";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case E2BIG: return "E2BIG";
	case ENODEV: return "ENODEV";
	case ENOEXEC: return "ENOEXEC";
	case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EAGAIN: return "EAGAIN";
	case ENOTSUP: return "EOPNOTSUPP";
	case ESRCH: return "ESRCH";
	case EKEYREJECTED: return "EKEYREJECTED";
	case EBADMSG: return "EBADMSG";
	case EIO: return "EIO";
	case EFAULT: return "EFAULT";
	case ERANGE: return "ERANGE";
	case EMSGSIZE: return "EMSGSIZE";
	case ENOTEMPTY: return "ENOTEMPTY";
	case EINTR: return "EINTR";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	case EPIPE: return "EPIPE";
	case ECANCELED: return "ECANCELED";
	default: return "E?";
	}
}
#endif

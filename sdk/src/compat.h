/* Shared by the compat_*.c files (libc compatibility, not sockets). */
#ifndef WASOCK_COMPAT_H
#define WASOCK_COMPAT_H

#include <sys/types.h>

/* The process id getpid() reports (wasi-libc's emulated getpid, when
 * linked), else 42, the number that emulation uses. */
pid_t __wasock_self_pid(void);

/* The nominal descriptor limit: sysconf(_SC_OPEN_MAX), RLIMIT_NOFILE,
 * getdtablesize() (the host's default --max-sockets). */
#define WASOCK_OPEN_MAX 4096

#endif

/*
 * wasock overlay for <sys/resource.h>.  wasi-libc's needs
 * -D_WASI_EMULATED_PROCESS_CLOCKS (wasock-cc passes it, and links
 * -lwasi-emulated-process-clocks for getrusage()); it leaves out the limits,
 * which libwasock (compat_rlimit.c) answers:
 *   RLIMIT_NOFILE  4096/4096 (sysconf(_SC_OPEN_MAX) agrees; the host's
 *                  --max-sockets is what really applies)
 *   RLIMIT_CORE    0/0 (there are no core dumps)
 *   RLIMIT_STACK   the linked stack size (wasock-cc's default: 1 MiB)
 *   the others     RLIM_INFINITY
 * setrlimit() succeeds when it asks for exactly these values (RLIMIT_CORE
 * 0/0 included); any other change is EPERM: raising a hard limit is EPERM
 * on Linux too, and a lowered limit nothing would enforce is not pretended.  getpriority() is 0; setpriority() EPERM.
 */
#ifndef __wasock_sys_resource_h
#define __wasock_sys_resource_h

#include_next <sys/resource.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned long long rlim_t;

struct rlimit {
    rlim_t rlim_cur;
    rlim_t rlim_max;
};

#define RLIM_INFINITY (~0ULL)
#define RLIM_SAVED_CUR RLIM_INFINITY
#define RLIM_SAVED_MAX RLIM_INFINITY

#define RLIMIT_CPU     0
#define RLIMIT_FSIZE   1
#define RLIMIT_DATA    2
#define RLIMIT_STACK   3
#define RLIMIT_CORE    4
#define RLIMIT_RSS     5
#define RLIMIT_NPROC   6
#define RLIMIT_NOFILE  7
#define RLIMIT_MEMLOCK 8
#define RLIMIT_AS      9
#define RLIMIT_LOCKS   10
#define RLIMIT_SIGPENDING 11
#define RLIMIT_MSGQUEUE 12
#define RLIMIT_NICE    13
#define RLIMIT_RTPRIO  14
#define RLIMIT_RTTIME  15
#define RLIMIT_NLIMITS 16
#define RLIM_NLIMITS RLIMIT_NLIMITS

#define PRIO_MIN (-20)
#define PRIO_MAX 20
#define PRIO_PROCESS 0
#define PRIO_PGRP    1
#define PRIO_USER    2

int getrlimit(int, struct rlimit *);
int setrlimit(int, const struct rlimit *);
int getpriority(int, id_t);
int setpriority(int, id_t, int);

#ifdef __cplusplus
}
#endif

#endif

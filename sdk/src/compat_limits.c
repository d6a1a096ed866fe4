/*
 * Resource limits and system numbers: getrlimit()/setrlimit(),
 * getpriority()/setpriority(), getpagesize(), getdtablesize()
 * (sysconf(_SC_OPEN_MAX) is compat_sysconf.c).
 */
#define _WASI_EMULATED_PROCESS_CLOCKS 1
#include <errno.h>
#include <stdint.h>
#include <sys/resource.h>
#include <unistd.h>

#include "compat.h"

/* wasm-ld places the stack between the static data and the heap (unless
 * --stack-first), so its size is the gap, rounded down (wasock-cc's default
 * is 1 MiB; WASOCK_STACK_SIZE or -z stack-size change it). */
extern unsigned char __heap_base, __data_end;

static rlim_t stack_size(void) {
    uintptr_t heap = (uintptr_t)&__heap_base, data = (uintptr_t)&__data_end;
    if (heap <= data || heap - data < 16384)
        return RLIM_INFINITY; /* another layout: not known */
    return (rlim_t)((heap - data) & ~(uintptr_t)15);
}

static struct rlimit limit_of(int resource) {
    struct rlimit r = {RLIM_INFINITY, RLIM_INFINITY};
    if (resource == RLIMIT_STACK)
        r.rlim_cur = r.rlim_max = stack_size();
    else if (resource == RLIMIT_NOFILE)
        r.rlim_cur = r.rlim_max = WASOCK_OPEN_MAX;
    else if (resource == RLIMIT_CORE)
        r.rlim_cur = r.rlim_max = 0;
    return r;
}

int getrlimit(int resource, struct rlimit *rl) {
    if (resource < 0 || resource >= RLIMIT_NLIMITS) {
        errno = EINVAL;
        return -1;
    }
    *rl = limit_of(resource);
    return 0;
}

int setrlimit(int resource, const struct rlimit *rl) {
    if (resource < 0 || resource >= RLIMIT_NLIMITS || rl->rlim_cur > rl->rlim_max) {
        errno = EINVAL;
        return -1;
    }
    struct rlimit now = limit_of(resource);
    if (rl->rlim_cur == now.rlim_cur && rl->rlim_max == now.rlim_max)
        return 0;
    /* Raising past the hard limit is EPERM on Linux; lowering a limit that
     * nothing here would enforce is refused too, rather than pretended. */
    errno = EPERM;
    return -1;
}

int getpriority(int which, id_t who) {
    (void)who;
    if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

int setpriority(int which, id_t who, int prio) {
    (void)who, (void)prio;
    if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER) {
        errno = EINVAL;
        return -1;
    }
    errno = EPERM;
    return -1;
}

int getpagesize(void) { return 65536; }

int getdtablesize(void) { return WASOCK_OPEN_MAX; }

/*
 * Address pools: preopened fds whose prestat tag is 1 (see docs/abi.md).
 *
 * The pools are found once, before main() (a constructor, so that nothing the
 * program does to its fds first can hide one), by walking fds from 3 with
 * fd_prestat_get until it fails.  A cached pool is re-checked before use, so a
 * pool the program has closed (giving the capability up) is forgotten.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define PRESTAT_POOL 1

struct pool {
    int fd;
    char *name;
};

static struct pool *pools;
static int npools;
static int scanned;

static void scan(void) {
    if (scanned)
        return;
    scanned = 1;
    for (int fd = 3; fd > 0; ++fd) {
        __wasi_prestat_t ps;
        if (__wasi_fd_prestat_get((__wasi_fd_t)fd, &ps) != 0)
            break;
        if (ps.tag != PRESTAT_POOL)
            continue; /* a preopened directory */
        size_t len = ps.u.dir.pr_name_len;
        char *name = malloc(len + 1);
        struct pool *grown = realloc(pools, (size_t)(npools + 1) * sizeof *pools);
        if (name == NULL || grown == NULL) {
            free(name);
            if (grown != NULL)
                pools = grown;
            break;
        }
        pools = grown;
        if (__wasi_fd_prestat_dir_name((__wasi_fd_t)fd, (uint8_t *)name, len) != 0)
            len = 0;
        name[len] = '\0';
        pools[npools].fd = fd;
        pools[npools].name = name;
        npools++;
    }
}

__attribute__((constructor(60))) static void scan_at_start(void) { scan(); }

/* Whether fd is still a pool (not closed, not reused by something else). */
static int alive(int fd) {
    __wasi_prestat_t ps;
    return __wasi_fd_prestat_get((__wasi_fd_t)fd, &ps) == 0 && ps.tag == PRESTAT_POOL;
}

/* Drops the pools that are gone.  The callers hold `lock`: threads share
 * the list (the constructor fills it before any thread exists). */
WASOCK_MUTEX(lock);

static void prune(void) {
    scan();
    int kept = 0;
    for (int i = 0; i < npools; ++i) {
        if (alive(pools[i].fd)) {
            pools[kept++] = pools[i];
        } else {
            free(pools[i].name);
        }
    }
    npools = kept;
}

/* The index of the pool with this fd, or this name (fd < 0), or -1. */
static int find(int fd, const char *name) {
    for (int i = 0; i < npools; ++i)
        if (fd >= 0 ? pools[i].fd == fd : strcmp(pools[i].name, name) == 0)
            return i;
    return -1;
}

int wasock_pool_count(void) {
    WASOCK_LOCK(lock);
    prune();
    int n = npools;
    WASOCK_UNLOCK(lock);
    return n;
}

int wasock_pool_at(int index) {
    WASOCK_LOCK(lock);
    prune();
    int fd = index >= 0 && index < npools ? pools[index].fd : -1;
    WASOCK_UNLOCK(lock);
    return fd >= 0 ? fd : __wasock_fail(EINVAL);
}

/* The name stays valid until the pool's fd is closed. */
const char *wasock_pool_name(int pool_fd) {
    WASOCK_LOCK(lock);
    prune();
    int i = pool_fd >= 0 ? find(pool_fd, NULL) : -1;
    const char *name = i >= 0 ? pools[i].name : NULL;
    WASOCK_UNLOCK(lock);
    if (name == NULL)
        errno = EBADF;
    return name;
}

int wasock_pool_find(const char *name) {
    WASOCK_LOCK(lock);
    prune();
    int i = name != NULL ? find(-1, name) : -1;
    int fd = i >= 0 ? pools[i].fd : -1;
    WASOCK_UNLOCK(lock);
    return fd >= 0 ? fd : __wasock_fail(ENOENT);
}

int wasock_pool_default(void) {
    WASOCK_LOCK(lock);
    prune();
    int i = npools == 1 ? 0 : find(-1, "default");
    int fd = i >= 0 ? pools[i].fd : -1;
    WASOCK_UNLOCK(lock);
    return fd >= 0 ? fd : __wasock_fail(ENOTCAPABLE);
}

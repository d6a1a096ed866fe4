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

/* Drops the pools that are gone. */
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

int wasock_pool_count(void) {
    prune();
    return npools;
}

int wasock_pool_at(int index) {
    prune();
    if (index < 0 || index >= npools)
        return __wasock_fail(EINVAL);
    return pools[index].fd;
}

const char *wasock_pool_name(int pool_fd) {
    prune();
    for (int i = 0; i < npools; ++i)
        if (pools[i].fd == pool_fd)
            return pools[i].name;
    errno = EBADF;
    return NULL;
}

int wasock_pool_find(const char *name) {
    prune();
    if (name != NULL)
        for (int i = 0; i < npools; ++i)
            if (strcmp(pools[i].name, name) == 0)
                return pools[i].fd;
    return __wasock_fail(ENOENT);
}

int wasock_pool_default(void) {
    prune();
    if (npools == 1)
        return pools[0].fd;
    for (int i = 0; i < npools; ++i)
        if (strcmp(pools[i].name, "default") == 0)
            return pools[i].fd;
    return __wasock_fail(ENOTCAPABLE);
}

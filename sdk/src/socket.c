/*
 * socket() and wasock_socket() (socketpair() is in descriptors.c).
 *
 * Errors, in the order POSIX checks them:
 *   a family other than AF_INET/AF_INET6 (AF_UNIX included) -> EAFNOSUPPORT
 *   SOCK_RAW, SOCK_SEQPACKET, SOCK_RDM                      -> EPROTONOSUPPORT
 *   a type that is no socket type at all                    -> EINVAL
 *   a protocol that does not fit the type                   -> EPROTONOSUPPORT
 *     (SOCK_STREAM takes 0, IPPROTO_TCP or IPPROTO_WASOCK_TLS: a TLS socket,
 *     <wasock_tls.h>)
 *   no default pool (socket())                              -> ENOTCAPABLE
 */
#include <fcntl.h>
#include <unistd.h>

#include "internal.h"

/* Checks the arguments; returns 0 or an errno value and the base type. */
static int check_args(int domain, int type, int protocol, int *base) {
    *base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (domain != AF_INET && domain != AF_INET6)
        return EAFNOSUPPORT;
    switch (*base) {
    case SOCK_STREAM:
        /* A TLS socket is a stream socket of the ABI's own type 7. */
        if (protocol == IPPROTO_WASOCK_TLS) {
            *base = WASOCK_TYPE_TLS;
            return 0;
        }
        if (protocol != 0 && protocol != IPPROTO_TCP)
            return EPROTONOSUPPORT;
        return 0;
    case SOCK_DGRAM:
        if (protocol != 0 && protocol != IPPROTO_UDP)
            return EPROTONOSUPPORT;
        return 0;
    case SOCK_RAW:
    case SOCK_SEQPACKET:
    case SOCK_RDM:
        return EPROTONOSUPPORT;
    default:
        return EINVAL;
    }
}

static int open_from(int pool, int domain, int base, int type) {
    int32_t fd = -1;
    int err = wasi_ephemeral_sock_open(pool, (uint8_t)domain, (uint8_t)base, &fd);
    if (err != 0)
        return __wasock_fail(err);
    if (type & SOCK_NONBLOCK) {
        err = __wasi_fd_fdstat_set_flags((__wasi_fd_t)fd, __WASI_FDFLAGS_NONBLOCK);
        if (err != 0) {
            (void)__wasi_fd_close((__wasi_fd_t)fd);
            return __wasock_fail(err);
        }
    }
    /* SOCK_CLOEXEC: there is no exec in WASI; nothing to do. */
    return fd;
}

int wasock_socket(int pool_fd, int domain, int type, int protocol) {
    int base;
    int err = check_args(domain, type, protocol, &base);
    if (err != 0)
        return __wasock_fail(err);
    if (pool_fd < 0)
        return __wasock_fail(EBADF);
    return open_from(pool_fd, domain, base, type);
}

int socket(int domain, int type, int protocol) {
    int base;
    int err = check_args(domain, type, protocol, &base);
    if (err != 0)
        return __wasock_fail(err);
    int pool = wasock_pool_default();
    if (pool < 0)
        return __wasock_fail(ENOTCAPABLE);
    return open_from(pool, domain, base, type);
}

/*
 * wasock_connect_name, wasock_tls_connect, wasock_tls_connect_in: the TLS
 * client calls of <wasock_tls.h>.  The TLS itself is the host's; a TLS
 * socket is opened by socket()/wasock_socket() with IPPROTO_WASOCK_TLS
 * (socket.c) and its options are in sockopt.c's table.
 */
#include <arpa/inet.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

int wasock_connect_name(int fd, const char *name, uint16_t port) {
    if (name == NULL)
        return __wasock_fail(EFAULT);
    /* The host checks the length (1..=253) and refuses a NUL inside. */
    int err = wasi_ephemeral_sock_connect_name(fd, name, (uint32_t)strlen(name), port);
    return err ? __wasock_fail(err) : 0;
}

/* Whether a failure in one family leaves the other worth trying: the name
 * has no address there, or that family cannot reach it. */
static int other_family_may_work(int err) {
    return err == ENOENT || err == EADDRNOTAVAIL || err == EAFNOSUPPORT || err == ENETUNREACH ||
           err == EHOSTUNREACH;
}

/* One attempt: a TLS socket of `family` from `pool`, connected by name.
 * Returns the fd, or -1 with errno (the socket closed). */
static int attempt(int pool, int family, const char *name, uint16_t port) {
    int fd = wasock_socket(pool, family, SOCK_STREAM, IPPROTO_WASOCK_TLS);
    if (fd < 0)
        return -1;
    if (wasock_connect_name(fd, name, port) == 0)
        return fd;
    int err = errno;
    close(fd);
    errno = err;
    return -1;
}

int wasock_tls_connect_in(int pool_fd, const char *name, uint16_t port) {
    if (name == NULL)
        return __wasock_fail(EFAULT);
    /* A numeric name in its own family only; a host name IPv4, then IPv6
     * (the host resolves in the socket's family only). */
    unsigned char ip[16];
    int families[2] = {AF_INET, AF_INET6}, n = 2;
    if (inet_pton(AF_INET, name, ip) == 1)
        n = 1;
    else if (inet_pton(AF_INET6, name, ip) == 1)
        families[0] = AF_INET6, n = 1;
    int failed = 0;
    for (int i = 0; i < n; i++) {
        int fd = attempt(pool_fd, families[i], name, port);
        if (fd >= 0)
            return fd;
        if (!other_family_may_work(errno))
            return -1;
        /* Of two failures the more telling: the second, unless it only
         * says the name has no address there. */
        if (failed == 0 || errno != ENOENT)
            failed = errno;
    }
    return __wasock_fail(failed);
}

int wasock_tls_connect(const char *name, uint16_t port) {
    int pool = wasock_pool_default();
    if (pool < 0)
        return __wasock_fail(ENOTCAPABLE);
    return wasock_tls_connect_in(pool, name, port);
}

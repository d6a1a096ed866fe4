/*
 * bind, listen, connect, accept, accept4, shutdown, getsockname, getpeername.
 *
 * accept() and accept4() replace wasi-libc's versions (which call preview-1
 * sock_accept and return no peer address); libwasock.a is linked before
 * libc.a, and defines both so that libc's accept.o is never pulled in.
 */
#include "internal.h"

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
    wasock_addr_t a;
    int err = __wasock_addr_in(addr, len, &a);
    if (err == 0)
        err = wasi_ephemeral_sock_bind(fd, &a);
    return err ? __wasock_fail(err) : 0;
}

int listen(int fd, int backlog) {
    /* A negative backlog becomes a huge unsigned one, which the host (like
     * Linux and the BSDs) takes as the system maximum (somaxconn).  Making it
     * 0 would queue one connection and leave every further SYN to the peer's
     * 1 s retry. */
    int err = wasi_ephemeral_sock_listen(fd, (uint32_t)backlog);
    return err ? __wasock_fail(err) : 0;
}

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
    wasock_addr_t a;
    int err = __wasock_addr_in(addr, len, &a);
    if (err != 0)
        return __wasock_fail(err);
    err = wasi_ephemeral_sock_connect(fd, &a);
    /* A non-blocking stream connect is -1/EINPROGRESS (the host's socket
     * reports it, never an early success); the outcome comes with POLLOUT and
     * SO_ERROR.  Calling connect() again then returns 0 once, and EISCONN
     * after that, as on Linux. */
    return err ? __wasock_fail(err) : 0;
}

int accept4(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict len, int flags) {
    if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
        return __wasock_fail(EINVAL);
    if (addr != NULL && len == NULL)
        return __wasock_fail(EFAULT);
    wasock_addr_t a = {0};
    int32_t nfd = -1;
    uint16_t aflags = (flags & SOCK_NONBLOCK) ? WASOCK_ACCEPT_NONBLOCK : 0;
    int err = wasi_ephemeral_sock_accept(fd, aflags, &nfd, &a);
    if (err != 0)
        return __wasock_fail(err);
    if (addr != NULL)
        __wasock_addr_out(&a, addr, len);
    return nfd;
}

int accept(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict len) {
    return accept4(fd, addr, len, 0);
}

int shutdown(int fd, int how) {
    uint8_t h;
    switch (how) {
    case SHUT_RD:
        h = WASOCK_SHUT_RD;
        break;
    case SHUT_WR:
        h = WASOCK_SHUT_WR;
        break;
    case SHUT_RDWR:
        h = WASOCK_SHUT_RDWR;
        break;
    default:
        return __wasock_fail(EINVAL);
    }
    int err = wasi_ephemeral_sock_shutdown(fd, h);
    return err ? __wasock_fail(err) : 0;
}

static int name_of(int fd, struct sockaddr *addr, socklen_t *len, int remote) {
    if (addr == NULL || len == NULL)
        return __wasock_fail(EFAULT);
    wasock_addr_t a = {0};
    int err = remote ? wasi_ephemeral_sock_addr_remote(fd, &a)
                     : wasi_ephemeral_sock_addr_local(fd, &a);
    if (err != 0)
        return __wasock_fail(err);
    __wasock_addr_out(&a, addr, len);
    return 0;
}

int getsockname(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict len) {
    return name_of(fd, addr, len, 0);
}

int getpeername(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict len) {
    return name_of(fd, addr, len, 1);
}

/*
 * send, recv, sendto, recvfrom, sendmsg, recvmsg.
 *
 * send() and recv() replace wasi-libc's, which reject every flag but
 * MSG_PEEK/MSG_WAITALL (so MSG_NOSIGNAL, common in portable code, failed).
 *
 * Flags: MSG_PEEK and MSG_WAITALL go to the host; MSG_DONTWAIT makes the one
 * call non-blocking; MSG_NOSIGNAL is implied (the host never raises SIGPIPE,
 * a broken connection is EPIPE); MSG_MORE, MSG_EOR, MSG_CONFIRM and
 * MSG_DONTROUTE are accepted hints; MSG_TRUNC on a datagram socket returns the
 * datagram's real length (on a stream socket it discards the data, as on
 * Linux).  Anything else, MSG_OOB included, is EOPNOTSUPP.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "internal.h"

#define SEND_FLAGS (MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE | MSG_EOR | MSG_CONFIRM | MSG_DONTROUTE)
#define RECV_FLAGS (MSG_PEEK | MSG_WAITALL | MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC)

#ifndef IOV_MAX
#define IOV_MAX 1024
#endif

/* One receive through the host: `from` NULL uses recv, else recv_from. */
static int raw_recv(int fd, void *buf, size_t len, int flags, wasock_addr_t *from, uint32_t *n) {
    uint16_t rf = 0;
    if (flags & MSG_PEEK)
        rf |= WASOCK_RECV_PEEK;
    if (flags & MSG_WAITALL)
        rf |= WASOCK_RECV_WAITALL;
    int saved;
    int err = __wasock_dontwait_begin(fd, flags, &saved);
    if (err != 0)
        return err;
    *n = 0;
    if (from != NULL)
        err = wasi_ephemeral_sock_recv_from(fd, buf, (uint32_t)len, rf, n, from);
    else
        err = wasi_ephemeral_sock_recv(fd, buf, (uint32_t)len, rf, n);
    __wasock_dontwait_end(fd, saved);
    return err;
}

static int raw_send(int fd, const void *buf, size_t len, int flags, const wasock_addr_t *to, uint32_t *n) {
    int saved;
    int err = __wasock_dontwait_begin(fd, flags, &saved);
    if (err != 0)
        return err;
    *n = 0;
    if (to != NULL) {
        err = wasi_ephemeral_sock_send_to(fd, buf, (uint32_t)len, 0, to, n);
        /* POSIX: on a connection-mode socket the address is ignored. */
        if (err == EISCONN || err == ENOTSUP) {
            int type;
            if (__wasock_fdstat(fd, &type, NULL) == 0 && type == SOCK_STREAM)
                err = wasi_ephemeral_sock_send(fd, buf, (uint32_t)len, 0, n);
        }
    } else {
        err = wasi_ephemeral_sock_send(fd, buf, (uint32_t)len, 0, n);
    }
    __wasock_dontwait_end(fd, saved);
    return err;
}

/* recv/recvfrom with MSG_TRUNC handled. */
static ssize_t do_recv(int fd, void *buf, size_t len, int flags, wasock_addr_t *from) {
    if (flags & ~RECV_FLAGS)
        return __wasock_fail(EOPNOTSUPP);
    uint32_t n;
    int err;
    if (flags & MSG_TRUNC) {
        int type = SOCK_STREAM;
        (void)__wasock_fdstat(fd, &type, NULL);
        size_t cap = type == SOCK_DGRAM && len < WASOCK_MAX_DATAGRAM ? WASOCK_MAX_DATAGRAM : len;
        void *tmp = __wasock_scratch(cap ? cap : 1);
        if (tmp == NULL)
            return __wasock_fail(ENOMEM);
        err = raw_recv(fd, tmp, cap, flags, from, &n);
        if (err != 0)
            return __wasock_fail(err);
        if (type == SOCK_DGRAM)
            memcpy(buf, tmp, n < len ? n : len);
        return n; /* the whole datagram's length / the bytes discarded */
    }
    err = raw_recv(fd, buf, len, flags, from, &n);
    return err ? __wasock_fail(err) : (ssize_t)n;
}

/* The source of what recvfrom() received.  A stream has no source (the host
 * writes an all-zero record): Linux sets the length to 0 and leaves the
 * buffer alone. */
static void source_out(const wasock_addr_t *from, struct sockaddr *addr, socklen_t *addrlen) {
    if (from->family == 0)
        *addrlen = 0;
    else
        __wasock_addr_out(from, addr, addrlen);
}

ssize_t recv(int fd, void *buf, size_t len, int flags) {
    return do_recv(fd, buf, len, flags, NULL);
}

ssize_t recvfrom(int fd, void *__restrict buf, size_t len, int flags,
                 struct sockaddr *__restrict addr, socklen_t *__restrict addrlen) {
    if (addr == NULL)
        return do_recv(fd, buf, len, flags, NULL);
    if (addrlen == NULL)
        return __wasock_fail(EFAULT);
    wasock_addr_t from = {0};
    ssize_t r = do_recv(fd, buf, len, flags, &from);
    if (r >= 0)
        source_out(&from, addr, addrlen);
    return r;
}

ssize_t send(int fd, const void *buf, size_t len, int flags) {
    if (flags & ~SEND_FLAGS)
        return __wasock_fail(EOPNOTSUPP);
    uint32_t n;
    int err = raw_send(fd, buf, len, flags, NULL, &n);
    return err ? __wasock_fail(err) : (ssize_t)n;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags,
               const struct sockaddr *addr, socklen_t addrlen) {
    if (flags & ~SEND_FLAGS)
        return __wasock_fail(EOPNOTSUPP);
    if (addr == NULL)
        return send(fd, buf, len, flags);
    wasock_addr_t to;
    int err = __wasock_addr_in(addr, addrlen, &to);
    if (err != 0)
        return __wasock_fail(err);
    uint32_t n;
    err = raw_send(fd, buf, len, flags, &to, &n);
    return err ? __wasock_fail(err) : (ssize_t)n;
}

/* Total length of an iovec array, or -1 (errno set) when invalid. */
static ssize_t iov_total(const struct msghdr *msg) {
    if (msg == NULL)
        return __wasock_fail(EFAULT);
    if (msg->msg_iovlen < 0 || msg->msg_iovlen > IOV_MAX)
        return __wasock_fail(EMSGSIZE);
    if (msg->msg_iovlen > 0 && msg->msg_iov == NULL)
        return __wasock_fail(EFAULT);
    size_t total = 0;
    for (int i = 0; i < msg->msg_iovlen; ++i) {
        size_t l = msg->msg_iov[i].iov_len;
        if (l > (size_t)SSIZE_MAX - total)
            return __wasock_fail(EINVAL);
        total += l;
    }
    return (ssize_t)total;
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags) {
    ssize_t total = iov_total(msg);
    if (total < 0)
        return -1;
    if (msg->msg_control != NULL && msg->msg_controllen > 0)
        return __wasock_fail(EOPNOTSUPP); /* no ancillary data in wasock */
    const void *buf = NULL;
    void *joined = NULL;
    if (msg->msg_iovlen == 1) {
        buf = msg->msg_iov[0].iov_base;
    } else if (msg->msg_iovlen > 1) {
        /* One host call, so a datagram stays one datagram. */
        joined = malloc(total ? (size_t)total : 1);
        if (joined == NULL)
            return __wasock_fail(ENOMEM);
        size_t off = 0;
        for (int i = 0; i < msg->msg_iovlen; ++i) {
            memcpy((char *)joined + off, msg->msg_iov[i].iov_base, msg->msg_iov[i].iov_len);
            off += msg->msg_iov[i].iov_len;
        }
        buf = joined;
    }
    ssize_t r;
    if (msg->msg_name != NULL && msg->msg_namelen > 0)
        r = sendto(fd, buf, (size_t)total, flags, (const struct sockaddr *)msg->msg_name,
                   msg->msg_namelen);
    else
        r = send(fd, buf, (size_t)total, flags);
    free(joined);
    return r;
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags) {
    ssize_t total = iov_total(msg);
    if (total < 0)
        return -1;
    if (flags & ~RECV_FLAGS)
        return __wasock_fail(EOPNOTSUPP);
    int type = SOCK_STREAM;
    (void)__wasock_fdstat(fd, &type, NULL);
    /* A stream has no source (see source_out). */
    int want_name = msg->msg_name != NULL && msg->msg_namelen > 0 && type != SOCK_STREAM;
    if (type == SOCK_STREAM)
        msg->msg_namelen = 0;
    wasock_addr_t from = {0};
    uint32_t n;
    int err;
    size_t copied;
    ssize_t result;
    msg->msg_flags = 0;

    if (type != SOCK_DGRAM && msg->msg_iovlen == 1 && !(flags & MSG_TRUNC)) {
        err = raw_recv(fd, msg->msg_iov[0].iov_base, (size_t)total, flags,
                       want_name ? &from : NULL, &n);
        if (err != 0)
            return __wasock_fail(err);
        result = n;
    } else {
        /* Receive into one buffer, then scatter.  A datagram gets a buffer
         * big enough for any datagram, to detect truncation. */
        size_t cap = (size_t)total;
        if (type == SOCK_DGRAM && cap < WASOCK_MAX_DATAGRAM)
            cap = WASOCK_MAX_DATAGRAM;
        char *tmp = __wasock_scratch(cap ? cap : 1);
        if (tmp == NULL)
            return __wasock_fail(ENOMEM);
        err = raw_recv(fd, tmp, cap, flags, want_name ? &from : NULL, &n);
        if (err != 0)
            return __wasock_fail(err);
        copied = n < (size_t)total ? n : (size_t)total;
        if (type == SOCK_DGRAM || !(flags & MSG_TRUNC)) {
            size_t off = 0;
            for (int i = 0; i < msg->msg_iovlen && off < copied; ++i) {
                size_t l = msg->msg_iov[i].iov_len;
                if (l > copied - off)
                    l = copied - off;
                memcpy(msg->msg_iov[i].iov_base, tmp + off, l);
                off += l;
            }
        }
        if (type == SOCK_DGRAM && n > (size_t)total)
            msg->msg_flags |= MSG_TRUNC;
        result = (flags & MSG_TRUNC) ? (ssize_t)n : (ssize_t)copied;
    }
    if (want_name)
        __wasock_addr_out(&from, (struct sockaddr *)msg->msg_name, &msg->msg_namelen);
    msg->msg_controllen = 0;
    return result;
}

/*
 * sendmmsg, recvmmsg: an array of struct mmsghdr as one host call
 * (send_batch / recv_batch), which is one kernel sendmmsg / recvmmsg.
 *
 * wasi-libc declares both and struct mmsghdr under _GNU_SOURCE but its
 * libc.a defines neither.  Each message's struct iovec array goes to the
 * host as it is (wasm32's iovec is the ABI's), so nothing is copied.
 *
 * Linux's rules kept: vlen past UIO_MAXIOV (1024) is 1024; a message with
 * more than IOV_MAX iovecs is EMSGSIZE, control data EOPNOTSUPP (wasock
 * carries none).  A bad message k > 0 (an unconvertible address, too many
 * iovecs) ends the batch at k, which is returned; the next call meets the
 * error, as Linux's sendmmsg reports an error after the first message.
 *
 * recvmmsg's timeout: Linux only looks at it after each datagram arrives (it
 * never bounds the wait for one, see recvmmsg(2) BUGS).  So does this: with a
 * timeout the batch is received in rounds with MSG_WAITFORONE, and the clock
 * is checked after each round; datagrams already queued when it ran out are
 * taken in the same round (Linux stops at the datagram after the deadline).
 * The timeout is not updated with the time left.  MSG_TRUNC in flags is
 * EOPNOTSUPP (msg_len is always the bytes stored; msg_flags says MSG_TRUNC).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#include "internal.h"

#define BATCH_MAX 1024
/* Records for a batch this size live on the stack: no allocation per call
 * for the usual batch (32 or 64 datagrams). */
#define STACK_RECORDS 64

/* The host records for vlen messages (capped at BATCH_MAX, as Linux caps
 * vlen): `stack` when they fit, else the heap (NULL when that fails). */
static wasock_dgram_t *batch_records(unsigned int *vlen, wasock_dgram_t *stack) {
    if (*vlen > BATCH_MAX)
        *vlen = BATCH_MAX;
    return *vlen <= STACK_RECORDS ? stack : malloc(*vlen * sizeof *stack);
}

static void batch_records_free(wasock_dgram_t *recs, const wasock_dgram_t *stack) {
    if (recs != stack)
        free(recs);
}
#define SEND_FLAGS (MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE | MSG_EOR | MSG_CONFIRM | MSG_DONTROUTE)
#define RECV_FLAGS (MSG_PEEK | MSG_WAITALL | MSG_DONTWAIT | MSG_WAITFORONE | MSG_CMSG_CLOEXEC)

#ifndef IOV_MAX
#define IOV_MAX 1024
#endif

_Static_assert(sizeof(struct iovec) == sizeof(wasock_iovec_t), "iovec is the ABI's");

/* The records of messages [0, *n) of vec; a bad message k ends them at k
 * (*n = k) and its errno is returned when it is the first. */
static int records(struct mmsghdr *vec, unsigned int *n, wasock_dgram_t *out, int sending) {
    for (unsigned int i = 0; i < *n; ++i) {
        const struct msghdr *m = &vec[i].msg_hdr;
        int err = 0;
        memset(&out[i], 0, sizeof out[i]);
        if (m->msg_iovlen < 0 || m->msg_iovlen > IOV_MAX)
            err = EMSGSIZE;
        else if (sending && m->msg_control != NULL && m->msg_controllen > 0)
            err = EOPNOTSUPP;
        else if (sending && m->msg_name != NULL && m->msg_namelen > 0)
            err = __wasock_addr_in((const struct sockaddr *)m->msg_name, m->msg_namelen, &out[i].addr);
        if (err != 0) {
            *n = i;
            return i == 0 ? err : 0;
        }
        out[i].iovs = (const wasock_iovec_t *)m->msg_iov;
        out[i].iovs_len = (uint32_t)m->msg_iovlen;
    }
    return 0;
}

int sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, unsigned int flags) {
    if (flags & ~(unsigned int)SEND_FLAGS)
        return __wasock_fail(EOPNOTSUPP);
    if (vlen == 0)
        return 0;
    wasock_dgram_t stack[STACK_RECORDS];
    wasock_dgram_t *recs = batch_records(&vlen, stack);
    if (recs == NULL)
        return __wasock_fail(ENOMEM);
    int err = records(vec, &vlen, recs, 1);
    uint32_t sent = 0;
    int saved;
    if (err == 0)
        err = __wasock_dontwait_begin(fd, (int)flags, &saved);
    if (err == 0) {
        err = wasi_ephemeral_sock_send_batch(fd, recs, vlen, 0, &sent);
        __wasock_dontwait_end(fd, saved);
    }
    for (uint32_t i = 0; err == 0 && i < sent; ++i)
        vec[i].msg_len = recs[i].len;
    batch_records_free(recs, stack);
    return err ? __wasock_fail(err) : (int)sent;
}

/* One recv_batch into vec[0, vlen): writes the lengths, flags and sources. */
static int recv_round(int fd, struct mmsghdr *vec, unsigned int vlen, unsigned int flags,
                      wasock_dgram_t *recs, uint32_t *got) {
    unsigned int n = vlen;
    *got = 0; /* a failed round received nothing */
    int err = records(vec, &n, recs, 0);
    if (err != 0 || n == 0)
        return err;
    uint16_t rf = (flags & MSG_PEEK ? WASOCK_RECV_PEEK : 0) | (flags & MSG_WAITALL ? WASOCK_RECV_WAITALL : 0) |
                  (flags & MSG_WAITFORONE ? WASOCK_RECV_WAITFORONE : 0);
    int saved;
    err = __wasock_dontwait_begin(fd, (int)flags, &saved);
    if (err != 0)
        return err;
    err = wasi_ephemeral_sock_recv_batch(fd, recs, n, rf, got);
    __wasock_dontwait_end(fd, saved);
    if (err != 0)
        return err;
    int type = SOCK_DGRAM;
    (void)__wasock_fdstat(fd, &type, NULL);
    for (uint32_t i = 0; i < *got; ++i) {
        struct msghdr *m = &vec[i].msg_hdr;
        vec[i].msg_len = recs[i].len;
        m->msg_flags = recs[i].flags & WASOCK_DGRAM_TRUNCATED ? MSG_TRUNC : 0;
        m->msg_controllen = 0;
        if (type == SOCK_STREAM) /* a stream has no source, as recvmsg */
            m->msg_namelen = 0;
        else if (m->msg_name != NULL && m->msg_namelen > 0)
            __wasock_addr_out(&recs[i].addr, (struct sockaddr *)m->msg_name, &m->msg_namelen);
    }
    return 0;
}

static int expired(const struct timespec *deadline) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > deadline->tv_sec || (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

int recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, unsigned int flags, struct timespec *timeout) {
    if (flags & ~(unsigned int)RECV_FLAGS)
        return __wasock_fail(EOPNOTSUPP);
    if (timeout != NULL && (timeout->tv_sec < 0 || timeout->tv_nsec < 0 || timeout->tv_nsec >= 1000000000L))
        return __wasock_fail(EINVAL);
    if (vlen == 0)
        return 0;
    wasock_dgram_t stack[STACK_RECORDS];
    wasock_dgram_t *recs = batch_records(&vlen, stack);
    if (recs == NULL)
        return __wasock_fail(ENOMEM);
    uint32_t got = 0;
    int err;
    if (timeout == NULL) {
        err = recv_round(fd, vec, vlen, flags, recs, &got);
    } else {
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += timeout->tv_sec;
        deadline.tv_nsec += timeout->tv_nsec;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec += 1;
            deadline.tv_nsec -= 1000000000L;
        }
        unsigned int total = 0;
        do {
            err = recv_round(fd, vec + total, vlen - total, flags | MSG_WAITFORONE, recs, &got);
            total += got;
        } while (err == 0 && total < vlen && !(flags & MSG_WAITFORONE) && !expired(&deadline));
        /* An error after some datagrams is their count, as Linux. */
        if (total > 0)
            err = 0;
        got = total;
    }
    batch_records_free(recs, stack);
    return err ? __wasock_fail(err) : (int)got;
}

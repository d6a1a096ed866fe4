/*
 * poll(): straight over poll_oneoff, with Linux's semantics.  It replaces
 * wasi-libc's, which fails the whole call with ENOSYS for an entry with
 * events == 0 (an idle entry, a normal POSIX habit), reports the preview-1
 * hang-up flag as POLLHUP and drops POLLOUT with it (Linux keeps POLLOUT
 * after shutdown(SHUT_RDWR)), and cannot report POLLRDHUP or an error.
 *
 * Each entry (fd >= 0) becomes a read subscription when it asks for POLLIN,
 * POLLRDNORM or POLLRDHUP, or for nothing the host can wait for (events 0,
 * or only POLLPRI/POLLRDBAND/POLLWRBAND, which never occur): its error and
 * hang-up still show that way.  It becomes a write subscription when it asks
 * for POLLOUT or POLLWRNORM.  For a socket the host's event flags (see the
 * notes of include/wasi_ephemeral_sock.spec) say which of POLLHUP, POLLERR
 * and POLLRDHUP hold and whether the fd is readable or writable at all;
 * stdin and files, which wasmtime-wasi serves, set none of those bits and
 * are ready when their event comes.  A bad fd is the event error badf:
 * POLLNVAL.
 *
 * An event that shows nothing its entry asked for (an idle entry's socket
 * became readable) drops that subscription, and the wait goes on for the
 * rest of the timeout.  Such an entry is then not watched for the rest of
 * the call: Linux would still wake for its hang-up, wasock reports it on the
 * next call.
 */
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>

#include "internal.h"

#define READ_EVENTS (POLLIN | POLLRDNORM | POLLRDHUP)
#define WRITE_EVENTS (POLLOUT | POLLWRNORM)
/* Reported whether asked for or not. */
#define ALWAYS (POLLERR | POLLHUP | POLLNVAL)
/* Up to this many subscriptions live on the stack. */
#define STACK_SUBS 33
#define CLOCK_USERDATA UINT64_MAX
#define NO_TIMEOUT UINT64_MAX

_Static_assert((WASOCK_EVENT_HANGUP | WASOCK_EVENT_ERROR | WASOCK_EVENT_READ_CLOSED | WASOCK_EVENT_NOT_READY) ==
                   0xf,
               "event flag bits");

/* What one event means for an entry that asked for `events`. */
static short revents_of(const __wasi_event_t *e, short events) {
    if (e->error == __WASI_ERRNO_BADF)
        return POLLNVAL;
    if (e->error != 0)
        return POLLERR;
    uint16_t f = e->fd_readwrite.flags;
    short r = 0;
    if (f & WASOCK_EVENT_HANGUP)
        r |= POLLHUP;
    if (f & WASOCK_EVENT_ERROR)
        r |= POLLERR;
    if (f & WASOCK_EVENT_READ_CLOSED)
        r |= POLLRDHUP;
    if (!(f & WASOCK_EVENT_NOT_READY))
        r |= e->type == __WASI_EVENTTYPE_FD_READ ? (POLLIN | POLLRDNORM) : (POLLOUT | POLLWRNORM);
    return r & (events | ALWAYS);
}

/* Removes the subscription with `userdata`, or every subscription of its
 * entry when `whole_entry`; returns how many are left. */
static size_t drop_subs(__wasi_subscription_t *subs, size_t n, uint64_t userdata, int whole_entry) {
    for (size_t k = 0; k < n;) {
        uint64_t u = subs[k].userdata;
        if (whole_entry ? (u >> 1) == (userdata >> 1) : u == userdata)
            subs[k] = subs[--n];
        else
            ++k;
    }
    return n;
}

static __wasi_timestamp_t now_ns(void) {
    __wasi_timestamp_t t = 0;
    (void)__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t);
    return t;
}

/* One poll_oneoff over subs[0..n) plus a relative clock of `wait_ns`
 * (NO_TIMEOUT: none).  Folds the events into fds; returns the number of
 * entries with revents, or -1 (errno set).  *timed_out says the clock fired,
 * *again that the call must go on (a subscription was dropped, or a bad fd
 * answered alone: the host then reports nothing else). */
static int poll_round(struct pollfd *fds, __wasi_subscription_t *subs, size_t *n, __wasi_event_t *events,
                      uint64_t wait_ns, int *ready, int *timed_out, int *again) {
    size_t count = *n;
    if (wait_ns != NO_TIMEOUT || count == 0) {
        subs[count++] = (__wasi_subscription_t){
            .userdata = CLOCK_USERDATA,
            .u.tag = __WASI_EVENTTYPE_CLOCK,
            .u.u.clock = {.id = __WASI_CLOCKID_MONOTONIC, .timeout = wait_ns, .precision = 0, .flags = 0},
        };
    }
    size_t got = 0;
    __wasi_errno_t err = __wasi_poll_oneoff(subs, events, count, &got);
    if (err != 0)
        return __wasock_fail(err);
    *timed_out = *again = 0;
    for (size_t k = 0; k < got; ++k) {
        const __wasi_event_t *e = &events[k];
        if (e->type == __WASI_EVENTTYPE_CLOCK) {
            *timed_out = 1;
            continue;
        }
        struct pollfd *p = &fds[e->userdata >> 1];
        short r = revents_of(e, p->events);
        if (r != 0 && p->revents == 0)
            ++*ready;
        p->revents |= r;
        if (r == 0 || (r & POLLNVAL)) {
            *n = drop_subs(subs, *n, e->userdata, (r & POLLNVAL) != 0);
            *again = 1;
        }
    }
    return 0;
}

int poll(struct pollfd *fds, nfds_t nfds, int timeout) {
    if (nfds > (SIZE_MAX - 1) / (2 * (sizeof(__wasi_subscription_t) + sizeof(__wasi_event_t))))
        return __wasock_fail(EINVAL);
    if (nfds > 0 && fds == NULL)
        return __wasock_fail(EFAULT);
    size_t cap = 2 * nfds + 1;
    __wasi_subscription_t stack_subs[STACK_SUBS];
    __wasi_event_t stack_events[STACK_SUBS];
    __wasi_subscription_t *subs = stack_subs;
    __wasi_event_t *events = stack_events;
    if (cap > STACK_SUBS) {
        subs = malloc(cap * sizeof *subs);
        events = malloc(cap * sizeof *events);
        if (subs == NULL || events == NULL) {
            free(subs);
            free(events);
            return __wasock_fail(ENOMEM);
        }
    }
    size_t n = 0;
    for (nfds_t i = 0; i < nfds; ++i) {
        fds[i].revents = 0;
        if (fds[i].fd < 0)
            continue;
        short ev = fds[i].events;
        __wasi_fd_t fd = (__wasi_fd_t)fds[i].fd;
        if ((ev & READ_EVENTS) || !(ev & WRITE_EVENTS))
            subs[n++] = (__wasi_subscription_t){
                .userdata = (uint64_t)i << 1,
                .u.tag = __WASI_EVENTTYPE_FD_READ,
                .u.u.fd_read.file_descriptor = fd,
            };
        if (ev & WRITE_EVENTS)
            subs[n++] = (__wasi_subscription_t){
                .userdata = ((uint64_t)i << 1) | 1,
                .u.tag = __WASI_EVENTTYPE_FD_WRITE,
                .u.u.fd_write.file_descriptor = fd,
            };
    }
    /* The clock is read only for a positive timeout, where a second round
     * needs to know what is left of it. */
    __wasi_timestamp_t deadline = timeout > 0 ? now_ns() + (__wasi_timestamp_t)timeout * 1000000 : 0;
    int ready = 0, timed_out = 0, again = 0, r = 0;
    do {
        /* Once something is to be reported, only collect what else is ready. */
        uint64_t wait_ns = NO_TIMEOUT;
        if (ready > 0 || timeout == 0) {
            wait_ns = 0;
        } else if (timeout > 0) {
            __wasi_timestamp_t now = now_ns();
            wait_ns = deadline > now ? deadline - now : 0;
        }
        if (ready > 0 && n == 0)
            break;
        r = poll_round(fds, subs, &n, events, wait_ns, &ready, &timed_out, &again);
    } while (r == 0 && !timed_out && (ready == 0 || again));
    if (subs != stack_subs) {
        free(subs);
        free(events);
    }
    return r < 0 ? -1 : ready;
}

/*
 * select(): wasi-libc's pselect() does the work; this replaces wasi-libc's
 * select() only to accept an exceptfds set.  wasi-libc fails the whole call
 * with ENOSYS when exceptfds is not empty, which breaks common code (for
 * example waiting for a non-blocking connect with writefds and exceptfds).
 * WASI has no out-of-band data, so no fd is ever in an exceptional condition:
 * exceptfds is cleared, and a failed connect shows up as writable, with
 * SO_ERROR telling why, exactly as on Linux.
 */
#include <sys/select.h>

#include "internal.h"

int select(int nfds, fd_set *__restrict readfds, fd_set *__restrict writefds,
           fd_set *__restrict exceptfds, struct timeval *__restrict timeout) {
    if (exceptfds != NULL)
        FD_ZERO(exceptfds);
    if (timeout == NULL)
        return pselect(nfds, readfds, writefds, NULL, NULL, NULL);
    if (timeout->tv_sec < 0 || timeout->tv_usec < 0 || timeout->tv_usec >= 1000000)
        return __wasock_fail(EINVAL);
    struct timespec ts = {.tv_sec = timeout->tv_sec, .tv_nsec = (long)timeout->tv_usec * 1000};
    return pselect(nfds, readfds, writefds, NULL, &ts, NULL);
}

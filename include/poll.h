/*
 * wasock overlay for <poll.h>.
 *
 * wasi-libc's poll() (included first) handles POLLIN/POLLRDNORM and
 * POLLOUT/POLLWRNORM and reports POLLERR, POLLHUP and POLLNVAL.  The other
 * event names are defined here so code that asks for them compiles; they are
 * never reported (WASI has no out-of-band data), and an entry that asks only
 * for them fails with ENOSYS, as wasi-libc does for an entry with no
 * POLLIN/POLLOUT.
 */
#ifndef __wasock_poll_h
#define __wasock_poll_h

#include_next <poll.h>

#ifndef POLLPRI
#define POLLPRI    0x0004
#endif
#ifndef POLLRDBAND
#define POLLRDBAND 0x0008
#endif
#ifndef POLLWRBAND
#define POLLWRBAND 0x0010
#endif
#ifndef POLLRDHUP
#define POLLRDHUP  0x0020
#endif

#endif

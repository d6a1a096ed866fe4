/*
 * wasock overlay for <poll.h>.
 *
 * libwasock.a replaces wasi-libc's poll() (sdk/src/poll.c) with one that
 * has Linux's semantics.  wasi-libc's header makes POLLRDNORM and POLLWRNORM
 * the same bits as POLLIN and POLLOUT; here they are bits of their own, as
 * on Linux, so that code asking for both gets both back.  The other names
 * get values that collide with none of wasi-libc's (POLLIN 0x1, POLLOUT 0x2,
 * POLLERR 0x1000, POLLHUP 0x2000, POLLNVAL 0x4000).  POLLPRI, POLLRDBAND
 * and POLLWRBAND are accepted and never reported: WASI has no out-of-band
 * data.
 */
#ifndef __wasock_poll_h
#define __wasock_poll_h

#include_next <poll.h>

/* wasi-libc defines POLLIN as POLLRDNORM (and POLLOUT as POLLWRNORM). */
#undef POLLIN
#undef POLLOUT
#undef POLLRDNORM
#undef POLLWRNORM
#define POLLIN     0x0001
#define POLLOUT    0x0002
#define POLLRDNORM 0x0040
#define POLLWRNORM 0x0080

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

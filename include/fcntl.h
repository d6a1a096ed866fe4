/*
 * wasock overlay for <fcntl.h>: wasi-libc's fcntl(F_GETFL/F_SETFL, O_NONBLOCK)
 * works on sockets as it is; this only adds the historical O_NDELAY alias.
 */
#ifndef __wasock_fcntl_h
#define __wasock_fcntl_h

#include_next <fcntl.h>

#ifndef O_NDELAY
#define O_NDELAY O_NONBLOCK
#endif

#endif

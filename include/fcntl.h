/*
 * wasock overlay for <fcntl.h>: adds F_DUPFD and F_DUPFD_CLOEXEC (Linux's
 * numbers), which libwasock.a's fcntl() serves through the host's fd_dup,
 * and the historical O_NDELAY alias.  F_GETFL/F_SETFL(O_NONBLOCK) work on
 * sockets as they do in wasi-libc.
 */
#ifndef __wasock_fcntl_h
#define __wasock_fcntl_h

#include_next <fcntl.h>

#ifndef O_NDELAY
#define O_NDELAY O_NONBLOCK
#endif
#ifndef F_DUPFD
#define F_DUPFD 0
#endif
#ifndef F_DUPFD_CLOEXEC
#define F_DUPFD_CLOEXEC 1030
#endif

#endif

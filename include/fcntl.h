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
/* Record locks (Linux's numbers). Preview 1 has no locks: libwasock's
 * fcntl() answers unlocking with 0 and taking or testing a lock with
 * ENOLCK, as flock() does (docs/porting.md). */
#ifndef F_GETLK
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#endif
#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#endif
#ifndef F_RDLCK
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#endif

#endif

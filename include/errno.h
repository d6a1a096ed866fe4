/*
 * wasock overlay for <errno.h>: Linux errno names that WASI lacks, so code
 * that mentions them compiles (switch cases, "if (errno == EHOSTDOWN)").
 *
 * WASI's numbers (wasi-libc's E* values) run from 1 to 76; these names get
 * numbers from 120 on, so none equals a WASI errno and none is ever
 * returned by wasi-libc, libwasock or the host.  Programs linked by
 * wasock-cc get glibc's messages for them from strerror() and perror()
 * (libwasock's compat_strerror.c, through -Wl,--wrap=strerror).  Their
 * numbers are not Linux's.
 */
#ifndef __wasock_errno_h
#define __wasock_errno_h

#include_next <errno.h>

#ifndef EHOSTDOWN
#define EHOSTDOWN       120
#endif
#ifndef ESHUTDOWN
#define ESHUTDOWN       121
#endif
#ifndef ESOCKTNOSUPPORT
#define ESOCKTNOSUPPORT 122
#endif
#ifndef EPFNOSUPPORT
#define EPFNOSUPPORT    123
#endif
#ifndef ETOOMANYREFS
#define ETOOMANYREFS    124
#endif
#ifndef EUSERS
#define EUSERS          125
#endif
#ifndef EREMOTEIO
#define EREMOTEIO       126
#endif
#ifndef ENONET
#define ENONET          127
#endif
#ifndef ENODATA
#define ENODATA         128
#endif
#ifndef ETIME
#define ETIME           129
#endif
#ifndef ENOSR
#define ENOSR           130
#endif
#ifndef ENOSTR
#define ENOSTR          131
#endif
#ifndef EBADFD
#define EBADFD          132
#endif
#ifndef ECOMM
#define ECOMM           133
#endif
#ifndef EREMOTE
#define EREMOTE         134
#endif
#ifndef ENOTBLK
#define ENOTBLK         135
#endif
#ifndef ENOTUNIQ
#define ENOTUNIQ        136
#endif
#ifndef ENOMEDIUM
#define ENOMEDIUM       137
#endif
#ifndef ENOKEY
#define ENOKEY          138
#endif
#ifndef ESTRPIPE
#define ESTRPIPE        139
#endif
#ifndef ERESTART
#define ERESTART        140
#endif

#endif

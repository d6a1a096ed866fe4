/*
 * wasock overlay for <stdio.h>: tmpfile() (libwasock, compat_files.c), a
 * file made by mkstemp() in $TMPDIR (else /tmp) and unlinked at once, so
 * it works when that directory is preopened (--dir) and is NULL/ENOENT
 * when it is not.
 */
#ifndef __wasock_stdio_h
#define __wasock_stdio_h

/* wasi-libc declares tmpfile() deprecated ("not defined on WASI"); that
 * declaration is renamed out of the way so that this one is clean. */
#define tmpfile __wasilibc_deprecated_tmpfile
#include_next <stdio.h>
#undef tmpfile

#ifdef __cplusplus
extern "C" {
#endif

FILE *tmpfile(void);

#ifdef __cplusplus
}
#endif

#endif

/*
 * wasock overlay for <stdlib.h>: the temporary-file and path functions
 * wasi-libc hides, implemented by libwasock.a (compat_files.c) over
 * preview 1's files under the preopened directories.
 *
 *   mkstemp, mkostemp, mkstemps, mkostemps   open(O_CREAT|O_EXCL, 0600) of
 *                                            random names (getentropy)
 *   mkdtemp                                  mkdir(0700) likewise
 *   realpath                                 ".", "..", "//" and symlinks
 *        resolved against the current directory; a path outside every
 *        preopened directory is ENOENT, as it is to open()
 */
#ifndef __wasock_stdlib_h
#define __wasock_stdlib_h

#include_next <stdlib.h>

#ifdef __cplusplus
extern "C" {
#endif

int mkstemp(char *);
int mkostemp(char *, int);
int mkstemps(char *, int);
int mkostemps(char *, int, int);
char *mkdtemp(char *);
char *realpath(const char *__restrict, char *__restrict);

#ifdef __cplusplus
}
#endif

#endif

/*
 * wasock overlay for <unistd.h>: wasi-libc's header (included first) hides
 * dup, dup2, dup3, pipe and pipe2 (WASI preview 1 has none); libwasock.a
 * defines them over the host's descriptor calls, so they are declared here
 * where programs expect them.  dup3 and pipe2 are declared in every feature
 * mode (glibc wants _GNU_SOURCE): a declaration nobody calls costs nothing.
 */
#ifndef __wasock_unistd_h
#define __wasock_unistd_h

#include_next <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

int dup(int);
int dup2(int, int);
int dup3(int, int, int);
int pipe(int[2]);
int pipe2(int[2], int);

#ifdef __cplusplus
}
#endif

#endif

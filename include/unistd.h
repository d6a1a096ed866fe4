/*
 * wasock overlay for <unistd.h>.  Each block below is owned by one part of
 * libwasock; keep them separate.
 */
#ifndef __wasock_unistd_h
#define __wasock_unistd_h

#include_next <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- libc compatibility (compat_*.c): what wasi-libc hides --------------
 *   alarm(n)        no SIGALRM is ever delivered: arms nothing, returns 0
 *                   (errno ENOSYS when n > 0); see docs/porting.md
 *   getpagesize()   65536, the WebAssembly page
 *   getdtablesize() 4096, as sysconf(_SC_OPEN_MAX)
 *   chown, fchown, lchown, fchownat   files have no owners: (-1, -1) is a
 *                   no-op that succeeds for an existing file, anything else
 *                   EPERM (as for an unprivileged Linux process)
 */
unsigned alarm(unsigned);
int getpagesize(void);
int getdtablesize(void);
int chown(const char *, uid_t, gid_t);
int fchown(int, uid_t, gid_t);
int lchown(const char *, uid_t, gid_t);
int fchownat(int, const char *, uid_t, gid_t, int);
/* ---- end of libc compatibility ------------------------------------------ */

/* ---- descriptors (descriptors.c): WASI preview 1 has no dup or pipe ------
 *   dup, dup2, dup3   over the host's fd_dup / fd_dup2 (any kind of fd);
 *                     dup3 and pipe2 are declared in every feature mode
 *   pipe, pipe2       a Unix stream socketpair shut one way each (see
 *                     docs/porting.md for how it differs from a kernel pipe)
 */
int dup(int);
int dup2(int, int);
int dup3(int, int, int);
int pipe(int[2]);
int pipe2(int[2], int);
/* ---- end of descriptors ------------------------------------------------- */

#ifdef __cplusplus
}
#endif

#endif

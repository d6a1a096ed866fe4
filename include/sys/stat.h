/*
 * wasock overlay for <sys/stat.h>.  Preview 1 files have no permission
 * bits (the host creates them with its own umask), so libwasock
 * (compat_files.c) gives:
 *   chmod, fchmod, fchmodat, lchmod   -1/ENOSYS once the file is found
 *                                     (ENOENT, EBADF as usual before that)
 *   umask                             remembers the mask and returns the old
 *                                     one (initially 022); it changes nothing
 */
#ifndef __wasock_sys_stat_h
#define __wasock_sys_stat_h

#include_next <sys/stat.h>

#ifdef __cplusplus
extern "C" {
#endif

int chmod(const char *, mode_t);
int fchmod(int, mode_t);
int fchmodat(int, const char *, mode_t, int);
int lchmod(const char *, mode_t);
mode_t umask(mode_t);

#ifdef __cplusplus
}
#endif

#endif

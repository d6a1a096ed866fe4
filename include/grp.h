/*
 * wasock <grp.h> (wasi-libc has none).  A guest has no group database:
 * getgrnam()/getgrgid()/getgrent() return NULL, the _r variants 0 with
 * *result = NULL; initgroups()/setgroups() fail with EPERM.
 */
#ifndef __wasock_grp_h
#define __wasock_grp_h

#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct group {
    char *gr_name;
    char *gr_passwd;
    gid_t gr_gid;
    char **gr_mem;
};

struct group *getgrnam(const char *);
struct group *getgrgid(gid_t);
int getgrnam_r(const char *, struct group *, char *, size_t, struct group **);
int getgrgid_r(gid_t, struct group *, char *, size_t, struct group **);
struct group *getgrent(void);
void setgrent(void);
void endgrent(void);
int initgroups(const char *, gid_t);
int setgroups(size_t, const gid_t *);

#ifdef __cplusplus
}
#endif

#endif

/*
 * wasock <pwd.h> (wasi-libc has none).  A guest has no user database:
 * getpwnam()/getpwuid()/getpwent() return NULL ("no such user", errno left
 * as it was) and the _r variants return 0 with *result = NULL.
 */
#ifndef __wasock_pwd_h
#define __wasock_pwd_h

#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct passwd {
    char *pw_name;
    char *pw_passwd;
    uid_t pw_uid;
    gid_t pw_gid;
    char *pw_gecos;
    char *pw_dir;
    char *pw_shell;
};

struct passwd *getpwnam(const char *);
struct passwd *getpwuid(uid_t);
int getpwnam_r(const char *, struct passwd *, char *, size_t, struct passwd **);
int getpwuid_r(uid_t, struct passwd *, char *, size_t, struct passwd **);
struct passwd *getpwent(void);
void setpwent(void);
void endpwent(void);

#ifdef __cplusplus
}
#endif

#endif

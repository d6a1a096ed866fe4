/*
 * <pwd.h>, <grp.h>: a guest has no user or group database.  Lookups find
 * nothing (NULL, errno unchanged; the _r forms 0 with *result = NULL), the
 * enumerations are empty, and changing group membership is EPERM.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>

struct passwd *getpwnam(const char *name) { (void)name; return NULL; }
struct passwd *getpwuid(uid_t uid) { (void)uid; return NULL; }
struct passwd *getpwent(void) { return NULL; }
void setpwent(void) {}
void endpwent(void) {}

int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len, struct passwd **result) {
    (void)name, (void)pw, (void)buf, (void)len;
    *result = NULL;
    return 0;
}

int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len, struct passwd **result) {
    (void)uid, (void)pw, (void)buf, (void)len;
    *result = NULL;
    return 0;
}

struct group *getgrnam(const char *name) { (void)name; return NULL; }
struct group *getgrgid(gid_t gid) { (void)gid; return NULL; }
struct group *getgrent(void) { return NULL; }
void setgrent(void) {}
void endgrent(void) {}

int getgrnam_r(const char *name, struct group *gr, char *buf, size_t len, struct group **result) {
    (void)name, (void)gr, (void)buf, (void)len;
    *result = NULL;
    return 0;
}

int getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t len, struct group **result) {
    (void)gid, (void)gr, (void)buf, (void)len;
    *result = NULL;
    return 0;
}

int initgroups(const char *user, gid_t group) {
    (void)user, (void)group;
    errno = EPERM;
    return -1;
}

int setgroups(size_t n, const gid_t *list) {
    (void)n, (void)list;
    errno = EPERM;
    return -1;
}

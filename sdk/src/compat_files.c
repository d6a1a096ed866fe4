/*
 * File functions wasi-libc hides, over preview 1's files under the
 * preopened directories: mkstemp() and friends, mkdtemp(), tmpfile(),
 * realpath(); and the permission and ownership calls preview 1 has no
 * equivalent for (chmod: ENOSYS; chown: EPERM unless it changes nothing;
 * umask: remembered, without effect; flock: ENOLCK).  See docs/porting.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

/* ---- temporary files ------------------------------------------------------ */

static const char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/* Replaces the 6 X's before the suffix with random letters, then calls
 * make(path) until it does not fail with EEXIST. */
static int try_names(char *tmpl, int suffixlen, int (*make)(const char *, int), int flags) {
    size_t len = strlen(tmpl);
    if (suffixlen < 0 || len < 6 + (size_t)suffixlen ||
        memcmp(tmpl + len - suffixlen - 6, "XXXXXX", 6) != 0) {
        errno = EINVAL;
        return -1;
    }
    char *x = tmpl + len - suffixlen - 6;
    for (int attempt = 0; attempt < 100; attempt++) {
        unsigned char r[6];
        if (getentropy(r, sizeof r) != 0)
            return -1;
        for (int i = 0; i < 6; i++)
            x[i] = letters[r[i] % (sizeof letters - 1)];
        int fd = make(tmpl, flags);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    memcpy(x, "XXXXXX", 6);
    errno = EEXIST;
    return -1;
}

static int make_file(const char *path, int flags) {
    return open(path, O_RDWR | O_CREAT | O_EXCL | (flags & ~O_ACCMODE), 0600);
}

static int make_dir(const char *path, int flags) {
    (void)flags;
    return mkdir(path, 0700);
}

int mkostemps(char *tmpl, int suffixlen, int flags) { return try_names(tmpl, suffixlen, make_file, flags); }
int mkstemps(char *tmpl, int suffixlen) { return mkostemps(tmpl, suffixlen, 0); }
int mkostemp(char *tmpl, int flags) { return mkostemps(tmpl, 0, flags); }
int mkstemp(char *tmpl) { return mkostemps(tmpl, 0, 0); }

char *mkdtemp(char *tmpl) {
    return try_names(tmpl, 0, make_dir, 0) == 0 ? tmpl : NULL;
}

FILE *tmpfile(void) {
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/tmpfileXXXXXX", dir) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    unlink(path);
    FILE *f = fdopen(fd, "w+");
    if (!f)
        close(fd);
    return f;
}

/* ---- realpath --------------------------------------------------------------- */

/* Is `path` (absolute, normalized) a preopened directory or one of its
 * ancestors?  Those exist even though open() cannot reach them. */
static int above_preopen(const char *path) {
    size_t plen = strlen(path);
    for (__wasi_fd_t fd = 3; fd < 4096; fd++) {
        __wasi_prestat_t ps;
        if (__wasi_fd_prestat_get(fd, &ps) != 0)
            break;
        if (ps.tag != __WASI_PREOPENTYPE_DIR)
            continue;
        size_t n = ps.u.dir.pr_name_len;
        char name[PATH_MAX];
        if (n >= sizeof name || __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, n) != 0)
            continue;
        name[n] = '\0';
        while (n > 1 && name[n - 1] == '/')
            name[--n] = '\0';
        if (plen == 1 && path[0] == '/' && name[0] == '/')
            return 1;
        if (n >= plen && memcmp(name, path, plen) == 0 && (name[plen] == '\0' || name[plen] == '/'))
            return 1;
    }
    return 0;
}

char *realpath(const char *restrict filename, char *restrict resolved) {
    char out[PATH_MAX];  /* the resolved prefix, "" standing for "/" */
    char rest[PATH_MAX]; /* what is left to resolve */
    size_t olen = 0;
    int links = 0;
    if (!filename) {
        errno = EINVAL;
        return NULL;
    }
    if (!*filename) {
        errno = ENOENT;
        return NULL;
    }
    if (filename[0] == '/') {
        if (strlen(filename) >= sizeof rest)
            goto toolong;
        strcpy(rest, filename);
    } else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd))
            return NULL;
        if (snprintf(rest, sizeof rest, "%s/%s", cwd, filename) >= (int)sizeof rest)
            goto toolong;
    }
    out[0] = '\0';
    char *p = rest;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == 1 && p[0] == '.') {
            p += n;
            continue;
        }
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            while (olen > 0 && out[olen - 1] != '/')
                olen--;
            if (olen > 0)
                olen--;
            out[olen] = '\0';
            p += n;
            continue;
        }
        if (olen + 1 + n >= sizeof out)
            goto toolong;
        size_t before = olen;
        out[olen++] = '/';
        memcpy(out + olen, p, n);
        olen += n;
        out[olen] = '\0';
        p += n;
        struct stat st;
        if (lstat(out, &st) != 0) {
            if (above_preopen(out))
                continue; /* a directory outside the sandbox's view */
            return NULL;  /* ENOENT (also for a path outside every preopen) */
        }
        if (S_ISLNK(st.st_mode)) {
            char link[PATH_MAX];
            ssize_t l = readlink(out, link, sizeof link - 1);
            if (l < 0)
                return NULL;
            link[l] = '\0';
            if (++links > 40) {
                errno = ELOOP;
                return NULL;
            }
            char tail[PATH_MAX];
            if (snprintf(tail, sizeof tail, "%s%s%s", link, *p ? "/" : "", p) >= (int)sizeof tail)
                goto toolong;
            strcpy(rest, tail);
            p = rest;
            olen = link[0] == '/' ? 0 : before;
            out[olen] = '\0';
            continue;
        }
        if (*p && !S_ISDIR(st.st_mode)) {
            errno = ENOTDIR;
            return NULL;
        }
    }
    if (olen == 0) {
        out[0] = '/';
        out[1] = '\0';
    }
    if (resolved)
        return strcpy(resolved, out);
    char *r = strdup(out);
    if (!r)
        errno = ENOMEM;
    return r;
toolong:
    errno = ENAMETOOLONG;
    return NULL;
}

/* ---- permissions, owners, locks --------------------------------------------- */

static mode_t current_umask = 022;

/* One atomic exchange: two threads' umask() calls each get an old value. */
mode_t umask(mode_t mask) { return __atomic_exchange_n(&current_umask, mask & 0777, __ATOMIC_SEQ_CST); }

/* The threads build's libc (the rustup target's) defines chmod, fchmod and
 * fchmodat itself, always ENOSYS, in the object that also holds open() and
 * stat(), so libwasock's would clash with it.  There these are the __wrap_
 * names, and wasock-cc -pthread passes -Wl,--wrap=chmod,... so a program's
 * calls still reach them (the Linux answer for a missing file, ENOENT). */
#ifdef _REENTRANT
#define chmod __wrap_chmod
#define fchmod __wrap_fchmod
#define fchmodat __wrap_fchmodat
#endif

int fchmodat(int dirfd, const char *path, mode_t mode, int flag) {
    (void)mode;
    struct stat st;
    if (fstatat(dirfd, path, &st, flag & AT_SYMLINK_NOFOLLOW) != 0)
        return -1;
    errno = ENOSYS;
    return -1;
}

int chmod(const char *path, mode_t mode) { return fchmodat(AT_FDCWD, path, mode, 0); }
int lchmod(const char *path, mode_t mode) { return fchmodat(AT_FDCWD, path, mode, AT_SYMLINK_NOFOLLOW); }

int fchmod(int fd, mode_t mode) {
    (void)mode;
    struct stat st;
    if (fstat(fd, &st) != 0)
        return -1;
    errno = ENOSYS;
    return -1;
}

static int owner_change(uid_t uid, gid_t gid) {
    if (uid == (uid_t)-1 && gid == (gid_t)-1)
        return 0;
    errno = EPERM;
    return -1;
}

int fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flag) {
    struct stat st;
    if (fstatat(dirfd, path, &st, flag & AT_SYMLINK_NOFOLLOW) != 0)
        return -1;
    return owner_change(uid, gid);
}

int chown(const char *path, uid_t uid, gid_t gid) { return fchownat(AT_FDCWD, path, uid, gid, 0); }
int lchown(const char *path, uid_t uid, gid_t gid) {
    return fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW);
}

int fchown(int fd, uid_t uid, gid_t gid) {
    struct stat st;
    if (fstat(fd, &st) != 0)
        return -1;
    return owner_change(uid, gid);
}

int flock(int fd, int op) {
    struct stat st;
    if (fstat(fd, &st) != 0)
        return -1;
    int kind = op & ~LOCK_NB;
    if (kind != LOCK_SH && kind != LOCK_EX && kind != LOCK_UN) {
        errno = EINVAL;
        return -1;
    }
    if (kind == LOCK_UN)
        return 0; /* nothing is ever locked */
    /* Preview 1 has no locks: another process could hold this file at the
     * same time, and pretending to hold a lock would hide that. */
    errno = ENOLCK;
    return -1;
}

/*
 * dup(), dup2(), dup3(), socketpair(), pipe(), pipe2() -- none of which
 * wasi-libc defines (preview 1 has no such calls) -- over the host's
 * fd_dup, fd_dup2 and socketpair imports.  fcntl(F_DUPFD) is in fcntl.c.
 *
 * A duplicate shares everything with its original, as on Linux: the
 * socket, a file's offset, O_NONBLOCK.  There is no exec, so O_CLOEXEC,
 * SOCK_CLOEXEC and FD_CLOEXEC are accepted and mean nothing.
 *
 * pipe() is a Unix stream socketpair shut down one way on each side:
 * fds[0] can only read, fds[1] only write.  The host serves it through the
 * socket paths it already has (read, write, poll, fcntl(O_NONBLOCK), dup,
 * close), so every call that works on a socket works on it, with no new
 * kind of descriptor for each preview-1 call to learn.  What differs from
 * a kernel pipe: fstat() says S_IFSOCK (S_ISFIFO holds anyway, as
 * wasi-libc's S_IFIFO equals its S_IFSOCK); writing the read end
 * is EPIPE and reading the write end returns 0 (a kernel pipe gives EBADF
 * for both); the buffer is a socket's, not 64 KiB; both ends count against
 * the guest's socket cap.  Writing after the read end is closed is EPIPE,
 * with no signal, and reading after the write end is closed is EOF, as
 * for a pipe.
 */
#include <fcntl.h>
#include <unistd.h>

#include "internal.h"

int dup(int fd) {
    int32_t n = -1;
    int err = wasi_ephemeral_sock_fd_dup(fd, 0, &n);
    return err ? __wasock_fail(err) : n;
}

int dup2(int fd, int to) {
    /* Linux: a negative target is EBADF (the host answers the same for
     * any target past its fd limit). */
    if (to < 0)
        return __wasock_fail(EBADF);
    int err = wasi_ephemeral_sock_fd_dup2(fd, (uint32_t)to);
    return err ? __wasock_fail(err) : to;
}

int dup3(int fd, int to, int flags) {
    /* In Linux's order: unknown flags, then the same fd (EINVAL even when
     * it is not open), then dup2's checks. */
    if (flags & ~O_CLOEXEC)
        return __wasock_fail(EINVAL);
    if (fd == to)
        return __wasock_fail(EINVAL);
    return dup2(fd, to);
}

/* Makes `fd` non-blocking; returns 0 or an errno value. */
static int set_nonblock(int fd) {
    int flags;
    int err = __wasock_fdstat(fd, NULL, &flags);
    if (err != 0)
        return err;
    return __wasi_fd_fdstat_set_flags((__wasi_fd_t)fd, (__wasi_fdflags_t)(flags | __WASI_FDFLAGS_NONBLOCK));
}

/* A host socketpair of `base` type with the SOCK_NONBLOCK of `type`;
 * returns 0 or an errno value, and closes both on failure. */
static int make_pair(int base, int type, int sv[2]) {
    int32_t a = -1, b = -1;
    int err = wasi_ephemeral_sock_socketpair((uint8_t)base, &a, &b);
    if (err != 0)
        return err;
    if ((type & SOCK_NONBLOCK) && ((err = set_nonblock(a)) != 0 || (err = set_nonblock(b)) != 0)) {
        (void)__wasi_fd_close((__wasi_fd_t)a);
        (void)__wasi_fd_close((__wasi_fd_t)b);
        return err;
    }
    sv[0] = a;
    sv[1] = b;
    return 0;
}

int socketpair(int domain, int type, int protocol, int sv[2]) {
    int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    /* As Linux: an inet pair is EOPNOTSUPP, other families EAFNOSUPPORT. */
    if (domain == AF_INET || domain == AF_INET6)
        return __wasock_fail(EOPNOTSUPP);
    if (domain != AF_UNIX)
        return __wasock_fail(EAFNOSUPPORT);
    /* Linux's AF_UNIX takes protocol 0 or PF_UNIX. */
    if (protocol != 0 && protocol != PF_UNIX)
        return __wasock_fail(EPROTONOSUPPORT);
    switch (base) {
    case SOCK_STREAM:
    case SOCK_DGRAM:
        break;
    case SOCK_SEQPACKET: /* Linux has it; the ABI's types do not (yet) */
    case SOCK_RAW:
    case SOCK_RDM:
        return __wasock_fail(EPROTONOSUPPORT);
    default:
        return __wasock_fail(EINVAL);
    }
    if (sv == NULL)
        return __wasock_fail(EFAULT);
    int err = make_pair(base, type, sv);
    return err ? __wasock_fail(err) : 0;
}

int pipe2(int fds[2], int flags) {
    if (flags & ~(O_NONBLOCK | O_CLOEXEC))
        return __wasock_fail(EINVAL);
    if (fds == NULL)
        return __wasock_fail(EFAULT);
    int sv[2];
    int err = make_pair(SOCK_STREAM, (flags & O_NONBLOCK) ? SOCK_NONBLOCK : 0, sv);
    if (err != 0)
        return __wasock_fail(err);
    if ((err = wasi_ephemeral_sock_shutdown(sv[0], WASOCK_SHUT_WR)) != 0 ||
        (err = wasi_ephemeral_sock_shutdown(sv[1], WASOCK_SHUT_RD)) != 0) {
        (void)__wasi_fd_close((__wasi_fd_t)sv[0]);
        (void)__wasi_fd_close((__wasi_fd_t)sv[1]);
        return __wasock_fail(err);
    }
    fds[0] = sv[0];
    fds[1] = sv[1];
    return 0;
}

int pipe(int fds[2]) {
    return pipe2(fds, 0);
}

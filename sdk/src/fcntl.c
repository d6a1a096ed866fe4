/*
 * fcntl(), replacing wasi-libc's (one archive member that defines only
 * fcntl) to add F_DUPFD and F_DUPFD_CLOEXEC: the lowest free fd at or
 * above the argument, through the host's fd_dup.  The other commands do
 * exactly what wasi-libc's fcntl does: F_GETFD says FD_CLOEXEC (there is
 * no exec), F_SETFD is accepted, F_GETFL gives the fdflags plus an access
 * mode from the rights, F_SETFL sets the fdflags; anything else is EINVAL.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>

#include "internal.h"

int fcntl(int fd, int cmd, ...) {
    va_list ap;
    va_start(ap, cmd);
    int arg = (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC || cmd == F_SETFD || cmd == F_SETFL) ? va_arg(ap, int) : 0;
    struct flock *lock = (cmd == F_GETLK || cmd == F_SETLK || cmd == F_SETLKW || cmd == F_OFD_GETLK ||
                          cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW)
                             ? va_arg(ap, struct flock *)
                             : NULL;
    va_end(ap);
    switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
        /* Linux: a negative lower bound (or one past the limit) is EINVAL. */
        if (arg < 0)
            return __wasock_fail(EINVAL);
        int32_t n = -1;
        int err = wasi_ephemeral_sock_fd_dup(fd, (uint32_t)arg, &n);
        return err ? __wasock_fail(err) : n;
    }
    case F_GETFD: {
        /* wasi-libc does not check the fd here; Linux does. */
        int err = __wasock_fdstat(fd, NULL, NULL);
        return err ? __wasock_fail(err) : FD_CLOEXEC;
    }
    case F_SETFD: {
        int err = __wasock_fdstat(fd, NULL, NULL);
        return err ? __wasock_fail(err) : 0;
    }
    case F_GETFL: {
        __wasi_fdstat_t st;
        __wasi_errno_t err = __wasi_fd_fdstat_get((__wasi_fd_t)fd, &st);
        if (err != 0)
            return __wasock_fail(err);
        int flags = st.fs_flags;
        if (st.fs_rights_base & (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR))
            flags |= (st.fs_rights_base & __WASI_RIGHTS_FD_WRITE) ? O_RDWR : O_RDONLY;
        else if (st.fs_rights_base & __WASI_RIGHTS_FD_WRITE)
            flags |= O_WRONLY;
        else
            flags |= O_SEARCH;
        return flags;
    }
    case F_SETFL: {
        __wasi_errno_t err = __wasi_fd_fdstat_set_flags((__wasi_fd_t)fd, (__wasi_fdflags_t)(arg & 0xfff));
        return err ? __wasock_fail(err) : 0;
    }
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW: {
        /* No record locks in preview 1: releasing one is done, taking or
         * testing one is ENOLCK (the fd and the request checked first). */
        int err = __wasock_fdstat(fd, NULL, NULL);
        if (err != 0)
            return __wasock_fail(err);
        if (lock == NULL)
            return __wasock_fail(EFAULT);
        if (lock->l_type != F_RDLCK && lock->l_type != F_WRLCK && lock->l_type != F_UNLCK)
            return __wasock_fail(EINVAL);
        bool unlock = lock->l_type == F_UNLCK && cmd != F_GETLK && cmd != F_OFD_GETLK;
        return unlock ? 0 : __wasock_fail(ENOLCK);
    }
    default:
        return __wasock_fail(EINVAL);
    }
}

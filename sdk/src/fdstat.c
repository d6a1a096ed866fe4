/*
 * Small fd helpers: the socket type and flags (fd_fdstat_get), and the
 * temporary non-blocking mode that MSG_DONTWAIT needs (the ABI has no
 * per-call flag for it).  Toggling O_NONBLOCK around one call is not
 * observable in a single thread; with threads, another thread's blocking call
 * on the same socket at that moment sees it (docs/porting.md, "Threads").
 */
#include <stdlib.h>

#include "internal.h"

int __wasock_fdstat(int fd, int *filetype, int *fdflags) {
    __wasi_fdstat_t st;
    __wasi_errno_t err = __wasi_fd_fdstat_get((__wasi_fd_t)fd, &st);
    if (err != 0)
        return err;
    if (filetype)
        *filetype = st.fs_filetype;
    if (fdflags)
        *fdflags = st.fs_flags;
    return 0;
}

int __wasock_dontwait_begin(int fd, int flags, int *saved) {
    *saved = -1;
    if (!(flags & MSG_DONTWAIT))
        return 0;
    int fdflags;
    int err = __wasock_fdstat(fd, NULL, &fdflags);
    if (err != 0)
        return err;
    if (fdflags & __WASI_FDFLAGS_NONBLOCK)
        return 0;
    err = __wasi_fd_fdstat_set_flags((__wasi_fd_t)fd,
                                     (__wasi_fdflags_t)(fdflags | __WASI_FDFLAGS_NONBLOCK));
    if (err != 0)
        return err;
    *saved = fdflags;
    return 0;
}

void __wasock_dontwait_end(int fd, int saved) {
    if (saved >= 0)
        (void)__wasi_fd_fdstat_set_flags((__wasi_fd_t)fd, (__wasi_fdflags_t)saved);
}

/* One buffer per thread in the threads build: a recv blocks while it holds
 * it.  A thread's buffer is freed when the thread exits (a key destructor),
 * so a thread per connection does not leak one per connection. */
static WASOCK_THREAD_LOCAL void *scratch;
static WASOCK_THREAD_LOCAL size_t scratch_len;

#ifdef _REENTRANT
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static void make_scratch_key(void) { (void)pthread_key_create(&scratch_key, free); }
#endif

void *__wasock_scratch(size_t len) {
    if (len <= scratch_len)
        return scratch;
    void *p = realloc(scratch, len);
    if (p == NULL)
        return NULL;
    scratch = p;
    scratch_len = len;
#ifdef _REENTRANT
    (void)pthread_once(&scratch_once, make_scratch_key);
    (void)pthread_setspecific(scratch_key, p);
#endif
    return p;
}

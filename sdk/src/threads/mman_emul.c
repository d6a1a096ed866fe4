/*
 * mmap(), munmap(), mprotect() for the threads build only: what
 * libwasi-emulated-mman gives the plain build (that library is compiled
 * without atomics, which wasm-ld refuses in a shared-memory module).  The
 * same emulation: there is no virtual memory, so a mapping is a malloc'd
 * copy -- zeroed for MAP_ANONYMOUS, read with pread() for a file -- that
 * munmap() frees; MAP_SHARED cannot be written back, so it is read-only,
 * and MAP_FIXED is refused.
 */
#define _WASI_EMULATED_MMAN 1
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Before each mapping: its length, for munmap() to check. */
struct mapping {
    _Alignas(16) size_t length;
};

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset) {
    (void)addr; /* a hint only, without MAP_FIXED */
    int kind = flags & (MAP_PRIVATE | MAP_SHARED);
    if (length == 0 || (flags & MAP_FIXED) || (kind != MAP_PRIVATE && kind != MAP_SHARED) ||
        (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) != 0 ||
        (!(flags & MAP_ANONYMOUS) && (offset < 0 || offset % sysconf(_SC_PAGESIZE) != 0))) {
        errno = EINVAL;
        return MAP_FAILED;
    }
    if (kind == MAP_SHARED && (prot & PROT_WRITE) && !(flags & MAP_ANONYMOUS)) {
        errno = ENOTSUP; /* nothing would write it back to the file */
        return MAP_FAILED;
    }
    if (length > (size_t)-1 - sizeof(struct mapping)) {
        errno = ENOMEM;
        return MAP_FAILED;
    }
    struct mapping *m = malloc(sizeof *m + length);
    if (m == NULL) {
        errno = ENOMEM;
        return MAP_FAILED;
    }
    m->length = length;
    char *p = (char *)(m + 1);
    size_t have = 0;
    if (!(flags & MAP_ANONYMOUS)) {
        while (have < length) {
            ssize_t n = pread(fd, p + have, length - have, offset + (off_t)have);
            if (n < 0) {
                free(m);
                return MAP_FAILED; /* pread's errno, EBADF for a bad fd */
            }
            if (n == 0)
                break; /* past the end of the file: zeroes, as a real mapping */
            have += (size_t)n;
        }
    }
    memset(p + have, 0, length - have);
    return p;
}

int munmap(void *addr, size_t length) {
    struct mapping *m = (struct mapping *)addr - 1;
    if (addr == NULL || m->length != length) {
        errno = EINVAL;
        return -1;
    }
    free(m);
    return 0;
}

int mprotect(void *addr, size_t length, int prot) {
    (void)addr, (void)length;
    if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) != 0) {
        errno = EINVAL;
        return -1;
    }
    return 0; /* no protection to change: the memory stays as it is */
}

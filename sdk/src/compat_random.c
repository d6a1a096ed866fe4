/* getrandom() over getentropy() (preview 1's random_get, 256 bytes a call). */
#include <errno.h>
#include <sys/random.h>
#include <unistd.h>

ssize_t getrandom(void *buf, size_t len, unsigned flags) {
    if (flags & ~(unsigned)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) {
        errno = EINVAL;
        return -1;
    }
    if (len > 0x7fffffff)
        len = 0x7fffffff;
    unsigned char *p = buf;
    for (size_t done = 0; done < len;) {
        size_t n = len - done > 256 ? 256 : len - done;
        if (getentropy(p + done, n) != 0)
            return done ? (ssize_t)done : -1;
        done += n;
    }
    return (ssize_t)len;
}

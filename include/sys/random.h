/*
 * wasock overlay for <sys/random.h>: getrandom() over preview 1's
 * random_get (libwasock, compat_random.c).  It fills the whole buffer and
 * never blocks; GRND_NONBLOCK, GRND_RANDOM, GRND_INSECURE are accepted,
 * other flags are EINVAL.
 */
#ifndef __wasock_sys_random_h
#define __wasock_sys_random_h

#include_next <sys/random.h>

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef GRND_NONBLOCK
#define GRND_NONBLOCK 0x0001
#define GRND_RANDOM   0x0002
#define GRND_INSECURE 0x0004
#endif

ssize_t getrandom(void *, size_t, unsigned);

#ifdef __cplusplus
}
#endif

#endif

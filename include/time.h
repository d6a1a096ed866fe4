/*
 * wasock overlay for <time.h>: tzset() and its variables.  A guest has no
 * time zone data and wasi-libc's localtime() is gmtime(): the zone is
 * always UTC (tzname "UTC", timezone 0, daylight 0).
 */
#ifndef __wasock_time_h
#define __wasock_time_h

#include_next <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Declared in the feature modes glibc and musl declare them in, so that
 * strict ISO C code may still use these names for its own things. */
#if defined(_POSIX_SOURCE) || defined(_POSIX_C_SOURCE) || defined(_XOPEN_SOURCE) || \
    defined(_GNU_SOURCE) || defined(_BSD_SOURCE)
void tzset(void);
extern char *tzname[2];
#endif
#if defined(_XOPEN_SOURCE) || defined(_GNU_SOURCE) || defined(_BSD_SOURCE)
extern long timezone;
extern int daylight;
#endif

#ifdef __cplusplus
}
#endif

#endif

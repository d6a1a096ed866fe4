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

void tzset(void);
extern char *tzname[2];
extern long timezone;
extern int daylight;

#ifdef __cplusplus
}
#endif

#endif

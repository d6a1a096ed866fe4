/*
 * wasock overlay for <sys/time.h>.
 *   gettimeofday   libwasock's: also fills a non-NULL struct timezone (UTC: 0, 0)
 *   getitimer      no timer is ever armed: all zero
 *   setitimer      disarming (it_value 0) succeeds; arming is -1/ENOSYS,
 *                  because a guest never receives SIGALRM/SIGVTALRM/SIGPROF
 *                  and a program waiting for one would wait forever
 */
#ifndef __wasock_sys_time_h
#define __wasock_sys_time_h

#include_next <sys/time.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef ITIMER_REAL
#define ITIMER_REAL    0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF    2
#endif

struct itimerval {
    struct timeval it_interval;
    struct timeval it_value;
};

int getitimer(int, struct itimerval *);
int setitimer(int, const struct itimerval *__restrict, struct itimerval *__restrict);

#if !defined(_GNU_SOURCE) && !defined(_BSD_SOURCE)
struct timezone {
    int tz_minuteswest;
    int tz_dsttime;
};
#endif

#ifdef __cplusplus
}
#endif

#endif

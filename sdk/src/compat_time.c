/*
 * Time and timers: tzset() (always UTC), gettimeofday() with its timezone
 * argument, and the timers a guest can never receive: getitimer() reports
 * none armed, setitimer() refuses to arm one (ENOSYS), alarm() arms nothing.
 * A signal that never comes must not be promised: a program that waits for
 * SIGALRM would wait forever.
 */
#define _WASI_EMULATED_SIGNAL 1
#include <errno.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static char utc[] = "UTC";
char *tzname[2] = {utc, utc};
long timezone;
int daylight;

void tzset(void) {
    tzname[0] = tzname[1] = utc;
    timezone = 0;
    daylight = 0;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tzp) {
    if (tv) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        tv->tv_sec = ts.tv_sec;
        tv->tv_usec = (suseconds_t)(ts.tv_nsec / 1000);
    }
    if (tzp) {
        struct timezone *tz = tzp;
        tz->tz_minuteswest = 0;
        tz->tz_dsttime = 0;
    }
    return 0;
}

static int valid_timer(int which) {
    return which == ITIMER_REAL || which == ITIMER_VIRTUAL || which == ITIMER_PROF;
}

int getitimer(int which, struct itimerval *value) {
    if (!valid_timer(which)) {
        errno = EINVAL;
        return -1;
    }
    if (!value) { /* Linux's EFAULT; in wasm a write to 0 would not trap */
        errno = EFAULT;
        return -1;
    }
    memset(value, 0, sizeof *value);
    return 0;
}

int setitimer(int which, const struct itimerval *restrict value, struct itimerval *restrict old) {
    /* A NULL value disarms, as Linux takes it (a deprecated misfeature, but
     * what the oracle does). */
    static const struct itimerval disarmed;
    if (!value)
        value = &disarmed;
    if (!valid_timer(which) || value->it_value.tv_usec < 0 || value->it_value.tv_usec >= 1000000 ||
        value->it_interval.tv_usec < 0 || value->it_interval.tv_usec >= 1000000) {
        errno = EINVAL;
        return -1;
    }
    if (value->it_value.tv_sec != 0 || value->it_value.tv_usec != 0) {
        errno = ENOSYS; /* the timer's signal could never be delivered */
        return -1;
    }
    if (old)
        memset(old, 0, sizeof *old);
    return 0;
}

unsigned alarm(unsigned seconds) {
    if (seconds)
        errno = ENOSYS;
    return 0;
}

/*
 * alarm(), setitimer() and getitimer() against Linux (e2e/tests/timers.rs).
 * Lines starting "same:" must match the native build's; where a sandbox
 * honestly cannot do what Linux does (arm a timer whose signal it would
 * never get), the guest prints "wasi:" lines and Linux "linux:" lines, and
 * the test checks each side's on its own.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "oracle.h"

static int zero(const struct itimerval *v) {
    return v->it_value.tv_sec == 0 && v->it_value.tv_usec == 0 && v->it_interval.tv_sec == 0 &&
           v->it_interval.tv_usec == 0;
}

#ifdef __wasi__
#define PLATFORM "wasi"
#else
#define PLATFORM "linux"
#endif

int main(void) {
    struct itimerval v, old;
    memset(&old, 0xff, sizeof old);
    /* (Each call is made before the printf that shows it: the order in
     * which a printf's arguments are evaluated is unspecified.) */
    const char *r = res(getitimer(ITIMER_REAL, &old));
    printf("same: getitimer fresh=%s zero=%d\n", r, zero(&old));
    printf("same: getitimer bad timer=%s\n", res(getitimer(99, &old)));
    errno = 0;
    printf("same: getitimer NULL=%s\n", res(getitimer(ITIMER_REAL, NULL)));

    memset(&v, 0, sizeof v);
    memset(&old, 0xff, sizeof old);
    r = res(setitimer(ITIMER_REAL, &v, &old));
    printf("same: setitimer disarm=%s old zero=%d\n", r, zero(&old));
    printf("same: setitimer NULL value=%s\n", res(setitimer(ITIMER_REAL, NULL, NULL)));
    printf("same: setitimer bad timer=%s\n", res(setitimer(99, &v, NULL)));
    v.it_value.tv_usec = 1000000;
    printf("same: setitimer usec 1000000=%s\n", res(setitimer(ITIMER_REAL, &v, NULL)));
    v.it_value.tv_usec = 0;
    v.it_interval.tv_sec = 5; /* an interval with no value arms nothing */
    printf("same: setitimer interval only=%s\n", res(setitimer(ITIMER_REAL, &v, NULL)));
    r = res(getitimer(ITIMER_REAL, &old));
    printf("same: getitimer after=%s zero=%d\n", r, zero(&old));
    printf("same: alarm 0=%u\n", alarm(0));

    /* Arming: Linux arms (and is disarmed again before the signal could
     * come); the sandbox refuses, since the signal would never come. */
    memset(&v, 0, sizeof v);
    v.it_value.tv_sec = 30;
    printf(PLATFORM ": setitimer arm=%s\n", res(setitimer(ITIMER_REAL, &v, NULL)));
    getitimer(ITIMER_REAL, &old);
    printf(PLATFORM ": getitimer armed=%d\n", !zero(&old));
    memset(&v, 0, sizeof v);
    setitimer(ITIMER_REAL, &v, NULL);
    errno = 0;
    unsigned first = alarm(30);
    printf(PLATFORM ": alarm 30=%u %s\n", first, err_name(errno));
    printf(PLATFORM ": alarm 0 after=%u\n", alarm(0));
    printf("same: done\n");
    return 0;
}

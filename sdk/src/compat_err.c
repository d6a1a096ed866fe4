/*
 * err(), errx(), warn(), warnx() and their v* forms (declared by wasi-libc's
 * <err.h>, never defined).  The output is glibc's and the BSDs':
 *   warn:  "PROG: MESSAGE: STRERROR\n"   warnx: "PROG: MESSAGE\n"
 * on stderr, where PROG is the basename of argv[0]; err/errx then exit.
 */
#include <err.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#include "threads.h"

/* The program's name: the basename of argv[0] (wasi-libc never sets
 * __progname), read once from preview 1's args. */
static const char *progname(void) {
    /* Per thread in the threads build: no lock, and no race on `done`. */
    static WASOCK_THREAD_LOCAL char name[256];
    static WASOCK_THREAD_LOCAL int done;
    if (!done) {
        done = 1;
        __wasi_size_t argc = 0, size = 0;
        if (__wasi_args_sizes_get(&argc, &size) == 0 && argc > 0 && size > 0) {
            char **argv = malloc(argc * sizeof *argv);
            char *buf = malloc(size);
            if (argv && buf && __wasi_args_get((uint8_t **)argv, (uint8_t *)buf) == 0) {
                const char *slash = strrchr(argv[0], '/');
                const char *base = slash ? slash + 1 : argv[0];
                strncpy(name, base, sizeof name - 1);
            }
            free(argv);
            free(buf);
        }
    }
    return name;
}

void vwarn(const char *fmt, va_list ap) {
    int e = errno;
    fprintf(stderr, "%s: ", progname());
    if (fmt) {
        vfprintf(stderr, fmt, ap);
        fputs(": ", stderr);
    }
    fprintf(stderr, "%s\n", strerror(e));
    errno = e;
}

void vwarnx(const char *fmt, va_list ap) {
    fprintf(stderr, "%s: ", progname());
    if (fmt)
        vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

_Noreturn void verr(int status, const char *fmt, va_list ap) {
    vwarn(fmt, ap);
    exit(status);
}

_Noreturn void verrx(int status, const char *fmt, va_list ap) {
    vwarnx(fmt, ap);
    exit(status);
}

void warn(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vwarn(fmt, ap);
    va_end(ap);
}

void warnx(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vwarnx(fmt, ap);
    va_end(ap);
}

_Noreturn void err(int status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    verr(status, fmt, ap);
}

_Noreturn void errx(int status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    verrx(status, fmt, ap);
}

/*
 * <syslog.h>: a guest has no syslog daemon; its log is stderr.  Each
 * message that setlogmask() lets through is one line:
 *   "IDENT: LEVEL: MESSAGE\n"   ("IDENT[PID]: ..." with LOG_PID)
 * IDENT is openlog()'s, else "syslog".  %m is strerror(errno), as in glibc.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "compat.h"

static const char *log_ident;
static int log_option;
static int log_mask = 0xff;

static const char *const level_names[8] = {
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

void openlog(const char *ident, int option, int facility) {
    (void)facility;
    log_ident = ident;
    log_option = option;
}

void closelog(void) {
    log_ident = NULL;
    log_option = 0;
}

int setlogmask(int mask) {
    int old = log_mask;
    if (mask != 0)
        log_mask = mask;
    return old;
}

void vsyslog(int priority, const char *fmt, va_list ap) {
    int e = errno;
    if (!(log_mask & LOG_MASK(LOG_PRI(priority))))
        return;
    /* Expand %m (and keep %% intact for vfprintf). */
    char expanded[1024];
    size_t n = 0;
    for (const char *p = fmt; *p && n < sizeof expanded - 1; p++) {
        if (p[0] == '%' && p[1] == 'm') {
            const char *s = strerror(e);
            while (*s && n < sizeof expanded - 1) {
                if (*s == '%' && n < sizeof expanded - 2)
                    expanded[n++] = '%';
                expanded[n++] = *s++;
            }
            p++;
        } else if (p[0] == '%' && p[1] == '%' && n < sizeof expanded - 2) {
            expanded[n++] = *p++;
            expanded[n++] = *p;
        } else {
            expanded[n++] = *p;
        }
    }
    expanded[n] = '\0';
    const char *ident = log_ident ? log_ident : "syslog";
    if (log_option & LOG_PID)
        fprintf(stderr, "%s[%d]: %s: ", ident, (int)__wasock_self_pid(), level_names[LOG_PRI(priority)]);
    else
        fprintf(stderr, "%s: %s: ", ident, level_names[LOG_PRI(priority)]);
    vfprintf(stderr, expanded, ap);
    if (n == 0 || expanded[n - 1] != '\n')
        fputc('\n', stderr);
    errno = e;
}

void syslog(int priority, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsyslog(priority, fmt, ap);
    va_end(ap);
}

/*
 * Helpers for the C programs that are built both natively (gcc, on Linux)
 * and as guests, and whose outputs the e2e suites compare line for line:
 * errno values are printed by name, since WASI's numbers are not Linux's.
 */
#ifndef WASOCK_ORACLE_H
#define WASOCK_ORACLE_H

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* errno's name ("0" for none); one list for every oracle program. */
static inline const char *err_name(int e) {
    switch (e) {
    case 0: return "0";
    case EAGAIN: return "EAGAIN";
    case EBADF: return "EBADF";
    case ECONNREFUSED: return "ECONNREFUSED";
    case ECONNRESET: return "ECONNRESET";
    case EDESTADDRREQ: return "EDESTADDRREQ";
    case EFAULT: return "EFAULT";
    case EINPROGRESS: return "EINPROGRESS";
    case EINVAL: return "EINVAL";
    case EISCONN: return "EISCONN";
    case EMFILE: return "EMFILE";
    case EMSGSIZE: return "EMSGSIZE";
    case ENOSYS: return "ENOSYS";
    case ENOTCONN: return "ENOTCONN";
    case ENOTSOCK: return "ENOTSOCK";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case EPIPE: return "EPIPE";
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case EPERM: return "EPERM";
    case ESRCH: return "ESRCH";
    case ECHILD: return "ECHILD";
    case ENOTTY: return "ENOTTY";
    case ENXIO: return "ENXIO";
    case ENODEV: return "ENODEV";
    case ENOLCK: return "ENOLCK";
    case ENOTDIR: return "ENOTDIR";
    case ELOOP: return "ELOOP";
    case EACCES: return "EACCES";
    case ETIMEDOUT: return "ETIMEDOUT";
    case ENETUNREACH: return "ENETUNREACH";
    case EHOSTUNREACH: return "EHOSTUNREACH";
#ifdef ENOTCAPABLE
    case ENOTCAPABLE: return "ENOTCAPABLE";
#endif
    default: return "another errno";
    }
}

/* A call's result: the count, or "-1 ENAME" (two buffers, so one printf
 * can show two results). */
static inline const char *res(long r) {
    static char buf[2][48];
    static int k;
    k ^= 1;
    if (r < 0)
        snprintf(buf[k], sizeof buf[k], "-1 %s", err_name(errno));
    else
        snprintf(buf[k], sizeof buf[k], "%ld", r);
    return buf[k];
}

/* revents as "POLLIN|POLLRDNORM|..." in a fixed order, "0" for none (in one
 * of four buffers, so one printf can show several). */
static inline const char *ev_names(int ev) {
    static const struct { int bit; const char *name; } names[] = {
        {POLLIN, "POLLIN"},     {POLLRDNORM, "POLLRDNORM"}, {POLLRDBAND, "POLLRDBAND"},
        {POLLPRI, "POLLPRI"},   {POLLOUT, "POLLOUT"},       {POLLWRNORM, "POLLWRNORM"},
        {POLLWRBAND, "POLLWRBAND"},
#ifdef POLLRDHUP /* glibc: only with _GNU_SOURCE */
        {POLLRDHUP, "POLLRDHUP"},
#endif
        {POLLERR, "POLLERR"},
        {POLLHUP, "POLLHUP"},   {POLLNVAL, "POLLNVAL"},
    };
    static char bufs[4][160];
    static int k;
    char *buf = bufs[k++ % 4];
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i) {
        if (ev & names[i].bit) {
            if (buf[0])
                strcat(buf, "|");
            strcat(buf, names[i].name);
            ev &= ~names[i].bit;
        }
    }
    if (ev)
        strcat(buf, buf[0] ? "|unknown" : "unknown");
    return buf[0] ? buf : "0";
}

/* Ends the program when the scenario itself cannot be set up. */
static inline void die(const char *what) {
    printf("FATAL: %s: %s\n", what, err_name(errno));
    exit(1);
}

#endif

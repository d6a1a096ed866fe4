/*
 * Internal helpers of libwasock.a (not installed).
 */
#ifndef WASOCK_INTERNAL_H
#define WASOCK_INTERNAL_H

#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netdb.h>
#include <wasi/api.h>

#include <wasi_ephemeral_sock.h>
#include <wasock.h>

#include "threads.h"

/* ---- errno ---------------------------------------------------------------
 * The host returns preview-1 errno numbers, and wasi-libc's E* values are
 * the same numbers, so a host error is stored in errno unchanged.  These
 * assertions keep that true. */
_Static_assert(EAGAIN == __WASI_ERRNO_AGAIN, "errno numbering");
_Static_assert(EINPROGRESS == __WASI_ERRNO_INPROGRESS, "errno numbering");
_Static_assert(ECONNREFUSED == __WASI_ERRNO_CONNREFUSED, "errno numbering");
_Static_assert(ENOTCAPABLE == __WASI_ERRNO_NOTCAPABLE && ENOTCAPABLE == 76, "errno numbering");
_Static_assert(EADDRINUSE == 3 && ENOTCONN == 53 && EPIPE == 64, "errno numbering");

/* The ABI's family and type numbers are wasi-libc's AF_ and SOCK_ values. */
_Static_assert(AF_INET == WASOCK_FAMILY_INET4 && AF_INET6 == WASOCK_FAMILY_INET6, "families");
_Static_assert(SOCK_STREAM == WASOCK_TYPE_STREAM && SOCK_DGRAM == WASOCK_TYPE_DATAGRAM, "types");
_Static_assert(SHUT_RD == WASOCK_SHUT_RD && SHUT_WR == WASOCK_SHUT_WR, "shutdown");

/* Sets errno from a host errno and returns -1. */
static inline int __wasock_fail(int err) {
    errno = err;
    return -1;
}

/* fd_fdstat_get on fd: filetype (SOCK_STREAM / SOCK_DGRAM for sockets) and
 * fdflags.  Returns 0 or an errno value. */
int __wasock_fdstat(int fd, int *filetype, int *fdflags);

/* MSG_DONTWAIT: makes fd non-blocking for one call (saving the old flags in
 * *saved, or -1 when nothing was changed); __wasock_dontwait_end restores it. */
int __wasock_dontwait_begin(int fd, int flags, int *saved);
void __wasock_dontwait_end(int fd, int saved);

/* Records from sockaddrs and back (addr.c). */
int __wasock_addr_in(const struct sockaddr *sa, socklen_t len, wasock_addr_t *out);
void __wasock_addr_out(const wasock_addr_t *a, struct sockaddr *sa, socklen_t *len);

/* The well-known services table (services.c). */
#define WASOCK_SVC_TCP 1
#define WASOCK_SVC_UDP 2
/* Looks a name up; returns the port and sets *protos (WASOCK_SVC_* bits), or -1. */
int __wasock_service_port(const char *name, int *protos);
/* Looks a port up for a protocol mask; returns the name or NULL. */
const char *__wasock_service_name(int port, int protos);

/* A lazily allocated scratch buffer of at least `len` bytes, reused by the
 * datagram paths of recv/recvmsg (a datagram can be 65535 bytes). */
void *__wasock_scratch(size_t len);

#define WASOCK_MAX_DATAGRAM 65536

#endif

/*
 * wasock.h -- the wasock extension API.
 *
 * A wasock guest touches the network only through *address pools*: host-
 * granted capabilities (`wasock run --allow-connect ... --pool NAME ...`)
 * that appear in the guest as preopened file descriptors, numbered after the
 * preopened directories.  socket() opens its sockets from the *default pool*:
 * the only pool when there is one, otherwise the pool named "default".  When
 * there is no such pool, socket() fails with ENOTCAPABLE ("capabilities
 * insufficient"), the errno wasock uses for everything a pool does not grant.
 *
 * These functions let a program pick a pool explicitly.
 */
#ifndef __wasock_wasock_h
#define __wasock_wasock_h

#include <stddef.h>
#include <sys/socket.h>
#include <netdb.h>
#include <wasi_ephemeral_sock.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Defined so that code can test for wasock with #ifdef. */
#define WASOCK 1

/* wasock's own socket options: setsockopt(fd, SOL_WASOCK, NAME, &int, sizeof(int)).
 * WASOCK_EDGE_TRIGGERED (0 or 1): poll_oneoff readiness for the socket
 * becomes edge-triggered (EPOLLET), for event loops that keep every socket
 * subscribed both ways; a direction reported ready is not reported again
 * until a call in it fails with EAGAIN. A short non-blocking TCP read or
 * write (fewer bytes than asked) ends readiness too: the next call in that
 * direction fails with EAGAIN without asking the kernel, as an epoll loop
 * that trusts short reads expects. poll() and select() want the default. */
#define SOL_WASOCK 0x5741534b
#define WASOCK_EDGE_TRIGGERED 1

/* The number of address pools the program holds. */
int wasock_pool_count(void);

/* The fd of the index-th pool (0-based, in fd order), or -1 with errno
 * EINVAL when there is no such pool. */
int wasock_pool_at(int index);

/* The name of the pool `pool_fd`, or NULL with errno EBADF if it is not a
 * pool.  The string stays valid until the pool is closed. */
const char *wasock_pool_name(int pool_fd);

/* The fd of the pool called `name`, or -1 with errno ENOENT. */
int wasock_pool_find(const char *name);

/* The fd of the default pool (the only pool, else the one named "default"),
 * or -1 with errno ENOTCAPABLE. */
int wasock_pool_default(void);

/* socket(), opening the socket from the pool `pool_fd` instead of the
 * default pool.  Same arguments, results and errors as socket(); a `pool_fd`
 * that is not open is EBADF, an fd that is not a pool ENOTSOCK. */
int wasock_socket(int pool_fd, int domain, int type, int protocol);

/* getaddrinfo(), resolving host names with the `resolve` rights of the pool
 * `pool_fd` instead of the default pool's. */
int wasock_getaddrinfo(int pool_fd, const char *node, const char *service,
                       const struct addrinfo *hints, struct addrinfo **res);

/* Conversions between struct sockaddr_in / sockaddr_in6 and the ABI's
 * 28-byte address record.  wasock_addr_from_sockaddr returns 0 or an errno
 * value (EINVAL for a short length, EAFNOSUPPORT for another family).
 * wasock_addr_to_sockaddr writes at most *len bytes and sets *len to the
 * full size of the address (POSIX truncation rules); it returns 0, or
 * EAFNOSUPPORT (writing nothing) for a record of an unknown family. */
int wasock_addr_from_sockaddr(const struct sockaddr *sa, socklen_t len,
                              wasock_addr_t *out);
int wasock_addr_to_sockaddr(const wasock_addr_t *addr, struct sockaddr *sa,
                            socklen_t *len);

#ifdef __cplusplus
}
#endif

/* Host-side TLS: IPPROTO_WASOCK_TLS, wasock_connect_name, SOL_WASOCK_TLS. */
#include <wasock_tls.h>

#endif

/*
 * wasi_ephemeral_sock.h -- the raw `wasi_ephemeral_sock` imports of wasock.
 *
 * These declarations mirror include/wasi_ephemeral_sock.spec one for one
 * (same names, same parameter order, same core-wasm types: fd/u8/u16/u32 and
 * pointers lower to i32, u64 to i64, every function returns a WASI errno as
 * an i32, 0 on success).  Most programs never call them: libwasock.a builds
 * the BSD socket API (socket(), connect(), getaddrinfo(), ...) on top of
 * them.  They are here for code that wants the ABI itself.
 *
 * See docs/abi.md (in the wasock repository) for the meaning of each
 * call.
 */
#ifndef __wasock_wasi_ephemeral_sock_h
#define __wasock_wasi_ephemeral_sock_h

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the `addr` record: 28 bytes, align 4 --------------------------------- */

/* Values of wasock_addr_t.family. */
#define WASOCK_FAMILY_ANY   0 /* addr_resolve hint only */
#define WASOCK_FAMILY_INET4 1
#define WASOCK_FAMILY_INET6 2
#define WASOCK_FAMILY_UNIX  3 /* written only: an unnamed socketpair socket */

/* Values of the `type` parameters (preview-1 filetypes). */
#define WASOCK_TYPE_ANY      0 /* addr_resolve hint only */
#define WASOCK_TYPE_DATAGRAM 5
#define WASOCK_TYPE_STREAM   6
#define WASOCK_TYPE_TLS      7 /* a TCP stream whose TLS the host runs (open only) */

/* recv / recv_from flags, accept flags, shutdown `how`. */
#define WASOCK_RECV_PEEK    1
#define WASOCK_RECV_WAITALL 2
#define WASOCK_ACCEPT_NONBLOCK 4
#define WASOCK_SHUT_RD   1
#define WASOCK_SHUT_WR   2
#define WASOCK_SHUT_RDWR 3

/* poll_oneoff event flags (eventrwflags) on socket fds; bit 0 is preview-1's
 * hang-up.  See the notes of wasi_ephemeral_sock.spec. */
#define WASOCK_EVENT_HANGUP      1 /* POLLHUP */
#define WASOCK_EVENT_ERROR       2 /* POLLERR */
#define WASOCK_EVENT_READ_CLOSED 4 /* POLLRDHUP */
#define WASOCK_EVENT_NOT_READY   8 /* no POLLIN / POLLOUT: the conditions alone */

typedef struct wasock_addr {
    uint8_t family;    /* 1 inet4, 2 inet6 */
    uint8_t reserved;  /* 0 */
    uint16_t port;     /* host byte order */
    uint32_t flowinfo; /* inet6 only, else 0 (host byte order) */
    uint8_t ip[16];    /* network byte order; inet4 uses ip[0..4] */
    uint32_t scope_id; /* inet6 only, else 0 */
} wasock_addr_t;

_Static_assert(sizeof(wasock_addr_t) == 28, "addr record is 28 bytes");
_Static_assert(_Alignof(wasock_addr_t) == 4, "addr record is 4-aligned");
_Static_assert(__builtin_offsetof(wasock_addr_t, port) == 2, "addr.port at 2");
_Static_assert(__builtin_offsetof(wasock_addr_t, flowinfo) == 4, "addr.flowinfo at 4");
_Static_assert(__builtin_offsetof(wasock_addr_t, ip) == 8, "addr.ip at 8");
_Static_assert(__builtin_offsetof(wasock_addr_t, scope_id) == 24, "addr.scope_id at 24");

/* ---- the `dgram` record of send_batch / recv_batch: 44 bytes, align 4 ---- */

#define WASOCK_RECV_WAITFORONE 4 /* recv_batch: Linux's MSG_WAITFORONE */
#define WASOCK_DGRAM_TRUNCATED 1 /* wasock_dgram_t.flags, written by recv_batch */

typedef struct wasock_iovec {
    void *buf;
    uint32_t len;
} wasock_iovec_t;

typedef struct wasock_dgram {
    const wasock_iovec_t *iovs; /* the message's buffers (a struct iovec array) */
    uint32_t iovs_len;          /* at most 1024 */
    wasock_addr_t addr;         /* send: destination, all 0 = connected peer; recv: source */
    uint32_t len;               /* written: bytes sent / received */
    uint16_t flags;             /* written: WASOCK_DGRAM_TRUNCATED */
    uint16_t reserved;          /* written 0 */
} wasock_dgram_t;

_Static_assert(sizeof(wasock_dgram_t) == 44, "dgram record is 44 bytes");
_Static_assert(__builtin_offsetof(wasock_dgram_t, addr) == 8, "dgram.addr at 8");
_Static_assert(__builtin_offsetof(wasock_dgram_t, len) == 36, "dgram.len at 36");
_Static_assert(__builtin_offsetof(wasock_dgram_t, flags) == 40, "dgram.flags at 40");

/* ---- the imports ------------------------------------------------------------ */

#define __WASOCK_IMPORT(name) \
    __attribute__((__import_module__("wasi_ephemeral_sock"), __import_name__(#name)))

int32_t wasi_ephemeral_sock_open(int32_t pool, uint8_t family, uint8_t type, int32_t *ret_fd) __WASOCK_IMPORT(open);
int32_t wasi_ephemeral_sock_close(int32_t fd) __WASOCK_IMPORT(close);
int32_t wasi_ephemeral_sock_bind(int32_t fd, const wasock_addr_t *addr) __WASOCK_IMPORT(bind);
int32_t wasi_ephemeral_sock_listen(int32_t fd, uint32_t backlog) __WASOCK_IMPORT(listen);
int32_t wasi_ephemeral_sock_accept(int32_t fd, uint16_t flags, int32_t *ret_fd, wasock_addr_t *ret_addr) __WASOCK_IMPORT(accept);
int32_t wasi_ephemeral_sock_connect(int32_t fd, const wasock_addr_t *addr) __WASOCK_IMPORT(connect);
int32_t wasi_ephemeral_sock_recv(int32_t fd, void *buf, uint32_t len, uint16_t flags, uint32_t *ret_len) __WASOCK_IMPORT(recv);
int32_t wasi_ephemeral_sock_send(int32_t fd, const void *buf, uint32_t len, uint16_t flags, uint32_t *ret_len) __WASOCK_IMPORT(send);
int32_t wasi_ephemeral_sock_recv_from(int32_t fd, void *buf, uint32_t len, uint16_t flags, uint32_t *ret_len, wasock_addr_t *ret_addr) __WASOCK_IMPORT(recv_from);
int32_t wasi_ephemeral_sock_send_to(int32_t fd, const void *buf, uint32_t len, uint16_t flags, const wasock_addr_t *addr, uint32_t *ret_len) __WASOCK_IMPORT(send_to);
int32_t wasi_ephemeral_sock_shutdown(int32_t fd, uint8_t how) __WASOCK_IMPORT(shutdown);
int32_t wasi_ephemeral_sock_addr_local(int32_t fd, wasock_addr_t *ret_addr) __WASOCK_IMPORT(addr_local);
int32_t wasi_ephemeral_sock_addr_remote(int32_t fd, wasock_addr_t *ret_addr) __WASOCK_IMPORT(addr_remote);
int32_t wasi_ephemeral_sock_addr_resolve(int32_t pool, const char *host, uint32_t host_len, uint16_t port, uint8_t family, uint8_t type, wasock_addr_t *buf, uint32_t buf_count, uint32_t *ret_count) __WASOCK_IMPORT(addr_resolve);
/* Socket options: (level, name) are wasock's numbers, listed by the spec's
 * `option` lines (not the POSIX numbers of <sys/socket.h>); setsockopt()
 * and getsockopt() translate. */
int32_t wasi_ephemeral_sock_sockopt_set(int32_t fd, uint32_t level, uint32_t name, const void *value, uint32_t value_len) __WASOCK_IMPORT(sockopt_set);
int32_t wasi_ephemeral_sock_sockopt_get(int32_t fd, uint32_t level, uint32_t name, void *buf, uint32_t buf_len, uint32_t *ret_len) __WASOCK_IMPORT(sockopt_get);
int32_t wasi_ephemeral_sock_join_multicast(int32_t fd, const wasock_addr_t *group, uint32_t interface) __WASOCK_IMPORT(join_multicast);
int32_t wasi_ephemeral_sock_leave_multicast(int32_t fd, const wasock_addr_t *group, uint32_t interface) __WASOCK_IMPORT(leave_multicast);
int32_t wasi_ephemeral_sock_take_error(int32_t fd, uint16_t *ret) __WASOCK_IMPORT(take_error);
int32_t wasi_ephemeral_sock_fd_dup(int32_t fd, uint32_t min_fd, int32_t *ret_fd) __WASOCK_IMPORT(fd_dup);
int32_t wasi_ephemeral_sock_fd_dup2(int32_t fd, uint32_t to) __WASOCK_IMPORT(fd_dup2);
int32_t wasi_ephemeral_sock_socketpair(uint8_t type, int32_t *ret_fd1, int32_t *ret_fd2) __WASOCK_IMPORT(socketpair);
/* Batched datagrams: one host call, one sendmmsg / recvmmsg; count past 1024 is 1024. */
int32_t wasi_ephemeral_sock_send_batch(int32_t fd, wasock_dgram_t *msgs, uint32_t count, uint16_t flags, uint32_t *ret_count) __WASOCK_IMPORT(send_batch);
int32_t wasi_ephemeral_sock_recv_batch(int32_t fd, wasock_dgram_t *msgs, uint32_t count, uint16_t flags, uint32_t *ret_count) __WASOCK_IMPORT(recv_batch);
/* TLS: connects a TLS socket (type 7) to the server `name` (name_len bytes,
 * no NUL) on `port`; the host resolves, connects and makes the handshake,
 * verifying the certificate against the name.  inprogress when non-blocking. */
int32_t wasi_ephemeral_sock_connect_name(int32_t fd, const char *host, uint32_t host_len, uint16_t port) __WASOCK_IMPORT(connect_name);


#undef __WASOCK_IMPORT

#ifdef __cplusplus
}
#endif

#endif

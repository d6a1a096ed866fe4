/*
 * wasock overlay for <sys/socket.h>.
 *
 * wasi-libc's header is included first (#include_next) and keeps its values:
 * AF_UNSPEC 0, AF_INET 1, AF_INET6 2, AF_UNIX 3, SOCK_DGRAM 5, SOCK_STREAM 6,
 * SOCK_NONBLOCK, SOCK_CLOEXEC, SOL_SOCKET 0x7fffffff, SO_TYPE 3, MSG_PEEK 1,
 * MSG_WAITALL 2, SHUT_RD 1, SHUT_WR 2, SHUT_RDWR 3.  This file adds what
 * wasi-libc leaves out (the declarations it hides behind
 * __wasilibc_unmodified_upstream, the SO_ and MSG_ names, cmsg) and fixes
 * MSG_TRUNC, which wasi-libc defines as an undefined name.  The functions are
 * implemented by libwasock.a.
 */
#ifndef __wasock_sys_socket_h
#define __wasock_sys_socket_h

/* wasi-libc's socket structs are aligned like max_align_t, which <stddef.h>
 * defines only from C11 on: make it available to -std=c99 code too. */
#define __need_max_align_t
#include <stddef.h>

#include_next <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- socket types (wasock cannot create these: socket() fails) ---------- */
#ifndef SOCK_RAW
#define SOCK_RAW       3
#endif
#ifndef SOCK_RDM
#define SOCK_RDM       4
#endif
#ifndef SOCK_SEQPACKET
#define SOCK_SEQPACKET 7
#endif

/* ---- families --------------------------------------------------------------- */
#ifndef AF_LOCAL
#define AF_LOCAL AF_UNIX
#endif
#ifndef AF_FILE
#define AF_FILE AF_UNIX
#endif
#ifndef AF_MAX
#define AF_MAX 4
#endif
/* One by one: newer wasi-libc defines PF_UNSPEC, PF_INET and PF_INET6 only. */
#ifndef PF_UNSPEC
#define PF_UNSPEC AF_UNSPEC
#endif
#ifndef PF_INET
#define PF_INET   AF_INET
#endif
#ifndef PF_INET6
#define PF_INET6  AF_INET6
#endif
#ifndef PF_UNIX
#define PF_UNIX   AF_UNIX
#endif
#ifndef PF_LOCAL
#define PF_LOCAL  AF_UNIX
#endif
#ifndef PF_FILE
#define PF_FILE   AF_UNIX
#endif
#ifndef PF_MAX
#define PF_MAX    AF_MAX
#endif

#ifndef SOMAXCONN
#define SOMAXCONN 128
#endif

/* ---- option levels besides SOL_SOCKET (equal to the IPPROTO_ numbers) ---- */
#ifndef SOL_IP
#define SOL_IP   0
#endif
#ifndef SOL_TCP
#define SOL_TCP  6
#endif
#ifndef SOL_UDP
#define SOL_UDP  17
#endif
#ifndef SOL_IPV6
#define SOL_IPV6 41
#endif

/* ---- SOL_SOCKET options (Linux generic numbers; SO_TYPE 3 is wasi-libc's) - */
#ifndef SO_DEBUG
#define SO_DEBUG        1
#endif
#ifndef SO_REUSEADDR
#define SO_REUSEADDR    2
#endif
#ifndef SO_ERROR
#define SO_ERROR        4
#endif
#ifndef SO_DONTROUTE
#define SO_DONTROUTE    5
#endif
#ifndef SO_BROADCAST
#define SO_BROADCAST    6
#endif
#ifndef SO_SNDBUF
#define SO_SNDBUF       7
#endif
#ifndef SO_RCVBUF
#define SO_RCVBUF       8
#endif
#ifndef SO_KEEPALIVE
#define SO_KEEPALIVE    9
#endif
#ifndef SO_OOBINLINE
#define SO_OOBINLINE    10
#endif
#ifndef SO_LINGER
#define SO_LINGER       13
#endif
#ifndef SO_REUSEPORT
#define SO_REUSEPORT    15
#endif
#ifndef SO_RCVLOWAT
#define SO_RCVLOWAT     18
#endif
#ifndef SO_SNDLOWAT
#define SO_SNDLOWAT     19
#endif
#ifndef SO_ACCEPTCONN
#define SO_ACCEPTCONN   30
#endif
#ifndef SO_PROTOCOL
#define SO_PROTOCOL     38
#endif
#ifndef SO_DOMAIN
#define SO_DOMAIN       39
#endif
/* Names wasi-libc leaves out that programs set: wasock refuses them
 * (ENOPROTOOPT) because they could take a socket outside its pool
 * (docs/porting.md), but code that names them compiles. Linux's numbers. */
#ifndef SO_PRIORITY
#define SO_PRIORITY     12
#endif
#ifndef SO_BINDTODEVICE
#define SO_BINDTODEVICE 25
#endif
#ifndef SO_ATTACH_FILTER
#define SO_ATTACH_FILTER 26
#endif
#ifndef SO_DETACH_FILTER
#define SO_DETACH_FILTER 27
#endif
#ifndef SO_MARK
#define SO_MARK         36
#endif
#ifndef SO_LOCK_FILTER
#define SO_LOCK_FILTER  44
#endif
#ifndef SO_ATTACH_BPF
#define SO_ATTACH_BPF   50
#endif
/* struct timeval with a 64-bit time_t, as newer wasi-libc and musl use. */
#ifndef SO_RCVTIMEO
#define SO_RCVTIMEO     66
#endif
#ifndef SO_SNDTIMEO
#define SO_SNDTIMEO     67
#endif

/* ---- message flags ------------------------------------------------------------
 * MSG_PEEK (1) and MSG_WAITALL (2) are wasi-libc's; the rest use Linux's
 * numbers except MSG_OOB, whose Linux value (1) is MSG_PEEK here. */
#undef MSG_TRUNC
#define MSG_TRUNC        0x0020
#ifndef MSG_DONTROUTE
#define MSG_DONTROUTE    0x0004
#endif
#ifndef MSG_CTRUNC
#define MSG_CTRUNC       0x0008
#endif
#ifndef MSG_OOB
#define MSG_OOB          0x0010
#endif
#ifndef MSG_DONTWAIT
#define MSG_DONTWAIT     0x0040
#endif
#ifndef MSG_EOR
#define MSG_EOR          0x0080
#endif
#ifndef MSG_CONFIRM
#define MSG_CONFIRM      0x0800
#endif
#ifndef MSG_ERRQUEUE
#define MSG_ERRQUEUE     0x2000
#endif
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL     0x4000
#endif
#ifndef MSG_MORE
#define MSG_MORE         0x8000
#endif
#ifndef MSG_WAITFORONE
#define MSG_WAITFORONE   0x10000
#endif
#ifndef MSG_CMSG_CLOEXEC
#define MSG_CMSG_CLOEXEC 0x40000000
#endif

/* ---- ancillary data: the API exists so code compiles; wasock carries none:
 * recvmsg() always returns msg_controllen 0 and sendmsg() with control data
 * fails with EOPNOTSUPP. */
struct cmsghdr {
    socklen_t cmsg_len;
    int cmsg_level;
    int cmsg_type;
};

#ifndef SCM_RIGHTS
#define SCM_RIGHTS 0x01
#endif

#define CMSG_ALIGN(len) \
    (((len) + sizeof(size_t) - 1) & ~(size_t)(sizeof(size_t) - 1))
#define CMSG_SPACE(len) (CMSG_ALIGN(len) + CMSG_ALIGN(sizeof(struct cmsghdr)))
#define CMSG_LEN(len)   (CMSG_ALIGN(sizeof(struct cmsghdr)) + (len))
#define CMSG_DATA(cmsg) ((unsigned char *)((struct cmsghdr *)(cmsg) + 1))
#define CMSG_FIRSTHDR(mhdr)                                          \
    ((size_t)(mhdr)->msg_controllen >= sizeof(struct cmsghdr)        \
         ? (struct cmsghdr *)(mhdr)->msg_control                     \
         : (struct cmsghdr *)0)
#define CMSG_NXTHDR(mhdr, cmsg) __wasock_cmsg_nxthdr((mhdr), (cmsg))

static __inline struct cmsghdr *__wasock_cmsg_nxthdr(const struct msghdr *__m,
                                                     const struct cmsghdr *__c) {
    if (__c->cmsg_len < sizeof(struct cmsghdr))
        return (struct cmsghdr *)0;
    unsigned char *__next = (unsigned char *)__c + CMSG_ALIGN(__c->cmsg_len);
    unsigned char *__end = (unsigned char *)__m->msg_control + __m->msg_controllen;
    if (__next + sizeof(struct cmsghdr) > __end)
        return (struct cmsghdr *)0;
    if (__next + CMSG_ALIGN(((const struct cmsghdr *)__next)->cmsg_len) > __end)
        return (struct cmsghdr *)0;
    return (struct cmsghdr *)__next;
}

/* sendmmsg, recvmmsg and struct mmsghdr: wasi-libc declares them under
 * _GNU_SOURCE (as glibc does) but its libc.a has no definitions;
 * libwasock.a defines them (sdk/src/mmsg.c).  MSG_WAITFORONE is above. */

/* ---- the functions wasi-libc hides (libwasock.a implements them) -------- */
int socket(int, int, int);
int socketpair(int, int, int, int[2]);
int bind(int, const struct sockaddr *, socklen_t);
int connect(int, const struct sockaddr *, socklen_t);
int listen(int, int);
int getsockname(int, struct sockaddr *__restrict, socklen_t *__restrict);
int getpeername(int, struct sockaddr *__restrict, socklen_t *__restrict);
ssize_t sendto(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
ssize_t recvfrom(int, void *__restrict, size_t, int, struct sockaddr *__restrict,
                 socklen_t *__restrict);
ssize_t sendmsg(int, const struct msghdr *, int);
ssize_t recvmsg(int, struct msghdr *, int);
int setsockopt(int, int, int, const void *, socklen_t);

#ifdef __cplusplus
}
#endif

#endif

/*
 * wasock's <wasi_socket_ext.h>: for code written against WAMR's lib-socket,
 * which wraps its socket code in
 *
 *     #ifdef __wasi__
 *     #include <wasi_socket_ext.h>
 *     #endif
 *
 * With wasock the POSIX socket API is simply there (libwasock.a, the SDK's
 * headers), so this header only brings in the declarations such code relies
 * on: socket, bind, listen, accept, connect, send/recv(from/msg), shutdown,
 * get/setsockopt, getsockname/getpeername, getaddrinfo and friends,
 * inet_pton/ntop, poll and select.  It declares none of WAMR's own
 * __wasi_sock_* imports (wasock's ABI is <wasi_ephemeral_sock.h>).
 */
#ifndef _WASI_SOCKET_EXT_H_
#define _WASI_SOCKET_EXT_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/select.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <unistd.h>
#include <wasock.h>

#endif

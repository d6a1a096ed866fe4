/*
 * The raw imports of <wasi_ephemeral_sock.h>, called directly.
 *
 * Besides checking a few calls (errno values for bad arguments, the address
 * record, a bad pointer being EFAULT rather than a trap), this program
 * references every import the header declares, so that the e2e test
 * `c_library_imports_match_spec` checks all of them against the spec.
 *
 * usage: raw_abi   (with any pool, e.g. --allow-connect 127.0.0.1)
 */
#include <wasi_ephemeral_sock.h>
#include <wasock.h>

#include "testutil.h"

/* void (*)(void) is the generic function pointer type (no cast warning). */
typedef void (*any_fn)(void);

/* Every import, so that all of them appear in the module (volatile: the
 * compiler may not drop the table). */
static any_fn volatile every_import[] = {
    (any_fn)wasi_ephemeral_sock_open, (any_fn)wasi_ephemeral_sock_close,
    (any_fn)wasi_ephemeral_sock_bind, (any_fn)wasi_ephemeral_sock_listen,
    (any_fn)wasi_ephemeral_sock_accept, (any_fn)wasi_ephemeral_sock_connect,
    (any_fn)wasi_ephemeral_sock_recv, (any_fn)wasi_ephemeral_sock_send,
    (any_fn)wasi_ephemeral_sock_recv_from, (any_fn)wasi_ephemeral_sock_send_to,
    (any_fn)wasi_ephemeral_sock_shutdown, (any_fn)wasi_ephemeral_sock_addr_local,
    (any_fn)wasi_ephemeral_sock_addr_remote, (any_fn)wasi_ephemeral_sock_addr_resolve,
    (any_fn)wasi_ephemeral_sock_sockopt_set, (any_fn)wasi_ephemeral_sock_sockopt_get,
    (any_fn)wasi_ephemeral_sock_join_multicast, (any_fn)wasi_ephemeral_sock_leave_multicast,
    (any_fn)wasi_ephemeral_sock_take_error,
};

int main(void) {
    size_t n = sizeof every_import / sizeof every_import[0];
    for (size_t i = 0; i < n; ++i)
        CHECK(every_import[i] != NULL);

    int pool = wasock_pool_default();
    REQUIRE(pool >= 3);
    int32_t fd = -1;
    CHECK_INT(wasi_ephemeral_sock_open(pool, 3, WASOCK_TYPE_STREAM, &fd), EINVAL);
    CHECK_INT(wasi_ephemeral_sock_open(pool, WASOCK_FAMILY_INET4, 8, &fd), EINVAL); /* 7 is a TLS socket */
    CHECK_INT(wasi_ephemeral_sock_open(1234, WASOCK_FAMILY_INET4, WASOCK_TYPE_STREAM, &fd), EBADF);
    CHECK_INT(wasi_ephemeral_sock_open(1, WASOCK_FAMILY_INET4, WASOCK_TYPE_STREAM, &fd), ENOTSOCK);
    CHECK_INT(wasi_ephemeral_sock_open(pool, WASOCK_FAMILY_INET4, WASOCK_TYPE_STREAM, &fd), 0);
    REQUIRE(fd >= 3);

    /* Options through the raw calls: tcp.nodelay (4, 1) and
     * socket.recv_timeout (1, 7), by the spec's numbers. */
    uint32_t b = 1, len = 0;
    CHECK_INT(wasi_ephemeral_sock_sockopt_set(fd, 4, 1, &b, sizeof b), 0);
    b = 0;
    CHECK_INT(wasi_ephemeral_sock_sockopt_get(fd, 4, 1, &b, sizeof b, &len), 0);
    CHECK_INT(b, 1);
    CHECK_INT(len, 4);
    uint64_t ns = 1500000000ull;
    CHECK_INT(wasi_ephemeral_sock_sockopt_set(fd, 1, 7, &ns, sizeof ns), 0);
    ns = 0;
    CHECK_INT(wasi_ephemeral_sock_sockopt_get(fd, 1, 7, &ns, sizeof ns, &len), 0);
    CHECK(ns >= 1500000000ull && ns < 1510000000ull);
    b = 2; /* a boolean is 0 or 1 */
    CHECK_INT(wasi_ephemeral_sock_sockopt_set(fd, 4, 1, &b, sizeof b), EINVAL);
    CHECK_INT(wasi_ephemeral_sock_sockopt_set(fd, 4, 99, &b, sizeof b), ENOPROTOOPT);
    uint16_t err = 99;
    CHECK_INT(wasi_ephemeral_sock_take_error(fd, &err), 0);
    CHECK_INT(err, 0);

    /* Unconnected: addr_remote is notconn; a pointer outside memory is fault. */
    wasock_addr_t a;
    CHECK_INT(wasi_ephemeral_sock_addr_remote(fd, &a), ENOTCONN);
    CHECK_INT(wasi_ephemeral_sock_addr_local(fd, (wasock_addr_t *)(uintptr_t)0xfffffff0u), EFAULT);
    CHECK_INT(wasi_ephemeral_sock_shutdown(fd, 9), EINVAL);
    CHECK_INT(wasi_ephemeral_sock_accept(fd, 0x100, &fd, &a), EINVAL);

    /* The address record of a numeric lookup (no resolve right needed). */
    wasock_addr_t recs[4];
    uint32_t count = 0;
    memset(recs, 0xaa, sizeof recs);
    CHECK_INT(wasi_ephemeral_sock_addr_resolve(pool, "127.0.0.1", 9, 8080, WASOCK_FAMILY_ANY,
                                               WASOCK_TYPE_ANY, recs, 4, &count), 0);
    CHECK_INT(count, 1);
    CHECK(recs[0].family == WASOCK_FAMILY_INET4 && recs[0].reserved == 0 && recs[0].port == 8080);
    CHECK(recs[0].ip[0] == 127 && recs[0].ip[1] == 0 && recs[0].ip[2] == 0 && recs[0].ip[3] == 1);
    CHECK(recs[0].ip[4] == 0 && recs[0].ip[15] == 0 && recs[0].flowinfo == 0 && recs[0].scope_id == 0);
    CHECK_INT(wasi_ephemeral_sock_addr_resolve(pool, "::1", 3, 1, WASOCK_FAMILY_ANY, WASOCK_TYPE_ANY,
                                               recs, 4, &count), 0);
    CHECK(count == 1 && recs[0].family == WASOCK_FAMILY_INET6 && recs[0].ip[15] == 1 && recs[0].port == 1);

    /* close is fd_close. */
    CHECK_INT(wasi_ephemeral_sock_close(fd), 0);
    CHECK_INT(wasi_ephemeral_sock_close(fd), EBADF);
    ok("raw imports");
    return finish("raw_abi");
}

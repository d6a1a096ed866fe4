/*
 * The extension API (wasock.h): several pools, chosen by name.
 *
 * usage: pools named ECHO_ADDR   -- run with two pools, "a" (may connect to
 *                                  ECHO_ADDR) and "b" (may bind 127.0.0.1:*)
 *        pools default ECHO_ADDR -- run with pools "default" (may connect to
 *                                  ECHO_ADDR) and "extra" (no rules of use)
 */
#include <wasock.h>

#include "testutil.h"

static int echo_once(int fd, const struct sockaddr_storage *to, socklen_t len) {
    if (connect(fd, (const struct sockaddr *)to, len) != 0)
        return -1;
    char buf[4];
    if (send(fd, "pool", 4, 0) != 4 || read_exact(fd, buf, 4) != 0 || memcmp(buf, "pool", 4) != 0)
        return -1;
    return 0;
}

static int named(const struct sockaddr_storage *echo, socklen_t elen) {
    CHECK_INT(wasock_pool_count(), 2);
    int a = wasock_pool_find("a"), b = wasock_pool_find("b");
    CHECK(a >= 3 && b >= 3 && a != b);
    CHECK(wasock_pool_at(0) == a && wasock_pool_at(1) == b);
    CHECK_ERR(wasock_pool_at(2), EINVAL);
    CHECK(wasock_pool_name(a) && strcmp(wasock_pool_name(a), "a") == 0);
    CHECK(wasock_pool_name(1) == NULL && errno == EBADF);
    CHECK_ERR(wasock_pool_find("nope"), ENOENT);
    /* Two pools, none named "default": no default pool. */
    CHECK_ERR(wasock_pool_default(), ENOTCAPABLE);
    CHECK_ERR(socket(AF_INET, SOCK_STREAM, 0), ENOTCAPABLE);
    ok("pools: listed and found by name");

    int fd = wasock_socket(a, echo->ss_family, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    CHECK(echo_once(fd, echo, elen) == 0);
    CHECK(close(fd) == 0);
    fd = wasock_socket(b, echo->ss_family, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    CHECK_ERR(connect(fd, (const struct sockaddr *)echo, elen), ENOTCAPABLE);
    struct sockaddr_in any;
    memset(&any, 0, sizeof any);
    any.sin_family = AF_INET;
    any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(bind(fd, (struct sockaddr *)&any, sizeof any) == 0);
    CHECK(close(fd) == 0);
    CHECK_ERR(wasock_socket(1234, AF_INET, SOCK_STREAM, 0), EBADF);
    CHECK_ERR(wasock_socket(a, AF_UNIX, SOCK_STREAM, 0), EAFNOSUPPORT);
    ok("pools: wasock_socket uses each pool's rights");

    /* Giving pool b up leaves a as the only, hence default, pool. */
    CHECK(close(b) == 0);
    CHECK_INT(wasock_pool_count(), 1);
    CHECK(wasock_pool_default() == a);
    fd = socket(echo->ss_family, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    CHECK(echo_once(fd, echo, elen) == 0);
    CHECK(close(fd) == 0);
    ok("pools: closing a pool gives it up");
    return finish("pools named");
}

static int with_default(const struct sockaddr_storage *echo, socklen_t elen) {
    CHECK_INT(wasock_pool_count(), 2);
    int d = wasock_pool_find("default"), x = wasock_pool_find("extra");
    CHECK(d >= 3 && x >= 3);
    CHECK(wasock_pool_default() == d);
    int fd = socket(echo->ss_family, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    CHECK(echo_once(fd, echo, elen) == 0);
    CHECK(close(fd) == 0);
    fd = wasock_socket(x, echo->ss_family, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    CHECK_ERR(connect(fd, (const struct sockaddr *)echo, elen), ENOTCAPABLE);
    CHECK(close(fd) == 0);
    ok("pools: the pool named default is the default");
    return finish("pools default");
}

int main(int argc, char **argv) {
    REQUIRE(argc == 3);
    struct sockaddr_storage echo;
    socklen_t elen = parse_addr(argv[2], &echo);
    REQUIRE(elen > 0);
    return strcmp(argv[1], "named") == 0 ? named(&echo, elen) : with_default(&echo, elen);
}

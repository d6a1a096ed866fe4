/*
 * A small POSIX client, not written for wasock: resolves HOST PORT, sends
 * its third argument and prints the reply. e2e/tests/build_systems.rs builds
 * it with CMake, autoconf and plain make, unchanged, and runs the result.
 */
#include "config.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s HOST PORT MESSAGE\n", argv[0]);
        return 2;
    }
    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    int e = getaddrinfo(argv[1], argv[2], &hints, &res);
    if (e != 0) {
        fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(e));
        return 1;
    }
    int fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
    if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
        perror("connect");
        return 1;
    }
    freeaddrinfo(res);
    size_t n = strlen(argv[3]);
    if (write(fd, argv[3], n) != (ssize_t)n) {
        perror("write");
        return 1;
    }
    char buf[256];
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, sizeof buf - 1 - got);
        if (r <= 0) {
            perror("read");
            return 1;
        }
        got += (size_t)r;
    }
    buf[got] = 0;
    printf("%s: %s\n", BUILT_WITH, buf);
    close(fd);
    return 0;
}

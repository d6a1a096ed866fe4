/*
 * The start-up guest (C): one TCP connection, then exit 0.
 *
 *   startup A.B.C.D:PORT
 *
 * Connects to the peer's accept-and-close service, waits for its EOF and
 * exits. The driver times the whole process, spawn to exit, so the figure is
 * start-up (for the guest: loading or compiling the module, instantiating
 * it, the SDK's pool set-up) plus one loopback connection.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    char host[64];
    const char *colon = argc == 2 ? strrchr(argv[1], ':') : NULL;
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    if (!colon || (size_t)(colon - argv[1]) >= sizeof host) {
        fputs("usage: startup A.B.C.D:PORT\n", stderr);
        return 2;
    }
    memcpy(host, argv[1], (size_t)(colon - argv[1]));
    host[colon - argv[1]] = '\0';
    to.sin_port = htons((unsigned short)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &to.sin_addr) != 1) {
        fputs("usage: startup A.B.C.D:PORT\n", stderr);
        return 2;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
        fprintf(stderr, "startup: connect: %s\n", strerror(errno));
        return 1;
    }
    char byte;
    ssize_t n;
    do
        n = read(fd, &byte, 1);
    while (n < 0 && errno == EINTR);
    if (n != 0) {
        fprintf(stderr, "startup: expected the server's EOF\n");
        return 1;
    }
    close(fd);
    return 0;
}

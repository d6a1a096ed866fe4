/*
 * A TLS client on the host's TLS: wasock_tls_connect by name, then plaintext.
 *
 * usage: tls_client NAME PORT [MSG]
 * Connects to NAME:PORT (AF_INET, then AF_INET6), writes MSG (default
 * "hello tls\n"), shuts its write half (close_notify), reads to EOF and
 * prints "reply: TEXT" (one trailing newline dropped), then "version:
 * 0x....", "cipher: 0x....", "server_name: NAME" and a "peer_identity:
 * ENTRY" line per entry.  Any failure prints "error: ENAME", exit 1.
 * rust-tests/src/bin/tls_client.rs prints the same lines.
 */
#include "tlsutil.h"

static int fail(void) {
    tls_error();
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: tls_client NAME PORT [MSG]\n");
        return 2;
    }
    const char *msg = argc > 3 ? argv[3] : "hello tls\n";
    int fd = wasock_tls_connect(argv[1], (uint16_t)atoi(argv[2]));
    if (fd < 0 || write_all(fd, msg, strlen(msg)) != 0 || shutdown(fd, SHUT_WR) != 0)
        return fail();
    size_t cap = 4096, n = 0;
    char *reply = malloc(cap);
    for (;;) {
        if (n == cap && (reply = realloc(reply, cap *= 2)) == NULL)
            return fail();
        ssize_t r = read(fd, reply + n, cap - n);
        if (r < 0)
            return fail();
        if (r == 0)
            break;
        n += (size_t)r;
    }
    if (n > 0 && reply[n - 1] == '\n')
        n--;
    printf("reply: %.*s\n", (int)n, reply);
    if (tls_print_info(fd) != 0)
        return fail();
    free(reply);
    close(fd);
    return 0;
}

/*
 * The static_http server: a static-file HTTP/1.1 server in one poll() loop.
 *
 *   http_server PORT ROOT
 *
 * Serves GET requests for files under ROOT (for the guest a directory
 * preopened with `wasock run --dir ROOT`), 200 with Content-Length, 404 or
 * 400 otherwise. Keep-alive is HTTP/1.1's default; `Connection: close` (or
 * HTTP/1.0) closes after the response. The body goes out in CHUNK-sized
 * read()s of the file and write()s to the socket. Plain POSIX, built with
 * gcc -O2 and with wasock-cc -O2; prints `LISTENING port=PORT`, serves until
 * killed (or SERVER_LIFETIME_SECS pass).
 */
#include <poll.h>
#include <strings.h>
#include <sys/stat.h>

#include "server.h"

#define MAX_CONNS 1024
#define REQ_MAX 4096
#define CHUNK 65536

struct conn {
    char req[REQ_MAX];
    size_t req_len;
    char head[256];     /* the response's status line and headers */
    size_t head_off, head_len;
    int file;           /* the body's file, -1 when none */
    char *chunk;        /* CHUNK bytes, allocated on the first body */
    size_t chunk_off, chunk_len;
    int keep_alive;
};

static struct pollfd fds[MAX_CONNS + 1]; /* [0] is the listener */
static struct conn *conns[MAX_CONNS + 1];
static size_t nfds = 1;
static const char *root;

static void drop_conn(size_t i) {
    struct conn *c = conns[i];
    close(fds[i].fd);
    if (c->file >= 0)
        close(c->file);
    free(c->chunk);
    free(c);
    nfds--;
    fds[i] = fds[nfds];
    conns[i] = conns[nfds];
}

static void accept_all(int srv) {
    for (int fd; (fd = accept_next(srv)) >= 0;) {
        struct conn *c = nfds <= MAX_CONNS ? calloc(1, sizeof *c) : NULL;
        if (!c) {
            close(fd);
            continue;
        }
        c->file = -1;
        fds[nfds] = (struct pollfd){.fd = fd, .events = POLLIN};
        conns[nfds++] = c;
    }
}

/* Whether the request's headers ask for `Connection: close` (or, for
 * HTTP/1.0, do not ask for keep-alive). */
static int wants_keep_alive(const char *req, int http10) {
    for (const char *l = strstr(req, "\r\n"); l && l[2] != '\r'; l = strstr(l + 2, "\r\n")) {
        if (strncasecmp(l + 2, "Connection:", 11) != 0)
            continue;
        const char *v = l + 13;
        while (*v == ' ')
            v++;
        if (strncasecmp(v, "close", 5) == 0)
            return 0;
        if (strncasecmp(v, "keep-alive", 10) == 0)
            return 1;
    }
    return !http10;
}

/* Sets up the response to the complete request in c->req (NUL-terminated). */
static void respond(struct conn *c) {
    char method[8], path[1024], version[16];
    int status = 400;
    long long size = 0;
    if (sscanf(c->req, "%7s %1023s %15s", method, path, version) == 3 && strcmp(method, "GET") == 0 &&
        path[0] == '/' && !strstr(path, "..")) {
        char full[2048];
        snprintf(full, sizeof full, "%s%s", root, path);
        struct stat st;
        c->file = open(full, O_RDONLY);
        if (c->file >= 0 && fstat(c->file, &st) == 0 && S_ISREG(st.st_mode)) {
            status = 200;
            size = (long long)st.st_size;
        } else {
            status = 404;
            if (c->file >= 0)
                close(c->file);
            c->file = -1;
        }
        c->keep_alive = wants_keep_alive(c->req, strcmp(version, "HTTP/1.0") == 0);
    } else {
        c->keep_alive = 0;
    }
    const char *reason = status == 200 ? "OK" : status == 404 ? "Not Found" : "Bad Request";
    int n = snprintf(c->head, sizeof c->head,
                     "HTTP/1.1 %d %s\r\nContent-Type: application/octet-stream\r\nContent-Length: %lld\r\n"
                     "Connection: %s\r\n\r\n",
                     status, reason, size, c->keep_alive ? "keep-alive" : "close");
    c->head_off = 0;
    c->head_len = (size_t)n;
}

/* Writes as much of the response as the socket takes. Returns 1 when the
 * response is out, 0 to wait for POLLOUT, -1 when the connection is dead. */
static int send_response(int fd, struct conn *c) {
    while (c->head_off < c->head_len) {
        ssize_t n = write(fd, c->head + c->head_off, c->head_len - c->head_off);
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
        c->head_off += (size_t)n;
    }
    while (c->file >= 0) {
        if (c->chunk_off == c->chunk_len) {
            if (!c->chunk && !(c->chunk = malloc(CHUNK)))
                die("malloc");
            ssize_t r = read(c->file, c->chunk, CHUNK);
            if (r < 0)
                die("read(file)");
            if (r == 0) {
                close(c->file);
                c->file = -1;
                break;
            }
            c->chunk_off = 0;
            c->chunk_len = (size_t)r;
        }
        ssize_t n = write(fd, c->chunk + c->chunk_off, c->chunk_len - c->chunk_off);
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
        c->chunk_off += (size_t)n;
    }
    return 1;
}

/* Reads request bytes; returns 1 once the headers are complete, 0 for
 * more to come, -1 at EOF, an error or an oversized request. */
static int read_request(int fd, struct conn *c) {
    ssize_t n = read(fd, c->req + c->req_len, REQ_MAX - 1 - c->req_len);
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
    if (n == 0)
        return -1;
    c->req_len += (size_t)n;
    c->req[c->req_len] = '\0';
    if (strstr(c->req, "\r\n\r\n"))
        return 1;
    return c->req_len == REQ_MAX - 1 ? -1 : 0;
}

/* One connection's turn; returns -1 to drop it. */
static int serve(size_t i) {
    struct conn *c = conns[i];
    if (fds[i].events == POLLIN) {
        int r = read_request(fds[i].fd, c);
        if (r <= 0)
            return r;
        respond(c);
    }
    int r = send_response(fds[i].fd, c);
    if (r < 0)
        return -1;
    if (r == 0) {
        fds[i].events = POLLOUT;
        return 0;
    }
    if (!c->keep_alive)
        return -1; /* the server closes first: TIME_WAIT stays on this side */
    /* Keep-alive: the next request (clients here send one at a time). */
    c->req_len = 0;
    fds[i].events = POLLIN;
    return 0;
}

int main(int argc, char **argv) {
    server_name = "http_server";
    const char *usage = "usage: http_server PORT ROOT\n";
    if (argc != 3) {
        fputs(usage, stderr);
        return 2;
    }
    int port = parse_port(argv[1], usage);
    root = argv[2];
    int srv = listen_on(port);
    fds[0] = (struct pollfd){.fd = srv, .events = POLLIN};
    while (!lifetime_over()) {
        int ready = poll(fds, nfds, 1000);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            die("poll");
        /* Backwards, so a dropped connection's slot is refilled from one
         * already looked at. */
        for (size_t i = nfds - 1; i >= 1; i--)
            if (fds[i].revents && serve(i) < 0)
                drop_conn(i);
        if (fds[0].revents & POLLIN)
            accept_all(srv);
    }
    return 0;
}

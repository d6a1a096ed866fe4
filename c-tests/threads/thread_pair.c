/*
 * A server thread and a client thread (main) of one module talking over
 * loopback (issue #14).
 *
 * usage: thread_pair [ROUNDS]
 * The server thread listens on 127.0.0.1:0, hands its port to main (a
 * condition variable), accepts one connection and answers each line with
 * "echo: LINE"; main connects, sends ROUNDS (default 100) numbered lines,
 * checks each answer, closes, and joins the server thread, which returns the
 * number of lines it answered.  Prints "thread_pair: ROUNDS round trips" and
 * exits 0 when every check held.
 */
#include "threadutil.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready = PTHREAD_COND_INITIALIZER;
static int port; /* the server's port once it listens, under lock */

/* Reads one '\n'-terminated line (without the '\n'); returns its length, or
 * -1 at EOF or on an error. */
static int read_line(int fd, char *buf, size_t cap) {
    size_t n = 0;
    while (n + 1 < cap) {
        char c;
        ssize_t r = read(fd, &c, 1);
        if (r <= 0)
            return -1;
        if (c == '\n')
            break;
        buf[n++] = c;
    }
    buf[n] = '\0';
    return (int)n;
}

static void *server(void *arg) {
    (void)arg;
    struct sockaddr_in sin;
    int lfd = loopback_listener(&sin);
    pthread_mutex_lock(&lock);
    port = ntohs(sin.sin_port);
    pthread_cond_signal(&ready);
    pthread_mutex_unlock(&lock);

    int fd = accept(lfd, NULL, NULL);
    REQUIRE(fd >= 0);
    close(lfd);
    long answered = 0;
    char line[128], reply[160];
    while (read_line(fd, line, sizeof line) >= 0) {
        int n = snprintf(reply, sizeof reply, "echo: %s\n", line);
        if (!CHECK(write_all(fd, reply, (size_t)n) == 0))
            break;
        answered++;
    }
    close(fd);
    return (void *)answered;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 100;
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, server, NULL) == 0);
    pthread_mutex_lock(&lock);
    while (port == 0)
        pthread_cond_wait(&ready, &lock);
    pthread_mutex_unlock(&lock);

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    REQUIRE(connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0);
    char msg[64], want[80], got[128];
    for (int i = 0; i < rounds; i++) {
        int n = snprintf(msg, sizeof msg, "message %d\n", i);
        REQUIRE(write_all(fd, msg, (size_t)n) == 0);
        snprintf(want, sizeof want, "echo: message %d", i);
        REQUIRE(read_line(fd, got, sizeof got) >= 0);
        if (!CHECK(strcmp(got, want) == 0))
            fprintf(stderr, "got \"%s\", want \"%s\"\n", got, want);
    }
    close(fd);
    void *answered;
    REQUIRE(pthread_join(t, &answered) == 0);
    CHECK_INT((long)answered, rounds);
    printf("thread_pair: %d round trips\n", rounds);
    return finish("thread_pair");
}

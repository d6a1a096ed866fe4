/*
 * A thread-per-connection echo server: the classic shape wasi-threads
 * enables (issue #14).
 *
 * usage: thread_echo_server PORT [N]
 * Listens on 127.0.0.1:PORT (0: any free port), prints "listening PORT" (the
 * port it got), and hands each accepted connection to a new detached thread
 * that echoes everything until the client closes.  With N it stops
 * accepting after N connections, waits for their threads to finish, prints
 * "served N connections" and exits 0; without N it serves forever.
 */
#include "threadutil.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t finished = PTHREAD_COND_INITIALIZER;
static int done; /* connections whose thread has ended, under lock */

static void *serve(void *arg) {
    int fd = (int)(intptr_t)arg;
    char buf[16384];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        if (!CHECK(write_all(fd, buf, (size_t)n) == 0))
            break;
    CHECK(n >= 0 || errno == ECONNRESET);
    close(fd);
    pthread_mutex_lock(&lock);
    done++;
    pthread_cond_signal(&finished);
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(int argc, char **argv) {
    REQUIRE(argc == 2 || argc == 3);
    int want = argc == 3 ? atoi(argv[2]) : -1;
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1])),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sin;
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(lfd >= 0);
    int one = 1;
    CHECK(setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
    REQUIRE(bind(lfd, (struct sockaddr *)&sin, sizeof sin) == 0);
    REQUIRE(listen(lfd, 128) == 0);
    REQUIRE(getsockname(lfd, (struct sockaddr *)&sin, &len) == 0);
    printf("listening %u\n", ntohs(sin.sin_port));
    fflush(stdout);

    pthread_attr_t attr;
    REQUIRE(pthread_attr_init(&attr) == 0);
    REQUIRE(pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0);
    for (int accepted = 0; want < 0 || accepted < want; accepted++) {
        int fd = accept(lfd, NULL, NULL);
        if (!CHECK(fd >= 0))
            break;
        pthread_t t;
        int err = pthread_create(&t, &attr, serve, (void *)(intptr_t)fd);
        if (err != 0) {
            errno = err;
            REQUIRE(!"pthread_create");
        }
    }
    pthread_attr_destroy(&attr);
    close(lfd);

    pthread_mutex_lock(&lock);
    while (done < want)
        pthread_cond_wait(&finished, &lock);
    pthread_mutex_unlock(&lock);
    printf("served %d connections\n", want);
    return finish("thread_echo_server");
}

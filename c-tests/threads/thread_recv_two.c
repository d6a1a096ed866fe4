/*
 * Two threads blocked in recv() at once, on different sockets: one blocked
 * call must not stall the other (issue #14).
 *
 * usage: thread_recv_two [ORDER]
 * Makes two loopback TCP pairs; thread 1 blocks in recv on pair 1, thread 2
 * on pair 2.  After both have been blocked for 300 ms, main releases them one
 * at a time, 300 ms apart, in ORDER ("12", the default, or "21"), each by
 * sending one byte.  Prints "released N at +MS" as main sends and
 * "thread N returned at +MS" as each recv returns, then "order: A B" (the
 * order the recvs returned).  Exits 0 when each thread received its byte
 * and the recvs returned in the release order, each before the next release
 * (so neither waited for the other).
 */
#include "threadutil.h"

struct waiter {
    int id, fd;
    char got;
    long returned_ms; /* when its recv returned */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int returned[2], nreturned; /* ids in the order their recv returned */

static void *wait_one(void *arg) {
    struct waiter *w = arg;
    ssize_t n = recv(w->fd, &w->got, 1, 0);
    w->returned_ms = elapsed_ms();
    CHECK(n == 1);
    pthread_mutex_lock(&lock);
    returned[nreturned++] = w->id;
    pthread_mutex_unlock(&lock);
    printf("thread %d returned at +%ld\n", w->id, w->returned_ms);
    fflush(stdout);
    return NULL;
}

int main(int argc, char **argv) {
    const char *order = argc > 1 ? argv[1] : "12";
    REQUIRE(strcmp(order, "12") == 0 || strcmp(order, "21") == 0);
    elapsed_ms();
    struct waiter w[2];
    int peer[2];
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
        w[i] = (struct waiter){.id = i + 1};
        loopback_pair(&w[i].fd, &peer[i]);
    }
    for (int i = 0; i < 2; i++)
        REQUIRE(pthread_create(&t[i], NULL, wait_one, &w[i]) == 0);
    sleep_ms(300);
    pthread_mutex_lock(&lock);
    CHECK_INT(nreturned, 0); /* both still blocked */
    pthread_mutex_unlock(&lock);

    long released_ms[2];
    for (int k = 0; k < 2; k++) {
        int i = order[k] - '1';
        char c = (char)('a' + i);
        released_ms[k] = elapsed_ms();
        printf("released %d at +%ld\n", i + 1, released_ms[k]);
        fflush(stdout);
        REQUIRE(send(peer[i], &c, 1, 0) == 1);
        sleep_ms(300);
    }
    for (int i = 0; i < 2; i++)
        REQUIRE(pthread_join(t[i], NULL) == 0);

    printf("order: %d %d\n", returned[0], returned[1]);
    for (int k = 0; k < 2; k++) {
        struct waiter *x = &w[order[k] - '1'];
        CHECK_INT(returned[k], x->id);
        CHECK_INT(x->got, 'a' + x->id - 1);
        /* It returned after its release and before the next one. */
        CHECK(x->returned_ms >= released_ms[k]);
        if (k == 0)
            CHECK(x->returned_ms < released_ms[1]);
    }
    for (int i = 0; i < 2; i++) {
        close(w[i].fd);
        close(peer[i]);
    }
    return finish("thread_recv_two");
}

/*
 * loadgen.c - single-threaded epoll load generator for TCP echo servers.
 *
 * Built by bench/run.py with `cc -O2` into bench/build/loadgen. Loopback use
 * only; every loop is bounded in time and the program always stops by itself.
 *
 *   loadgen pingpong -p PORT [-c CONNS] [-s SIZE] [-w WARM] [-d SECS] [-P PID]
 *       each connection sends SIZE bytes, waits for the full echo, repeats.
 *       -> round trips/s, p50/p99/p999 latency (us)
 *   loadgen stream -p PORT [-c CONNS] [-s CHUNK] [-m INFLIGHT] [-w] [-d] [-P]
 *       each connection keeps up to INFLIGHT bytes outstanding, written in
 *       CHUNK-byte writes, and reads everything back; at the end it stops
 *       writing and drains, checking that every byte sent came back.
 *       -> MB/s echoed (1 MB = 1e6 B)
 *   loadgen churn -p PORT [-c PARALLEL] [-s SIZE] [-w] [-d] [-P]
 *       PARALLEL loops of connect + send SIZE + read echo + close.
 *       -> cycles/s, p50/p99 connect-to-echo latency
 *   loadgen lines -p PORT [-c CONNS] [-s VALSIZE] [-w] [-d] [-P]
 *       line-protocol request/response (a tiny KV), one outstanding request
 *       per connection: connection i alternates "SET k<i> <value>\n" (expects
 *       "OK\n") and "GET k<i>\n" (expects "<value>\n", the value it just set);
 *       a value is VALSIZE printable bytes (default 32) that change with every
 *       request, so every response line is checked.
 *       -> requests/s, p50/p99/p999 latency (us)
 *   loadgen idle -p PORT [-c CONNS] [-s SIZE] [-d HOLD]
 *       opens CONNS connections (each echoes SIZE bytes once), prints a line
 *       "READY ..." and holds them until stdin reaches EOF or HOLD seconds pass.
 *
 * TLS (-t): every connection runs TLS 1.3 over the TCP connection (OpenSSL; no
 * certificate verification, no session resumption: every handshake is a full
 * one). pingpong/stream/lines handshake before the clock starts; in churn the
 * handshake is part of each cycle (connect + handshake + echo + close_notify +
 * close); idle holds connections whose handshake and echo are done. Only when
 * built with -DLOADGEN_TLS ... -lssl -lcrypto; `loadgen features` prints
 * {"tls":true|false}.
 * PROXY protocol (-X 1 or -X 2): each connection first sends a PROXY v1 line or
 * a v2 binary header (TCP4, a made-up client 10.x.y.z:port -> the server's
 * address) as its own write, then (TLS and) the payload, as HAProxy's
 * send-proxy / send-proxy-v2 do.
 *
 * Common options: -H HOST (default 127.0.0.1), -T hard timeout in seconds,
 * -n (count bytes only, do not compare echoed content),
 * -S N rotate over N loopback source addresses 127.1.0.1.. (churn default 256,
 * see connect_nonblocking; 0 = kernel's choice).
 * -P PID samples that process's CPU% (utime+stime from /proc/PID/stat) over
 * the measured window; the loadgen's own CPU% comes from getrusage().
 *
 * Output: one JSON line on stdout (for idle: a READY line first).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#ifdef LOADGEN_TLS
#include <openssl/err.h>
#include <openssl/ssl.h>
#endif

enum { M_PINGPONG, M_STREAM, M_CHURN, M_IDLE, M_LINES };
static const char *mode_names[] = {"pingpong", "stream", "churn", "idle", "lines"};
#define NMODES 5

/* ---- options ---- */
static int mode = -1;
static const char *host = "127.0.0.1";
static int port = 0;
static long conns = -1;
static long size = -1;
static long inflight_max = 1 << 20;
static double warm_s = 0.25, dur_s = 1.0, timeout_s = -1;
static int server_pid = 0;
static int verify = 1;
static int use_tls = 0;         /* -t */
static int proxy_ver = 0;       /* -X 1|2 */
#ifdef LOADGEN_TLS
static SSL_CTX *tls_ctx;
static char tls_desc[128] = "";
#endif

/* ---- shared state ---- */
static struct sockaddr_in addr;
static unsigned char *ref;      /* ref[i] = i % 251, length REF_LEN */
static size_t ref_len;
static unsigned char *scratch;  /* receive buffer */
static size_t scratch_len;
static int ep = -1;

static uint64_t errors = 0, verify_failures = 0;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void die(const char *msg) {
    printf("{\"ok\":false,\"mode\":\"%s\",\"error\":\"%s: %s\"}\n",
           mode >= 0 ? mode_names[mode] : "?", msg, strerror(errno));
    fflush(stdout);
    exit(1);
}

/* ---- latency histogram: 1 us buckets below 100 ms, 100 us up to 10 s ---- */
#define H1 100000
#define H2 100000
static uint32_t hist1[H1], hist2[H2];
static uint64_t hist_over = 0, hist_n = 0, hist_max_ns = 0;

static void hist_add(uint64_t ns) {
    uint64_t us = ns / 1000;
    if (us < H1) hist1[us]++;
    else if (us / 100 < H2) hist2[us / 100]++;
    else hist_over++;
    if (ns > hist_max_ns) hist_max_ns = ns;
    hist_n++;
}

static double hist_pct(double p) {
    if (!hist_n) return 0;
    uint64_t want = (uint64_t)(p * (double)hist_n);
    if (want >= hist_n) want = hist_n - 1;
    uint64_t seen = 0;
    for (int i = 0; i < H1; i++) { seen += hist1[i]; if (seen > want) return i; }
    for (int i = 0; i < H2; i++) { seen += hist2[i]; if (seen > want) return (double)i * 100; }
    return (double)hist_max_ns / 1000.0;
}

/* ---- CPU sampling ---- */
static double proc_cpu_s(int pid) {   /* utime+stime of pid, seconds; -1 on error */
    char path[64], buf[2048];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p) return -1;
    p += 2;                          /* now at field 3 (state) */
    unsigned long long ut = 0, st = 0;
    int field = 3;
    char *save = NULL;
    for (char *tok = strtok_r(p, " ", &save); tok; tok = strtok_r(NULL, " ", &save), field++) {
        if (field == 14) ut = strtoull(tok, NULL, 10);
        if (field == 15) { st = strtoull(tok, NULL, 10); break; }
    }
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static double self_cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* whole machine: busy and steal CPU-seconds from /proc/stat; -1 on error */
static void sys_cpu_s(double *busy, double *steal) {
    unsigned long long v[8] = {0};
    *busy = *steal = -1;
    FILE *f = fopen("/proc/stat", "r");
    if (!f) return;
    int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                   &v[6], &v[7]);
    fclose(f);
    if (n < 8) return;
    double hz = (double)sysconf(_SC_CLK_TCK);
    /* user nice system idle iowait irq softirq steal: busy = all but idle+iowait */
    *busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / hz;
    *steal = (double)v[7] / hz;
}

typedef struct { uint64_t t; double srv, self, sys, steal; } snap_t;
static snap_t snap(void) {
    snap_t s;
    s.t = now_ns();
    s.srv = server_pid ? proc_cpu_s(server_pid) : -1;
    s.self = self_cpu_s();
    sys_cpu_s(&s.sys, &s.steal);
    return s;
}

/* ---- sockets ---- */
static void set_nodelay(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

/* Source-address rotation (-S N): churn closes ~20k connections/s from the
 * client side and every one leaves a TIME_WAIT entry for 60 s. With a single
 * source address the ~28k ephemeral ports run out after about a second and
 * connect() stalls searching for a reusable port, so the test would measure
 * the client's kernel, not the server. Binding each socket to one of N
 * loopback addresses 127.1.x.y (all of 127/8 is local) gives N times the
 * port space. IP_BIND_ADDRESS_NO_PORT defers port choice to connect(). */
static long src_count = -1;
static uint64_t src_next = 0;

/* returns fd (connect in progress or done) or -1 */
static int connect_nonblocking(void) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    set_nodelay(fd);
    if (src_count > 0) {
        struct sockaddr_in src;
        int one = 1;
        uint32_t k = (uint32_t)(src_next++ % (uint64_t)src_count);
        memset(&src, 0, sizeof src);
        src.sin_family = AF_INET;
        src.sin_addr.s_addr = htonl((127u << 24) | (1u << 16) | (k + 1));
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        if (bind(fd, (struct sockaddr *)&src, sizeof src) < 0) { close(fd); return -1; }
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

static void ep_ctl(int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = data;
    if (epoll_ctl(ep, op, fd, &ev) < 0) die("epoll_ctl");
}

/* compare received bytes against the reference pattern at stream offset off */
static void check(const unsigned char *buf, size_t n, uint64_t off) {
    if (!verify) return;
    size_t done = 0;
    while (done < n) {
        size_t start = (off + done) % 251;
        size_t len = n - done;
        if (len > ref_len - start) len = ref_len - start;
        if (memcmp(buf + done, ref + start, len) != 0) { verify_failures++; return; }
        done += len;
    }
}

/* ---- per-connection state ---- */
typedef struct {
    int fd;
    int state;            /* see ST_* */
    uint32_t gen;
    uint64_t sent, recvd; /* current message (pingpong/churn) or totals (stream) */
    uint64_t seq;         /* message sequence, shifts the pattern */
    uint64_t t0;
    int out_armed;
    void *ssl;            /* SSL * with -t */
} conn_t;

enum { ST_DEAD, ST_CONNECTING, ST_ACTIVE, ST_HELD, ST_HANDSHAKE };

static conn_t *cs;

static uint64_t key(long i) { return ((uint64_t)cs[i].gen << 32) | (uint64_t)i; }

static void kill_conn(long i) {
#ifdef LOADGEN_TLS
    if (cs[i].ssl) {
        SSL *ssl = cs[i].ssl;
        if (SSL_is_init_finished(ssl)) SSL_shutdown(ssl);   /* one close_notify, no waiting */
        SSL_free(ssl);
        cs[i].ssl = NULL;
    }
#endif
    if (cs[i].fd >= 0) close(cs[i].fd);
    cs[i].fd = -1;
    cs[i].state = ST_DEAD;
    cs[i].gen++;
}

/* ---- I/O through TLS or not: send()/recv() semantics (-1 + EAGAIN when it would block) ---- */
static ssize_t io_send(long i, const void *buf, size_t n) {
#ifdef LOADGEN_TLS
    if (cs[i].ssl) {
        if (n > (1 << 30)) n = 1 << 30;
        ERR_clear_error();
        int r = SSL_write(cs[i].ssl, buf, (int)n);
        if (r > 0) return r;
        int e = SSL_get_error(cs[i].ssl, r);
        errno = (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) ? EAGAIN : EIO;
        return -1;
    }
#endif
    return send(cs[i].fd, buf, n, MSG_NOSIGNAL);
}

static ssize_t io_recv(long i, void *buf, size_t n) {
#ifdef LOADGEN_TLS
    if (cs[i].ssl) {
        if (n > (1 << 30)) n = 1 << 30;
        ERR_clear_error();
        int r = SSL_read(cs[i].ssl, buf, (int)n);
        if (r > 0) return r;
        int e = SSL_get_error(cs[i].ssl, r);
        if (e == SSL_ERROR_ZERO_RETURN) return 0;
        errno = (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) ? EAGAIN : EIO;
        return -1;
    }
#endif
    return recv(cs[i].fd, buf, n, 0);
}

/* decrypted bytes waiting inside the TLS object (epoll cannot see them) */
static int io_pending(long i) {
#ifdef LOADGEN_TLS
    if (cs[i].ssl && cs[i].fd >= 0) return SSL_pending(cs[i].ssl) > 0;
#endif
    (void)i;
    return 0;
}

/* PROXY header (-X): a made-up client address per connection, the server's address as destination */
static uint64_t proxy_seq = 0;
static int proxy_send(int fd) {
    unsigned char h[128];
    int len;
    uint64_t k = proxy_seq++;
    unsigned a = (unsigned)(k >> 16) & 0xff, b = (unsigned)(k >> 8) & 0xff, c = (unsigned)k & 0xff;
    unsigned sport = 1024 + (unsigned)(k % 60000);
    if (proxy_ver == 1) {
        char dst[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &addr.sin_addr, dst, sizeof dst);
        len = snprintf((char *)h, sizeof h, "PROXY TCP4 10.%u.%u.%u %s %u %u\r\n", a, b, c, dst, sport, port);
    } else {
        static const unsigned char sig[12] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
        memcpy(h, sig, 12);
        h[12] = 0x21;               /* version 2, PROXY */
        h[13] = 0x11;               /* TCP over IPv4 */
        h[14] = 0; h[15] = 12;      /* address block length */
        h[16] = 10; h[17] = a; h[18] = b; h[19] = c;
        memcpy(h + 20, &addr.sin_addr, 4);
        h[24] = sport >> 8; h[25] = sport & 0xff;
        h[26] = port >> 8; h[27] = port & 0xff;
        len = 28;
    }
    return send(fd, h, len, MSG_NOSIGNAL) == len ? 0 : -1;   /* a few bytes into an empty buffer */
}

#ifdef LOADGEN_TLS
static void tls_note(SSL *ssl) {
    if (!tls_desc[0])
        snprintf(tls_desc, sizeof tls_desc, "%s %s", SSL_get_version(ssl), SSL_get_cipher_name(ssl));
}
#endif

/* start TLS on connection i (fd connected, PROXY header sent); 0 or -1 */
static int tls_attach(long i) {
#ifdef LOADGEN_TLS
    SSL *ssl = SSL_new(tls_ctx);
    if (!ssl) return -1;
    SSL_set_fd(ssl, cs[i].fd);
    SSL_set_connect_state(ssl);
    cs[i].ssl = ssl;
    return 0;
#else
    (void)i;
    return -1;
#endif
}

/* one step of a non-blocking handshake: 1 done, 0 in progress (epoll re-armed), -1 failed */
static int tls_step(long i) {
#ifdef LOADGEN_TLS
    ERR_clear_error();
    int r = SSL_do_handshake(cs[i].ssl);
    if (r == 1) { tls_note(cs[i].ssl); return 1; }
    int e = SSL_get_error(cs[i].ssl, r);
    if (e == SSL_ERROR_WANT_READ) { ep_ctl(EPOLL_CTL_MOD, cs[i].fd, EPOLLIN, key(i)); return 0; }
    if (e == SSL_ERROR_WANT_WRITE) { ep_ctl(EPOLL_CTL_MOD, cs[i].fd, EPOLLOUT, key(i)); return 0; }
#endif
    (void)i;
    return -1;
}

/* connection i, connected (PROXY header sent, TLS handshake done) before the clock starts */
static int connect_blocking(long i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) die("connect");
    set_nodelay(fd);
    cs[i].fd = fd;
    if (proxy_ver && proxy_send(fd) < 0) die("PROXY header");
#ifdef LOADGEN_TLS
    if (use_tls) {
        if (tls_attach(i) < 0) die("SSL_new");
        ERR_clear_error();
        if (SSL_connect(cs[i].ssl) != 1) { errno = EPROTO; die("TLS handshake"); }
        tls_note(cs[i].ssl);
    }
#endif
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/* results shared by modes */
static uint64_t ops = 0, bytes = 0;
static int measuring = 0;

/* ================= pingpong ================= */

/* send what remains of the current message; returns 0 ok, -1 on error */
static int pp_send(long i) {
    conn_t *c = &cs[i];
    while (c->sent < (uint64_t)size) {
        ssize_t n = io_send(i, ref + (c->seq % 251) + c->sent, size - c->sent);
        if (n < 0) {
            if (errno == EAGAIN) {
                if (!c->out_armed) { ep_ctl(EPOLL_CTL_MOD, c->fd, EPOLLIN | EPOLLOUT, key(i)); c->out_armed = 1; }
                return 0;
            }
            return -1;
        }
        c->sent += n;
    }
    if (c->out_armed) { ep_ctl(EPOLL_CTL_MOD, c->fd, EPOLLIN, key(i)); c->out_armed = 0; }
    return 0;
}

static void pp_start(long i, uint64_t t) {
    conn_t *c = &cs[i];
    c->seq++;
    c->sent = c->recvd = 0;
    c->t0 = t;
    if (pp_send(i) < 0) { errors++; kill_conn(i); }
}

static long alive = 0;

static void pp_event(long i, uint32_t evs) {
    conn_t *c = &cs[i];
    if (evs & EPOLLOUT) {
        if (pp_send(i) < 0) { errors++; kill_conn(i); alive--; return; }
    }
    if (evs & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        uint64_t want = size - c->recvd;
        if (want > scratch_len) want = scratch_len;
        ssize_t n = io_recv(i, scratch, want);
        if (n < 0 && errno == EAGAIN) return;
        if (n <= 0) { errors++; kill_conn(i); alive--; return; }
        check(scratch, n, (c->seq % 251) + c->recvd);
        c->recvd += n;
        if (c->recvd == (uint64_t)size && c->sent == (uint64_t)size) {
            uint64_t t = now_ns();
            if (measuring) { ops++; bytes += size; hist_add(t - c->t0); }
            pp_start(i, t);
            if (c->state == ST_DEAD) alive--;
        }
    }
}

/* ================= lines ================= */

/* per connection: the request being sent, the response line expected (got_len of it received so far),
 * and the value line last SET (what the next GET must return) */
#define LN_MAXVAL 4096
#define LN_BUF (LN_MAXVAL + 64)
typedef struct { char req[LN_BUF], want[LN_BUF], val[LN_BUF]; int req_len, want_len, got_len; } line_t;
static line_t *ls;

static int ln_send(long i) {
    conn_t *c = &cs[i];
    line_t *l = &ls[i];
    while (c->sent < (uint64_t)l->req_len) {
        ssize_t n = io_send(i, l->req + c->sent, l->req_len - c->sent);
        if (n < 0) {
            if (errno == EAGAIN) {
                if (!c->out_armed) { ep_ctl(EPOLL_CTL_MOD, c->fd, EPOLLIN | EPOLLOUT, key(i)); c->out_armed = 1; }
                return 0;
            }
            return -1;
        }
        c->sent += n;
    }
    if (c->out_armed) { ep_ctl(EPOLL_CTL_MOD, c->fd, EPOLLIN, key(i)); c->out_armed = 0; }
    return 0;
}

/* next request: odd seq = SET with a fresh value, even seq = GET of that value */
static void ln_start(long i, uint64_t t) {
    conn_t *c = &cs[i];
    line_t *l = &ls[i];
    c->seq++;
    c->sent = c->recvd = 0;
    c->t0 = t;
    l->got_len = 0;
    if (c->seq & 1) {
        char *v = l->val;    /* kept for the GET that follows */
        int k = snprintf(v, LN_BUF, "%llu.", (unsigned long long)c->seq);
        for (; k < size; k++) v[k] = (char)('a' + (c->seq + (uint64_t)k) % 26);
        if (k > size) k = (int)size;
        v[k] = '\n';
        l->req_len = snprintf(l->req, LN_BUF, "SET k%ld %.*s\n", i, (int)size, v);
        l->want_len = 3;
        memcpy(l->want, "OK\n", 3);
    } else {
        l->req_len = snprintf(l->req, LN_BUF, "GET k%ld\n", i);
        memcpy(l->want, l->val, size + 1);
        l->want_len = (int)size + 1;
    }
    if (ln_send(i) < 0) { errors++; kill_conn(i); }
}

static void ln_event(long i, uint32_t evs) {
    conn_t *c = &cs[i];
    line_t *l = &ls[i];
    if (evs & EPOLLOUT) {
        if (ln_send(i) < 0) { errors++; kill_conn(i); alive--; return; }
    }
    if (evs & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        ssize_t n = io_recv(i, scratch, scratch_len);
        if (n < 0 && errno == EAGAIN) return;
        if (n <= 0) { errors++; kill_conn(i); alive--; return; }
        if (l->got_len + n > l->want_len) { verify_failures++; n = l->want_len - l->got_len; }
        if (verify && memcmp(scratch, l->want + l->got_len, n) != 0) verify_failures++;
        l->got_len += n;
        c->recvd += n;
        if (l->got_len == l->want_len && c->sent == (uint64_t)l->req_len) {
            uint64_t t = now_ns();
            if (measuring) { ops++; bytes += l->req_len + l->want_len; hist_add(t - c->t0); }
            ln_start(i, t);
            if (c->state == ST_DEAD) alive--;
        }
    }
}

/* ================= stream ================= */

static int st_sending = 1;

static int st_fill(long i) {
    conn_t *c = &cs[i];
    while (st_sending && c->sent - c->recvd + size <= (uint64_t)inflight_max) {
        ssize_t n = io_send(i, ref + (c->sent % 251), size);
        if (n < 0) {
            if (errno == EAGAIN) {
                if (!c->out_armed) { ep_ctl(EPOLL_CTL_MOD, c->fd, EPOLLIN | EPOLLOUT, key(i)); c->out_armed = 1; }
                return 0;
            }
            return -1;
        }
        c->sent += n;
    }
    if (c->out_armed) { ep_ctl(EPOLL_CTL_MOD, c->fd, EPOLLIN, key(i)); c->out_armed = 0; }
    return 0;
}

static void st_event(long i, uint32_t evs) {
    conn_t *c = &cs[i];
    /* TLS hands out one record (<= 16 KiB) per read: take up to 16 per event */
    for (int rounds = 0; (evs & (EPOLLIN | EPOLLERR | EPOLLHUP)) && rounds < (c->ssl ? 16 : 1); rounds++) {
        ssize_t n = io_recv(i, scratch, scratch_len);
        if (n < 0 && errno == EAGAIN) break;
        if (n <= 0) { errors++; kill_conn(i); alive--; return; }
        check(scratch, n, c->recvd);
        c->recvd += n;
        if (measuring) bytes += n;
        if (c->recvd > c->sent) { verify_failures++; }
    }

    if (st_fill(i) < 0) { errors++; kill_conn(i); alive--; }
}

/* ================= churn / idle ================= */

static long pending = 0, done_conns = 0, dropped = 0, next_idx = 0;

static int cy_launch(long i) {
    conn_t *c = &cs[i];
    c->fd = connect_nonblocking();
    if (c->fd < 0) { errors++; c->state = ST_DEAD; return -1; }
    c->state = ST_CONNECTING;
    c->sent = c->recvd = 0;
    c->seq++;
    c->t0 = now_ns();
    c->out_armed = 1;
    ep_ctl(EPOLL_CTL_ADD, c->fd, EPOLLOUT, key(i));
    return 0;
}

/* returns 1 when the cycle's echo is complete */
static int cy_event(long i, uint32_t evs) {
    conn_t *c = &cs[i];
    if (c->state == ST_CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err || (evs & (EPOLLERR | EPOLLHUP))) return -1;
        if (proxy_ver && proxy_send(c->fd) < 0) return -1;
        c->out_armed = 0;
        if (use_tls) {
            if (tls_attach(i) < 0) return -1;
            c->state = ST_HANDSHAKE;
            evs = 0;
        } else {
            c->state = ST_ACTIVE;
            ssize_t n = io_send(i, ref + (c->seq % 251), size);
            if (n != size) return -1;   /* tiny message into an empty buffer */
            c->sent = n;
            ep_ctl(EPOLL_CTL_MOD, c->fd, EPOLLIN, key(i));
            return 0;
        }
    }
    if (c->state == ST_HANDSHAKE) {
        if (evs & EPOLLERR) return -1;
        int r = tls_step(i);
        if (r <= 0) return r;
        c->state = ST_ACTIVE;
        ssize_t n = io_send(i, ref + (c->seq % 251), size);
        if (n != size) return -1;
        c->sent = n;
        ep_ctl(EPOLL_CTL_MOD, c->fd, EPOLLIN, key(i));
        return 0;
    }
    if (c->state == ST_ACTIVE) {
        ssize_t n = io_recv(i, scratch, size - c->recvd);
        if (n < 0 && errno == EAGAIN) return 0;
        if (n <= 0) return -1;
        check(scratch, n, (c->seq % 251) + c->recvd);
        c->recvd += n;
        return c->recvd == (uint64_t)size ? 1 : 0;
    }
    if (c->state == ST_HELD) {   /* idle: anything readable now means the server closed */
        ssize_t n = io_recv(i, scratch, scratch_len);
        if (n < 0 && errno == EAGAIN) return 0;
        return -2;
    }
    return 0;
}

/* ================= main loops ================= */

#define MAXEV 1024

static void print_common(const snap_t *a, const snap_t *b) {
    double wall = (b->t - a->t) / 1e9;
    printf("\"duration_s\":%.4f,", wall);
    if (server_pid && a->srv >= 0 && b->srv >= 0)
        printf("\"server_cpu_pct\":%.1f,", 100.0 * (b->srv - a->srv) / wall);
    else
        printf("\"server_cpu_pct\":null,");
    printf("\"client_cpu_pct\":%.1f,", 100.0 * (b->self - a->self) / wall);
    /* CPU used by everything else on the machine (other processes, hypervisor steal):
     * a large value means the sample was disturbed */
    if (server_pid && a->srv >= 0 && b->srv >= 0 && a->sys >= 0 && b->sys >= 0) {
        double other = (b->sys - a->sys) - (b->srv - a->srv) - (b->self - a->self);
        printf("\"other_cpu_pct\":%.1f,\"steal_pct\":%.1f,", 100.0 * (other > 0 ? other : 0) / wall,
               100.0 * (b->steal - a->steal) / wall);
    }
#ifdef LOADGEN_TLS
    if (use_tls) printf("\"tls\":\"%s\",", tls_desc);
#endif
    if (proxy_ver) printf("\"proxy\":%d,", proxy_ver);
    printf("\"errors\":%llu,\"verify_failures\":%llu,\"verified\":%s",
           (unsigned long long)errors, (unsigned long long)verify_failures, verify ? "true" : "false");
}

static void print_latency(void) {
    printf("\"samples\":%llu,\"p50_us\":%.0f,\"p99_us\":%.0f,\"p999_us\":%.0f,\"max_us\":%.0f,",
           (unsigned long long)hist_n, hist_pct(0.50), hist_pct(0.99), hist_pct(0.999), hist_max_ns / 1000.0);
}

static int run_timed(void) {
    struct epoll_event evs[MAXEV];
    uint64_t t_start = now_ns();
    uint64_t t_meas = t_start + (uint64_t)(warm_s * 1e9);
    uint64_t t_end = t_meas + (uint64_t)(dur_s * 1e9);
    snap_t a = {0}, b = {0};
    uint64_t t = t_start;

    if (mode == M_PINGPONG || mode == M_STREAM || mode == M_LINES) {
        for (long i = 0; i < conns; i++) {
            cs[i].fd = connect_blocking(i);
            cs[i].state = ST_ACTIVE;
            ep_ctl(EPOLL_CTL_ADD, cs[i].fd, EPOLLIN, key(i));
        }
        alive = conns;
        t_start = now_ns();
        t_meas = t_start + (uint64_t)(warm_s * 1e9);
        t_end = t_meas + (uint64_t)(dur_s * 1e9);
        for (long i = 0; i < conns; i++) {
            if (mode == M_PINGPONG) { pp_start(i, now_ns()); if (cs[i].state == ST_DEAD) alive--; }
            else if (mode == M_LINES) { ln_start(i, now_ns()); if (cs[i].state == ST_DEAD) alive--; }
            else if (st_fill(i) < 0) { errors++; kill_conn(i); alive--; }
        }
    } else { /* churn */
        for (long i = 0; i < conns; i++) cy_launch(i);
    }
    if (warm_s <= 0) { measuring = 1; a = snap(); }

    uint64_t churn_spins = 0;
    while (t < t_end) {
        int n = epoll_wait(ep, evs, MAXEV, 2);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        t = now_ns();
        if (!measuring && t >= t_meas) { measuring = 1; a = snap(); t = a.t; }
        for (int k = 0; k < n; k++) {
            long i = (long)(evs[k].data.u64 & 0xffffffffu);
            uint32_t gen = (uint32_t)(evs[k].data.u64 >> 32);
            if (cs[i].gen != gen || cs[i].state == ST_DEAD) continue;
            if (mode == M_PINGPONG || mode == M_STREAM || mode == M_LINES) {
                uint32_t e = evs[k].events;
                int again = 0;
                do {   /* with TLS, read again while decrypted bytes wait inside the TLS object */
                    if (mode == M_PINGPONG) pp_event(i, e);
                    else if (mode == M_STREAM) st_event(i, e);
                    else ln_event(i, e);
                    e = EPOLLIN;
                } while (cs[i].state != ST_DEAD && cs[i].gen == gen && io_pending(i) && ++again < 64);
            }
            else {
                int r = cy_event(i, evs[k].events);
                while (r == 0 && cs[i].state == ST_ACTIVE && io_pending(i)) r = cy_event(i, EPOLLIN);
                if (r == 0) continue;
                if (r == 1) {
                    uint64_t tt = now_ns();
                    if (measuring) { ops++; bytes += size; hist_add(tt - cs[i].t0); }
                } else errors++;
                kill_conn(i);
                if (cy_launch(i) < 0) kill_conn(i);
            }
        }
        if (mode == M_CHURN) {   /* relaunch slots whose connect() failed outright */
            for (long i = 0; i < conns; i++)
                if (cs[i].state == ST_DEAD && cy_launch(i) < 0) { kill_conn(i); churn_spins++; }
            if (churn_spins > 100000) break;
        } else if (alive <= 0) break;
    }
    if (!measuring) { measuring = 1; a = snap(); }
    b = snap();
    measuring = 0;

    /* stream: stop writing and drain so every byte sent must come back */
    int drained = 1;
    uint64_t total_sent = 0, total_recvd = 0;
    if (mode == M_STREAM) {
        st_sending = 0;
        uint64_t t_drain_end = now_ns() + 5000000000ull;
        for (;;) {
            int open = 0;
            for (long i = 0; i < conns; i++)
                if (cs[i].state != ST_DEAD && cs[i].recvd < cs[i].sent) open = 1;
            if (!open || now_ns() > t_drain_end) break;
            int n = epoll_wait(ep, evs, MAXEV, 10);
            for (int k = 0; k < n; k++) {
                long i = (long)(evs[k].data.u64 & 0xffffffffu);
                if (cs[i].state == ST_DEAD || cs[i].gen != (uint32_t)(evs[k].data.u64 >> 32)) continue;
                st_event(i, evs[k].events);
            }
        }
        for (long i = 0; i < conns; i++) {
            total_sent += cs[i].sent;
            total_recvd += cs[i].recvd;
            if (cs[i].state == ST_DEAD || cs[i].recvd != cs[i].sent) drained = 0;
        }
    }
    for (long i = 0; i < conns; i++) if (cs[i].fd >= 0) close(cs[i].fd);

    double wall = (b.t - a.t) / 1e9;
    int ok = errors == 0 && verify_failures == 0 && drained && ops + bytes > 0;
    printf("{\"ok\":%s,\"mode\":\"%s\",\"conns\":%ld,\"size\":%ld,", ok ? "true" : "false",
           mode_names[mode], conns, size);
    if (mode == M_STREAM) {
        printf("\"inflight\":%ld,\"bytes\":%llu,\"mb_per_s\":%.2f,\"total_sent\":%llu,\"total_echoed\":%llu,\"drained\":%s,",
               inflight_max, (unsigned long long)bytes, bytes / wall / 1e6,
               (unsigned long long)total_sent, (unsigned long long)total_recvd, drained ? "true" : "false");
    } else {
        printf("\"ops\":%llu,\"ops_per_s\":%.1f,\"mb_per_s\":%.3f,", (unsigned long long)ops, ops / wall,
               bytes / wall / 1e6);
        print_latency();
    }
    print_common(&a, &b);
    printf("}\n");
    fflush(stdout);
    return ok ? 0 : 1;
}

static int run_idle(void) {
    struct epoll_event evs[MAXEV];
    const long max_pending = 64;
    uint64_t t0 = now_ns();
    uint64_t deadline = t0 + (uint64_t)(timeout_s * 1e9);
    long failures = 0, nretry = 0;
    long *retry = calloc(conns, sizeof *retry);
    if (!retry) die("malloc");

    while (done_conns < conns) {
        while (pending < max_pending && (nretry > 0 || next_idx < conns)) {
            long i = nretry > 0 ? retry[nretry - 1] : next_idx;
            if (cy_launch(i) < 0) {
                kill_conn(i);
                if (++failures > conns) { errno = ECONNREFUSED; die("too many connect failures"); }
                usleep(1000);
                break;
            }
            if (nretry > 0) nretry--; else next_idx++;
            pending++;
        }
        int n = epoll_wait(ep, evs, MAXEV, 5);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        for (int k = 0; k < n; k++) {
            long i = (long)(evs[k].data.u64 & 0xffffffffu);
            if (cs[i].state == ST_DEAD || cs[i].gen != (uint32_t)(evs[k].data.u64 >> 32)) continue;
            int r = cy_event(i, evs[k].events);
            while (r == 0 && cs[i].state == ST_ACTIVE && io_pending(i)) r = cy_event(i, EPOLLIN);
            if (r == 1) {
                cs[i].state = ST_HELD;
                pending--;
                done_conns++;
            } else if (r == -1) {       /* retry this connection */
                errors++;
                kill_conn(i);
                if (++failures > conns) { errno = ECONNRESET; die("too many connection failures"); }
                pending--;
                retry[nretry++] = i;
            } else if (r == -2) {
                dropped++;
                kill_conn(i);
            }
        }
        if (now_ns() > deadline) {
            printf("{\"ok\":false,\"mode\":\"idle\",\"error\":\"timeout: %ld of %ld connections open\"}\n",
                   done_conns, conns);
            fflush(stdout);
            return 1;
        }
    }
    double open_s = (now_ns() - t0) / 1e9;
    printf("READY %ld %.3f\n", done_conns, open_s);
    fflush(stdout);

    /* hold until stdin EOF or dur_s seconds */
    uint64_t hold_end = now_ns() + (uint64_t)(dur_s * 1e9);
    int stdin_open = 1;
    while (now_ns() < hold_end && stdin_open) {
        struct pollfd pf[2] = {{0, POLLIN, 0}, {ep, POLLIN, 0}};
        int n = poll(pf, 2, 100);
        if (n <= 0) continue;
        if (pf[0].revents) {
            char b[256];
            ssize_t r = read(0, b, sizeof b);
            if (r <= 0) stdin_open = 0;
        }
        if (pf[1].revents & POLLIN) {
            int m = epoll_wait(ep, evs, MAXEV, 0);
            for (int k = 0; k < m; k++) {
                long i = (long)(evs[k].data.u64 & 0xffffffffu);
                if (cs[i].state == ST_DEAD || cs[i].gen != (uint32_t)(evs[k].data.u64 >> 32)) continue;
                if (cy_event(i, evs[k].events) < 0) { dropped++; kill_conn(i); }
            }
        }
    }
    long held = 0;
    for (long i = 0; i < conns; i++) if (cs[i].state == ST_HELD) held++;
    for (long i = 0; i < conns; i++) if (cs[i].fd >= 0) close(cs[i].fd);
    int ok = held == conns && verify_failures == 0;
    printf("{\"ok\":%s,\"mode\":\"idle\",\"conns\":%ld,\"size\":%ld,\"open_s\":%.3f,\"held\":%ld,"
           "\"dropped\":%ld,\"errors\":%llu,\"verify_failures\":%llu}\n",
           ok ? "true" : "false", conns, size, open_s, held, dropped, (unsigned long long)errors,
           (unsigned long long)verify_failures);
    fflush(stdout);
    return ok ? 0 : 1;
}

static void usage(void) {
    fprintf(stderr,
            "usage: loadgen pingpong|stream|churn|idle|lines -p PORT [-H HOST] [-c N] [-s BYTES]\n"
            "               [-m INFLIGHT] [-w WARM_S] [-d SECS] [-T TIMEOUT_S] [-P PID] [-S NSRC] [-n] [-t] [-X 1|2]\n"
            "       loadgen features\n");
    exit(2);
}

int main(int argc, char **argv) {
    if (argc < 2) usage();
    if (!strcmp(argv[1], "features")) {
#ifdef LOADGEN_TLS
        printf("{\"tls\":true,\"openssl\":\"%s\",\"proxy\":[1,2]}\n", OpenSSL_version(OPENSSL_VERSION));
#else
        printf("{\"tls\":false,\"proxy\":[1,2]}\n");
#endif
        return 0;
    }
    for (int m = 0; m < NMODES; m++) if (!strcmp(argv[1], mode_names[m])) mode = m;
    if (mode < 0) usage();
    int opt;
    optind = 2;
    while ((opt = getopt(argc, argv, "p:H:c:s:m:w:d:T:P:nS:tX:")) != -1) {
        switch (opt) {
        case 'p': port = atoi(optarg); break;
        case 'H': host = optarg; break;
        case 'c': conns = atol(optarg); break;
        case 's': size = atol(optarg); break;
        case 'm': inflight_max = atol(optarg); break;
        case 'w': warm_s = atof(optarg); break;
        case 'd': dur_s = atof(optarg); break;
        case 'T': timeout_s = atof(optarg); break;
        case 'P': server_pid = atoi(optarg); break;
        case 'n': verify = 0; break;
        case 'S': src_count = atol(optarg); break;
        case 't': use_tls = 1; break;
        case 'X': proxy_ver = atoi(optarg); break;
        default: usage();
        }
    }
    if (port <= 0 || port > 65535) usage();
    if (proxy_ver != 0 && proxy_ver != 1 && proxy_ver != 2) usage();
    if (use_tls) {
#ifdef LOADGEN_TLS
        tls_ctx = SSL_CTX_new(TLS_client_method());
        if (!tls_ctx) { errno = EPROTO; die("SSL_CTX_new"); }
        SSL_CTX_set_min_proto_version(tls_ctx, TLS1_3_VERSION);
        SSL_CTX_set_max_proto_version(tls_ctx, TLS1_3_VERSION);
        SSL_CTX_set_verify(tls_ctx, SSL_VERIFY_NONE, NULL);
        SSL_CTX_set_session_cache_mode(tls_ctx, SSL_SESS_CACHE_OFF);   /* full handshakes only */
        SSL_CTX_set_mode(tls_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
#else
        errno = ENOTSUP;
        die("this loadgen was built without TLS (OpenSSL headers missing): -t unavailable");
#endif
    }
    static const long def_conns[] = {1, 8, 20, 10000, 50}, def_size[] = {64, 65536, 64, 16, 32};
    if (conns <= 0) conns = def_conns[mode];
    if (size <= 0) size = def_size[mode];
    if (mode == M_IDLE && dur_s == 1.0) dur_s = 60;   /* default hold */
    if (mode == M_STREAM && inflight_max < size) inflight_max = size;
    if (conns > 1000000 || size > (64 << 20) || warm_s < 0 || warm_s > 600 || dur_s <= 0 || dur_s > 3600) usage();
    if (mode == M_LINES && (size < 24 || size > LN_MAXVAL)) usage();   /* room for the seq number */
    if (src_count < 0) src_count = mode == M_CHURN ? 256 : 0;
    if (src_count > 60000) usage();
    if (timeout_s <= 0) timeout_s = mode == M_IDLE ? 60 : warm_s + dur_s + 30;

    signal(SIGPIPE, SIG_IGN);
    /* hard stop, whatever happens */
    alarm((unsigned)(timeout_s + (mode == M_IDLE ? dur_s : 0) + 10));

    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) { errno = EINVAL; die("bad -H (IPv4 literal)"); }
    if ((ntohl(addr.sin_addr.s_addr) >> 24) != 127) src_count = 0;   /* rotation is loopback-only */

    ref_len = (size_t)(size > (256 << 10) ? size : (256 << 10)) + 512;
    ref = malloc(ref_len);
    for (size_t i = 0; i < ref_len; i++) ref[i] = (unsigned char)(i % 251);
    scratch_len = 256 << 10;
    scratch = malloc(scratch_len);
    cs = calloc(conns, sizeof *cs);
    if (mode == M_LINES && !(ls = calloc(conns, sizeof *ls))) die("malloc");
    if (!ref || !scratch || !cs) die("malloc");
    for (long i = 0; i < conns; i++) cs[i].fd = -1;
    ep = epoll_create1(0);
    if (ep < 0) die("epoll_create1");

    return mode == M_IDLE ? run_idle() : run_timed();
}

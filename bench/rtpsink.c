/*
 * rtpsink — receives the RTP kefu relays to callers and agents in the call
 * benchmark (bench/calls.sh) and measures it as a phone would.
 *
 * usage: rtpsink LABEL=IP:PORT ...
 *
 * Binds a UDP socket to each address (the callers' and agents' SDP point
 * their audio there) and keeps one receiver per stream (socket and SSRC)
 * with src/media's statistics: loss by sequence numbers, and lateness
 * against a 60 ms playout buffer, through the relative transit time, so
 * a packet kefu held back counts as late exactly as it would in a phone's
 * jitter buffer. Arrival times are the kernel's (SO_TIMESTAMPNS), so the
 * sink's own scheduling delay does not count against kefu. Packets are
 * read in batches (recvmmsg) to keep the sink's share of the CPU small.
 *
 * Commands on standard input, one per line, each answered on standard
 * output with one line:
 *   reset   forget every stream (the start of a measuring window): "ok"
 *   report  per label, the streams seen since the reset and the sums of
 *           their statistics, as one JSON object
 *   quit
 * A benchmark tool only: kefu itself never runs it.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "media/media.h"

#define SOCKS_MAX 64
#define BATCH 64
#define PKT_MAX 2048
#define LATE_MS 60
#define TABLE_BITS 14 /* 16384 streams */
#define TABLE_SIZE (1u << TABLE_BITS)

struct sink {
	char label[32];
	int fd;
	uint32_t drops; /* the kernel's count: the socket's buffer was full */
};

struct stream {
	int used;
	int sock;
	uint32_t ssrc;
	int64_t last_us;
	struct media_rtp_rx rx;
};

static struct sink socks[SOCKS_MAX];
static int nsocks;
static struct stream *table;
static uint64_t unparsed;

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static struct stream *stream_of(int sock, uint32_t ssrc)
{
	uint32_t h = (ssrc * 2654435761u) ^ (uint32_t)sock;

	for (uint32_t i = 0; i < TABLE_SIZE; i++) {
		struct stream *s = &table[(h + i) & (TABLE_SIZE - 1)];

		if (!s->used) {
			s->used = 1;
			s->sock = sock;
			s->ssrc = ssrc;
			media_rtp_rx_init(&s->rx, MEDIA_RATE, LATE_MS, -1);
			return s;
		}
		if (s->sock == sock && s->ssrc == ssrc)
			return s;
	}
	return NULL;
}

static int open_sink(const char *arg)
{
	char host[64];
	const char *eq = strchr(arg, '='), *colon = strrchr(arg, ':');
	struct sockaddr_in a;
	int fd, on = 1, size = 4 << 20;

	if (!eq || !colon || colon < eq || nsocks == SOCKS_MAX || (size_t)(eq - arg) >= 32 ||
	    (size_t)(colon - eq - 1) >= sizeof(host))
		return -1;
	memcpy(socks[nsocks].label, arg, (size_t)(eq - arg));
	socks[nsocks].label[eq - arg] = 0;
	memcpy(host, eq + 1, (size_t)(colon - eq - 1));
	host[colon - eq - 1] = 0;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
		return -1;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	(void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
	(void)setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	socks[nsocks++].fd = fd;
	return 0;
}

/* Reads what one socket has; returns the datagrams read. */
static int drain(int i)
{
	static uint8_t bufs[BATCH][PKT_MAX];
	static char ctl[BATCH][CMSG_SPACE(sizeof(struct timespec)) + CMSG_SPACE(sizeof(uint32_t))];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	int n;

	memset(msgs, 0, sizeof(msgs));
	for (int k = 0; k < BATCH; k++) {
		iov[k].iov_base = bufs[k];
		iov[k].iov_len = PKT_MAX;
		msgs[k].msg_hdr.msg_iov = &iov[k];
		msgs[k].msg_hdr.msg_iovlen = 1;
		msgs[k].msg_hdr.msg_control = ctl[k];
		msgs[k].msg_hdr.msg_controllen = sizeof(ctl[k]);
	}
	n = recvmmsg(socks[i].fd, msgs, BATCH, MSG_DONTWAIT, NULL);
	for (int k = 0; k < n; k++) {
		struct media_rtp_hdr h;
		struct stream *s;
		int64_t at = 0;

		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[k].msg_hdr); c;
		     c = CMSG_NXTHDR(&msgs[k].msg_hdr, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
				struct timespec ts;

				memcpy(&ts, CMSG_DATA(c), sizeof(ts));
				at = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
			} else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
				memcpy(&socks[i].drops, CMSG_DATA(c), sizeof(socks[i].drops));
			}
		}
		if (!at)
			at = now_us();
		if (media_rtp_parse(bufs[k], msgs[k].msg_len, &h) < 0) {
			unparsed++;
			continue;
		}
		s = stream_of(i, h.ssrc);
		if (!s)
			continue;
		(void)media_rtp_rx_update(&s->rx, &h, at);
		s->last_us = at;
	}
	return n;
}

static void report(void)
{
	int64_t now = now_us();
	uint64_t drops = 0;

	for (int i = 0; i < nsocks; i++)
		drops += socks[i].drops;
	printf("{");
	for (int i = 0; i < nsocks; i++) {
		int first = 1;

		/* Each label once, summing all its sockets. */
		for (int j = 0; j < i; j++)
			if (!strcmp(socks[j].label, socks[i].label))
				first = 0;
		if (!first)
			continue;
		{
			uint64_t streams = 0, active = 0, expected = 0, received = 0, lost = 0,
				 late = 0;
			uint64_t jitter_sum = 0, jitter_max = 0;

			for (uint32_t t = 0; t < TABLE_SIZE; t++) {
				struct stream *s = &table[t];
				struct media_rtp_stats st;

				if (!s->used || strcmp(socks[s->sock].label, socks[i].label))
					continue;
				media_rtp_rx_stats(&s->rx, &st);
				streams++;
				if (now - s->last_us < 1000000)
					active++;
				expected += st.expected;
				received += st.received;
				lost += st.lost;
				late += st.late;
				jitter_sum += st.jitter_us;
				if (st.jitter_us > jitter_max)
					jitter_max = st.jitter_us;
			}
			printf("%s\"%s\": {\"streams\": %llu, \"active\": %llu, \"expected\": "
			       "%llu, "
			       "\"received\": %llu, \"lost\": %llu, \"late\": %llu, "
			       "\"jitter_mean_us\": %llu, \"jitter_max_us\": %llu}",
			       i ? ", " : "", socks[i].label, (unsigned long long)streams,
			       (unsigned long long)active, (unsigned long long)expected,
			       (unsigned long long)received, (unsigned long long)lost,
			       (unsigned long long)late,
			       (unsigned long long)(streams ? jitter_sum / streams : 0),
			       (unsigned long long)jitter_max);
		}
	}
	printf(", \"socket_drops\": %llu, \"unparsed\": %llu}\n", (unsigned long long)drops,
	       (unsigned long long)unparsed);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct pollfd pfd[SOCKS_MAX + 1];
	char line[64];

	if (argc < 2) {
		fprintf(stderr, "usage: rtpsink LABEL=IP:PORT ...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (open_sink(argv[i]) < 0) {
			fprintf(stderr, "rtpsink: cannot listen on %s: %s\n", argv[i],
				strerror(errno));
			return 1;
		}
	table = calloc(TABLE_SIZE, sizeof(*table));
	if (!table)
		return 1;
	for (int i = 0; i < nsocks; i++) {
		pfd[i].fd = socks[i].fd;
		pfd[i].events = POLLIN;
	}
	pfd[nsocks].fd = 0;
	pfd[nsocks].events = POLLIN;
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		if (poll(pfd, (nfds_t)nsocks + 1, -1) < 0 && errno != EINTR)
			return 1;
		for (int i = 0; i < nsocks; i++)
			if (pfd[i].revents & POLLIN)
				while (drain(i) == BATCH)
					;
		if (!(pfd[nsocks].revents & (POLLIN | POLLHUP)))
			continue;
		if (!fgets(line, sizeof(line), stdin) || !strncmp(line, "quit", 4))
			break;
		if (!strncmp(line, "reset", 5)) {
			memset(table, 0, TABLE_SIZE * sizeof(*table));
			printf("ok\n");
			fflush(stdout);
		} else if (!strncmp(line, "report", 6)) {
			report();
		}
	}
	return 0;
}

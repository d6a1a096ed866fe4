/*
 * Well-known service names (there is no /etc/services in a guest) for
 * getaddrinfo(), getnameinfo(), getservbyname() and getservbyport(); and the
 * few protocol names of getprotobyname().
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include "internal.h"

#define T WASOCK_SVC_TCP
#define U WASOCK_SVC_UDP

static const struct service {
    const char *name;
    unsigned short port;
    unsigned char protos;
} services[] = {
    {"echo", 7, T | U},        {"discard", 9, T | U},      {"daytime", 13, T | U},
    {"qotd", 17, T | U},       {"chargen", 19, T | U},     {"ftp-data", 20, T},
    {"ftp", 21, T},            {"ssh", 22, T},             {"telnet", 23, T},
    {"smtp", 25, T},           {"time", 37, T | U},        {"whois", 43, T},
    {"domain", 53, T | U},     {"bootps", 67, U},          {"bootpc", 68, U},
    {"tftp", 69, U},           {"gopher", 70, T},          {"finger", 79, T},
    {"http", 80, T | U},       {"www", 80, T | U},         {"kerberos", 88, T | U},
    {"pop3", 110, T},          {"sunrpc", 111, T | U},     {"auth", 113, T},
    {"nntp", 119, T},          {"ntp", 123, U},            {"imap", 143, T},
    {"imap2", 143, T},         {"snmp", 161, U},           {"snmp-trap", 162, U},
    {"bgp", 179, T},           {"irc", 194, T},            {"ldap", 389, T | U},
    {"https", 443, T | U},     {"microsoft-ds", 445, T},   {"syslog", 514, U},
    {"printer", 515, T},       {"submission", 587, T},     {"ipp", 631, T},
    {"ldaps", 636, T},         {"rsync", 873, T},          {"ftps", 990, T},
    {"imaps", 993, T},         {"pop3s", 995, T},          {"socks", 1080, T},
    {"openvpn", 1194, T | U},  {"ms-sql-s", 1433, T},      {"mqtt", 1883, T},
    {"nfs", 2049, T | U},      {"mysql", 3306, T},         {"sip", 5060, T | U},
    {"xmpp-client", 5222, T},  {"postgresql", 5432, T},    {"amqp", 5672, T},
    {"x11", 6000, T},          {"redis", 6379, T},         {"http-alt", 8080, T},
    {"memcache", 11211, T | U},
};

#define NSERVICES (sizeof services / sizeof services[0])

int __wasock_service_port(const char *name, int *protos) {
    for (size_t i = 0; i < NSERVICES; ++i) {
        if (strcasecmp(services[i].name, name) == 0) {
            *protos = services[i].protos;
            return services[i].port;
        }
    }
    return -1;
}

const char *__wasock_service_name(int port, int protos) {
    for (size_t i = 0; i < NSERVICES; ++i)
        if (services[i].port == port && (services[i].protos & protos))
            return services[i].name;
    return NULL;
}

/* "tcp" -> T, "udp" -> U, NULL -> both, anything else -> 0. */
static int proto_mask(const char *proto) {
    if (proto == NULL)
        return T | U;
    if (strcasecmp(proto, "tcp") == 0)
        return T;
    if (strcasecmp(proto, "udp") == 0)
        return U;
    return 0;
}

static char *no_aliases[] = {NULL};
/* The results, one per thread (threads.h). */
static WASOCK_THREAD_LOCAL struct servent servent;

static struct servent *fill(const struct service *s, int mask) {
    servent.s_name = (char *)s->name;
    servent.s_aliases = no_aliases;
    servent.s_port = htons(s->port);
    servent.s_proto = (char *)((mask & s->protos & T) ? "tcp" : "udp");
    return &servent;
}

struct servent *getservbyname(const char *name, const char *proto) {
    int mask = proto_mask(proto);
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < NSERVICES; ++i)
        if ((services[i].protos & mask) && strcasecmp(services[i].name, name) == 0)
            return fill(&services[i], mask);
    return NULL;
}

struct servent *getservbyport(int port, const char *proto) {
    int mask = proto_mask(proto);
    unsigned short p = ntohs((unsigned short)port);
    for (size_t i = 0; i < NSERVICES; ++i)
        if ((services[i].protos & mask) && services[i].port == p)
            return fill(&services[i], mask);
    return NULL;
}

static const struct {
    const char *name;
    int proto;
} protocols[] = {
    {"ip", IPPROTO_IP},     {"icmp", IPPROTO_ICMP},      {"igmp", IPPROTO_IGMP},
    {"tcp", IPPROTO_TCP},   {"udp", IPPROTO_UDP},        {"ipv6", IPPROTO_IPV6},
    {"ipv6-icmp", IPPROTO_ICMPV6}, {"icmpv6", IPPROTO_ICMPV6},
};

static WASOCK_THREAD_LOCAL struct protoent protoent;

static struct protoent *fill_proto(size_t i) {
    protoent.p_name = (char *)protocols[i].name;
    protoent.p_aliases = no_aliases;
    protoent.p_proto = protocols[i].proto;
    return &protoent;
}

struct protoent *getprotobyname(const char *name) {
    if (name != NULL)
        for (size_t i = 0; i < sizeof protocols / sizeof protocols[0]; ++i)
            if (strcasecmp(protocols[i].name, name) == 0)
                return fill_proto(i);
    return NULL;
}

struct protoent *getprotobynumber(int proto) {
    for (size_t i = 0; i < sizeof protocols / sizeof protocols[0]; ++i)
        if (protocols[i].proto == proto)
            return fill_proto(i);
    return NULL;
}

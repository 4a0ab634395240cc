/*
 * The socket and address headers (inet_pton, getaddrinfo, struct in6_addr):
 * POSIX spreads them over four headers, Windows has them in Winsock's.
 * libcurl starts Winsock (WSAStartup) in curl_global_init.
 */
#ifndef RSSP_SOCKETS_H
#define RSSP_SOCKETS_H

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#endif

#endif

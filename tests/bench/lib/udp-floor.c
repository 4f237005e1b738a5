/*
 * The floor of the SFU benchmark: what sending the same packets costs with nothing else to do.
 * One UDP socket, one sendto() per packet (as the worker does through libuv), at a given rate and
 * size for a given time, paced in 1 ms ticks. Prints {"sent":…,"failed":…,"cpuMs":…}.
 * Usage: udp-floor <port> <packets per second> <bytes per packet> <seconds>
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

int main(int argc, char **argv) {
  if (argc != 5) return 2;
  int port = atoi(argv[1]);
  double rate = atof(argv[2]);
  int size = atoi(argv[3]);
  double seconds = atof(argv[4]);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  fcntl(fd, F_SETFL, O_NONBLOCK);
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  char *packet = calloc(1, size);
  long sent = 0, failed = 0;
  double due = 0;
  struct timespec tick = {0, 1000000}, started, now;
  clock_gettime(CLOCK_MONOTONIC, &started);
  for (;;) {
    clock_gettime(CLOCK_MONOTONIC, &now);
    double elapsed = (now.tv_sec - started.tv_sec) + (now.tv_nsec - started.tv_nsec) / 1e9;
    if (elapsed >= seconds) break;
    for (due = elapsed * rate; sent + failed < due;) {
      if (sendto(fd, packet, size, 0, (struct sockaddr *)&to, sizeof to) == size) sent++;
      else failed++;
    }
    nanosleep(&tick, NULL);
  }
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  double cpuMs = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3 + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
  printf("{\"sent\":%ld,\"failed\":%ld,\"cpuMs\":%.1f}\n", sent, failed, cpuMs);
  return 0;
}

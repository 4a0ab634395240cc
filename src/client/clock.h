/* Clocks: monotonic for lifetimes (rssp_monotonic_ms in rssp/client.h), wall clock for SSL2. */
#ifndef RSSP_CLIENT_CLOCK_H
#define RSSP_CLIENT_CLOCK_H

/* Unix time in milliseconds (CLOCK_REALTIME). */
long long rssp_wall_ms(void);

#endif

/*
 * fds — the process's open-file limit. Every HTTP connection and every
 * hotline call's RTP socket is a descriptor, so the servers raise the soft
 * limit towards what their settings need, as far as the hard limit allows.
 */
#ifndef KEFU_CORE_FDS_H
#define KEFU_CORE_FDS_H

/* Descriptors besides connections and calls: the database, logs, listeners. */
#define FDS_BESIDES 256

/* Raises the soft limit towards want (never lowers it); returns the limit
 * in force afterwards, 0 when it cannot be read. */
unsigned long fds_raise(unsigned long want);

#endif

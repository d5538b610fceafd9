/*
 * Calls out on the SIP thread (issue 17; call.h tells the flow): requests
 * claimed from call_out, the agent's phone rung first, the customer
 * called through the carrier's trunk, the two bridged by call_bridge.c.
 */
#include <stdatomic.h>
#include <stdint.h>

#include "call/call_int.h"

/* The SIP thread's mqueue while the engine runs; NULL otherwise. */
static _Atomic(struct mqueue *) out_mq;

void call_out_kick(void)
{
	struct mqueue *mq = atomic_load(&out_mq);

	if (mq)
		(void)mqueue_push(mq, 0, NULL);
}

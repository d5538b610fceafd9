/*
 * Campaigns over HTTP (out.h tells the whole): placeholder until written.
 */
#include "out/out.h"

const struct route out_campaign_routes[] = {
	{NULL, NULL, NULL, ACT_PUBLIC},
};

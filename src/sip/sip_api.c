#include "http/http.h"

const struct route sip_routes[] = {
	{NULL, NULL, NULL, ACT_PUBLIC},
};

#include "http/http.h"

const struct route acd_routes[] = {
	{NULL, NULL, NULL, ACT_PUBLIC},
};

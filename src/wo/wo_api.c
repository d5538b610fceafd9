#include "http/http.h"

const struct route wo_routes[] = {
	{NULL, NULL, NULL, ACT_PUBLIC},
};

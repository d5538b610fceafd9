#include "http/http.h"

const struct route cust_routes[] = {
	{NULL, NULL, NULL, ACT_PUBLIC},
};
